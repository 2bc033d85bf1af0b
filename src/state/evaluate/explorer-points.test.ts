import { describe, expect, it } from 'vitest';
import type { FineTuneSnapshots } from '../../worker/api';
import { layoutCsv, snapshotPoints } from './explorer-points';
import type { ExplorerPoints } from './types';

const points: ExplorerPoints = {
  key: 'k',
  runId: 'r',
  datasetId: 'd',
  n: 3,
  paths: ['a.png', 'b,c.png', 'd.png'],
  labels: Int32Array.from([1, -1, 0]),
  splits: Uint8Array.from([0, 2, 1]),
  indices: Int32Array.from([5, 6, 7]),
  classes: ['cat', 'dog'],
};

describe('layoutCsv', () => {
  it('writes one row per point with class name, split name and coordinates', () => {
    const xy = Float32Array.from([0.5, -1, 2, 3.25, -0.125, 4]);
    const lines = layoutCsv(points, { method: 'tsne', xy } as never)
      .trimEnd()
      .split('\n');
    expect(lines[0]).toBe('path,class,split,tsne_x,tsne_y');
    expect(lines.slice(1)).toEqual([
      'a.png,dog,train,0.500000,-1',
      '"b,c.png",,test,2,3.25000',
      'd.png,cat,val,-0.125000,4',
    ]);
    // Coordinates read back equal the layout's.
    const back = lines.slice(1).map((l) => l.split(',').slice(-2).map(Number));
    expect(back.flat()).toEqual(Array.from(xy));
  });
});

describe('snapshotPoints', () => {
  it('keys the points by the fine-tune and keeps its rows', () => {
    const s = { ...points, epochs: [0, 1], x: [], dim: 4 } as unknown as FineTuneSnapshots;
    const p = snapshotPoints({ key: 'ft', label: 'SSL init', snapshots: s });
    expect(p).toEqual({ ...points, key: 'ft', runId: 'ft' });
  });
});

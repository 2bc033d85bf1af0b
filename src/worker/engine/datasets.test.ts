import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { generateShapes } from '../../ml/data/shapes';
import { SPLIT_NAMES } from '../../ml/data/types';
import { Importer } from '../import/importer';
import { createEngineContext } from './context';
import { datasetsPart } from './datasets';

describe('the engine datasets part', () => {
  it('stores generated shapes and reads back the generator’s own pixels, labels and splits', async () => {
    const ctx = createEngineContext();
    const part = datasetsPart(ctx, new Importer(ctx.store));
    const fractions = { train: 0.6, val: 0.2, test: 0.2 };
    const o = { name: 'shapes', count: 24, seed: 5, size: 32 as const, texture: false, fractions };
    const report = await part.generateShapes(o, () => undefined);
    expect(report.error).toBeNull();
    expect(report.imported).toBe(24);
    const id = report.datasetId!;

    const { datasets, removedInterrupted } = await part.listDatasets();
    expect(datasets.map((d) => d.id)).toEqual([id]);
    expect(removedInterrupted).toEqual([]);
    expect(datasets[0].classes).toEqual(['circle', 'square']);

    // The same generator call, made here: each stored image is the sample its path names.
    const samples = generateShapes(24, 5, { size: 32, texture: false });
    const index = await part.getDatasetIndex(id);
    expect(index.paths).toHaveLength(24);
    const order = [...index.paths.keys()].reverse();
    const px = await part.getImages(id, order);
    const per = 32 * 32 * 3;
    order.forEach((i, k) => {
      const path = index.paths[i];
      const g = Number(/shape_(\d+)\.png$/.exec(path)![1]);
      const s = samples[g];
      expect(path).toBe(
        `${SPLIT_NAMES[index.splits[i]]}/${s.kind}/shape_${String(g).padStart(6, '0')}.png`,
      );
      expect(index.labels[i]).toBe(s.kind === 'circle' ? 0 : 1);
      expect(Array.from(px.subarray(k * per, (k + 1) * per))).toEqual(Array.from(s.pixels));
    });
    await expect(part.getImages(id, [24])).rejects.toThrow(/image 24 is out of range \(0\.\.23\)/);

    const info = await part.storageInfo();
    expect(info.datasets).toEqual([{ id, name: 'shapes', bytes: datasets[0].bytes }]);
    await part.deleteDataset(id);
    expect((await part.listDatasets()).datasets).toEqual([]);
  });
});

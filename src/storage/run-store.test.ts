import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from './run-schema';
import { RunStore } from './run-store';

type Checkpoint = Parameters<RunStore['saveCheckpoint']>[1];

/** A finished run record by hand (the store keeps records as they are; the config is opaque to it). */
function trainRun(id: string, name: string, lr: number, knn: number[]): RunRecord {
  return {
    schemaVersion: 1,
    id,
    name,
    config: {
      name,
      dataset: { id: 'd', name: 'shapes', fingerprint: 'f', size: 32 },
      optimizer: { name: 'adam', lr },
    } as unknown as RunRecord['config'],
    status: 'finished',
    createdAt: 0,
    updatedAt: 0,
    endedAt: 1000,
    backend: 'wasm',
    adapter: null,
    curves: {
      steps: [{ step: 10, epoch: 0, loss: 4, lr, imagesPerSec: 100, extras: {} }],
      epochs: knn.map((k, epoch) => ({ epoch, step: epoch * 10, knnTop1: k })),
    },
    final: { epoch: knn.length - 1, step: 20, knnTop1: knn[knn.length - 1], best: null },
    error: null,
    storage: { latest: 0, best: 0 },
  };
}

/** A checkpoint by hand: `n` float backbone values (4 bytes each) and one int32 method tensor. */
function checkpoint(n: number, fill: number, epoch = 1): Checkpoint {
  return {
    format: 'simlab-checkpoint',
    version: 1,
    config: trainRun('x', 'x', 0.1, [0.1]).config,
    position: { epoch, stepInEpoch: 0, step: epoch * 10 },
    backbone: [{ shape: [n], dtype: 'float32', data: new Float32Array(n).fill(fill) }],
    method: {
      method: 'simclr',
      step: 3,
      scalars: { tau: 0.5 },
      tensors: { ptr: { shape: [1], dtype: 'int32', data: Int32Array.of(7) } },
    },
    optimizer: { kind: 'adam', t: 3, slots: [] },
    curves: { steps: [], epochs: [] },
    best: null,
    createdAt: 1,
  };
}

const freshStore = () => new RunStore(`runs-${crypto.randomUUID()}`);

describe('RunStore (fake IndexedDB)', () => {
  it('put / get / list (oldest first) / delete a run record', async () => {
    const s = freshStore();
    await s.open();
    const a = { ...trainRun('a', 'first', 0.1, [0.1, 0.2]), createdAt: 20 };
    const b = { ...trainRun('b', 'second', 0.2, [0.3]), createdAt: 10 };
    await s.put(a);
    await s.put(b);
    expect(await s.get('a')).toEqual(a);
    expect(await s.get('missing')).toBeUndefined();
    expect((await s.list()).map((r) => r.id)).toEqual(['b', 'a']);
    await s.delete('b');
    expect((await s.list()).map((r) => r.id)).toEqual(['a']);
  });

  it('latest and best slots: stored with the record in one write, sizes recorded, read back equal, freed', async () => {
    const s = freshStore();
    await s.open();
    const r0 = { ...trainRun('r', 'run', 0.1, [0.1]), storage: { latest: 0, best: 0 } };
    const latest = checkpoint(5, 1.5, 2);
    const best = checkpoint(3, -2, 1);
    let r = await s.saveCheckpoint(r0, best, ['latest', 'best']);
    expect(r.storage).toEqual({ latest: 3 * 4 + 4, best: 3 * 4 + 4 });
    r = await s.saveCheckpoint(r, latest, ['latest']);
    expect(r.storage).toEqual({ latest: 5 * 4 + 4, best: 3 * 4 + 4 });
    expect(await s.get('r')).toEqual(r);
    expect(await s.getCheckpoint('r', 'latest')).toEqual(latest);
    expect(await s.getCheckpoint('r', 'best')).toEqual(best);
    const use = await s.storageUse();
    expect(use).toEqual({ perRun: { r: 5 * 4 + 4 + 3 * 4 + 4 }, total: 5 * 4 + 4 + 3 * 4 + 4 });

    await s.deleteCheckpoints('r');
    expect(await s.getCheckpoint('r', 'latest')).toBeUndefined();
    expect(await s.getCheckpoint('r', 'best')).toBeUndefined();
    expect((await s.get('r'))?.storage).toEqual({ latest: 0, best: 0 });
    expect((await s.get('r'))?.curves).toEqual(r0.curves);

    await s.saveCheckpoint(r, latest, ['latest']);
    await s.delete('r');
    expect(await s.get('r')).toBeUndefined();
    expect(await s.getCheckpoint('r', 'latest')).toBeUndefined();
  });

  it('open() marks runs a closed page left running or paused as interrupted, and refuses a newer schema', async () => {
    const name = `runs-${crypto.randomUUID()}`;
    const s = new RunStore(name);
    await s.open();
    await s.put({ ...trainRun('a', 'a', 0.1, [0.1]), status: 'running' });
    await s.put({ ...trainRun('b', 'b', 0.1, [0.1]), status: 'paused' });
    await s.put(trainRun('c', 'c', 0.1, [0.1]));
    const changed = await new RunStore(name).open();
    expect(changed.map((r) => r.id).sort()).toEqual(['a', 'b']);
    expect((await s.list()).map((r) => r.status)).toEqual([
      'interrupted',
      'interrupted',
      'finished',
    ]);

    const { createStore, set } = await import('idb-keyval');
    await set('schema', { version: 99 }, createStore(name, 'kv'));
    await expect(new RunStore(name).open()).rejects.toThrow(/schema 99, newer than this simlab/);
  });

  it('refuses a stored checkpoint of a newer version', async () => {
    const s = freshStore();
    const r = trainRun('r', 'run', 0.1, [0.1]);
    await s.saveCheckpoint(r, { ...checkpoint(2, 0), version: 9 }, ['latest']);
    await expect(s.getCheckpoint('r', 'latest')).rejects.toThrow(/checkpoint version 9 is newer/);
  });
});

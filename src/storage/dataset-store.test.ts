import 'fake-indexeddb/auto';
import { createStore, keys, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { DatasetStore } from './dataset-store';
import { DATASET_SCHEMA_VERSION, type DatasetIndex, type DatasetMeta } from './schema';

let dbCount = 0;
/** A fresh database per test, so tests never see each other's records. */
function freshDb(): { name: string; store: DatasetStore } {
  const name = `datasets-test-${++dbCount}`;
  return { name, store: new DatasetStore(name) };
}
const allKeys = (name: string) => keys<string>(createStore(name, 'kv'));

function meta(id: string, createdAt: number, over: Partial<DatasetMeta> = {}): DatasetMeta {
  return {
    schemaVersion: DATASET_SCHEMA_VERSION,
    id,
    name: `set ${id}`,
    status: 'ready',
    createdAt,
    updatedAt: createdAt,
    size: 2,
    classes: ['a', 'b'],
    count: 3,
    counts: { train: [1, 1], val: [1, 0], test: [0, 0] },
    bytes: 36,
    shardCapacity: 2,
    shardCount: 2,
    source: { kind: 'files', description: 'test' },
    splitSource: 'folders',
    fingerprint: 'f',
    ...over,
  };
}

/** Pixel bytes with a pattern unique to (dataset, shard), written out by a loop. */
function pixels(seed: number, n: number): Uint8Array {
  const px = new Uint8Array(n);
  for (let i = 0; i < n; i++) px[i] = (seed * 31 + i * 7) & 255;
  return px;
}

async function writeDataset(store: DatasetStore, id: string, createdAt: number) {
  const m = meta(id, createdAt);
  const index: DatasetIndex = {
    paths: ['a/1.png', 'b/2.png', 'a/3.png'],
    labels: Int16Array.from([0, 1, 0]),
    splits: Uint8Array.from([0, 0, 1]),
  };
  const shards = [pixels(createdAt, 24), pixels(createdAt + 1, 12)];
  await store.putMeta({ ...m, status: 'importing' });
  for (let n = 0; n < shards.length; n++) await store.putShard(id, n, shards[n], m);
  await store.finish(m, index);
  return { m, index, shards };
}

describe('DatasetStore', () => {
  it('writes the schema version once and refuses a newer one', async () => {
    const { name, store } = freshDb();
    await store.open();
    await store.open();
    expect(await allKeys(name)).toEqual(['schema']);
    await set('schema', { version: DATASET_SCHEMA_VERSION + 1 }, createStore(name, 'kv'));
    await expect(new DatasetStore(name).open()).rejects.toThrow(
      `the stored datasets use schema ${DATASET_SCHEMA_VERSION + 1}, newer than this simlab understands`,
    );
  });

  it('lists datasets oldest first and reads back meta, index and shard bytes', async () => {
    const { name, store } = freshDb();
    await store.open();
    const late = await writeDataset(store, 'late', 200);
    const early = await writeDataset(store, 'early', 100);
    expect((await store.allMeta()).map((m) => m.id)).toEqual(['early', 'late']);
    // A second store on the same database has no cache: the bytes come from IndexedDB.
    const other = new DatasetStore(name);
    for (const d of [early, late]) {
      expect(await other.getMeta(d.m.id)).toEqual(d.m);
      const idx = await other.getIndex(d.m.id);
      expect(idx.paths).toEqual(d.index.paths);
      expect(Array.from(idx.labels)).toEqual([0, 1, 0]);
      expect(Array.from(idx.splits)).toEqual([0, 0, 1]);
      for (let n = 0; n < d.shards.length; n++) {
        const got = await other.getShard(d.m.id, n);
        expect(Array.from(got)).toEqual(Array.from(d.shards[n]));
        // A cached read gives the same bytes.
        expect(Array.from(await other.getShard(d.m.id, n))).toEqual(Array.from(d.shards[n]));
      }
    }
    await expect(other.getShard('late', 2)).rejects.toThrow('dataset late: shard 2 is missing');
  });

  it('delete removes every record of one dataset and leaves the others', async () => {
    const { name, store } = freshDb();
    await store.open();
    await writeDataset(store, 'keep', 1);
    await writeDataset(store, 'gone', 2);
    await store.getShard('gone', 0); // cached, must not survive the delete
    await store.delete('gone');
    expect((await allKeys(name)).sort()).toEqual(
      ['schema', 'meta/keep', 'index/keep', 'shard/keep/0', 'shard/keep/1'].sort(),
    );
    expect(await store.getMeta('gone')).toBeUndefined();
    await expect(store.getShard('gone', 0)).rejects.toThrow('shard 0 is missing');
    await expect(store.getIndex('gone')).rejects.toThrow('has no index');
  });

  it('lists a half-written import as importing until finish, and delete clears it', async () => {
    const { name, store } = freshDb();
    await store.open();
    const m = meta('half', 5, { status: 'importing' });
    await store.putMeta(m);
    await store.putShard('half', 0, pixels(9, 12), m);
    expect((await store.allMeta()).map((x) => [x.id, x.status])).toEqual([['half', 'importing']]);
    await expect(store.getIndex('half')).rejects.toThrow('has no index');
    await store.delete('half');
    expect(await allKeys(name)).toEqual(['schema']);
  });
});

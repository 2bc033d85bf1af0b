import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { createStore, keys } from 'idb-keyval';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { DatasetStore, STALE_IMPORT_MS } from '../../storage/dataset-store';
import { DATASET_SCHEMA_VERSION, type DatasetMeta } from '../../storage/schema';
import type { ImportOptions, ImportProgress } from '../api';
import { Importer, isInterrupted } from './importer';
import type { DatasetInfo } from './shard-writer';

// The browser decoder (createImageBitmap + OffscreenCanvas) does not exist in Node; these tests
// hand the importer a pngjs decoder instead. It handles only square PNGs already at the target
// size (no resampling), which is all the synthetic files below are.
async function pngDecode(bytes: Uint8Array, size: number): Promise<Uint8Array> {
  const png = PNG.sync.read(Buffer.from(bytes));
  if (png.width !== size || png.height !== size) throw new Error('test decoder: wrong size');
  const rgb = new Uint8Array(size * size * 3);
  for (let p = 0; p < size * size; p++)
    for (let c = 0; c < 3; c++) rgb[p * 3 + c] = png.data[p * 4 + c];
  return rgb;
}

/** RGB pixels of synthetic image `id` (a pattern unique per id), written out by a loop. */
function rgbOf(id: number, size: number): Uint8Array {
  const px = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      for (let c = 0; c < 3; c++)
        px[(y * size + x) * 3 + c] = (id * 17 + x * 3 + y * 5 + c * 60) & 255;
  return px;
}

function pngOf(id: number, size: number): Uint8Array {
  const png = new PNG({ width: size, height: size });
  const rgb = rgbOf(id, size);
  for (let p = 0; p < size * size; p++) {
    for (let c = 0; c < 3; c++) png.data[p * 4 + c] = rgb[p * 3 + c];
    png.data[p * 4 + 3] = 255;
  }
  return new Uint8Array(PNG.sync.write(png));
}

let dbCount = 0;
function freshDb(): { name: string; store: DatasetStore } {
  const name = `importer-test-${++dbCount}`;
  return { name, store: new DatasetStore(name) };
}
const allKeys = (name: string) => keys<string>(createStore(name, 'kv'));
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

describe('Importer: scan → preview → commit on fake IndexedDB', () => {
  it('stores the decoded pixels in storage order, with index, counts, fingerprint, skips and duplicates', async () => {
    const { store } = freshDb();
    await store.open();
    const S = 32;
    // [path under shapes/, image id]; copy.png has r0.png's bytes, bad.png is not an image.
    const files: [string, number][] = [
      ['train/red/r1.png', 1],
      ['train/red/r0.png', 0],
      ['train/blue/b0.png', 2],
      ['test/red/copy.png', 0],
      ['test/blue/b1.png', 3],
      ['val/blue/b2.png', 4],
    ];
    const bytes = new Map(files.map(([p, id]) => [p, pngOf(id, S)]));
    const input = {
      kind: 'files' as const,
      label: 'shapes',
      fromFolder: true,
      files: [
        ...files.map(([p]) => ({
          path: `shapes/${p}`,
          file: new File([bytes.get(p)! as BlobPart], p),
        })),
        { path: 'shapes/train/blue/bad.png', file: new File(['not a png at all'], 'bad.png') },
        { path: 'shapes/notes.txt', file: new File(['hello'], 'notes.txt') },
      ],
    };
    const importer = new Importer(store, pngDecode);
    const plan = await importer.scan(input);
    expect(plan.layout).toBe('split-folders');
    expect(plan.suggestedName).toBe('shapes');
    expect(plan.folderClasses).toEqual(['blue', 'red']);
    expect(plan.imageCount).toBe(7);
    expect(plan.defaultSize).toBe(32);
    expect(plan.ignored).toEqual([{ path: 'shapes/notes.txt', reason: 'not an image: .txt' }]);

    const opts: ImportOptions = {
      name: '',
      size: S,
      labeling: 'folders',
      splitMode: 'folders',
      fractions: { train: 0.8, val: 0.1, test: 0.1 },
      seed: 0,
    };
    const preview = importer.preview(plan.planId, opts);
    // bad.png is still counted here: it is only found out when decoded.
    expect(preview.counts).toEqual({ train: [2, 2], val: [1, 0], test: [1, 1] });

    const phases: ImportProgress['phase'][] = [];
    const report = await importer.commit(plan.planId, opts, (p) => phases.push(p.phase));
    expect(report.error).toBeNull();
    expect(report.cancelled).toBe(false);
    expect(phases.at(-1)).toBe('done');
    expect(report.imported).toBe(6);
    expect(report.name).toBe('shapes');
    expect(report.skipped.map((s) => s.path)).toEqual([
      'shapes/notes.txt',
      'shapes/train/blue/bad.png',
    ]);
    expect(report.duplicates).toEqual([['shapes/train/red/r0.png', 'shapes/test/red/copy.png']]);

    // Storage order by hand: train, val, test; within a split blue (0) before red (1); then path.
    const order = [
      'train/blue/b0.png',
      'train/red/r0.png',
      'train/red/r1.png',
      'val/blue/b2.png',
      'test/blue/b1.png',
      'test/red/copy.png',
    ];
    const id = report.datasetId!;
    const meta = (await store.getMeta(id))!;
    expect(meta.status).toBe('ready');
    expect(meta.count).toBe(6);
    expect(meta.counts).toEqual({ train: [1, 2], val: [1, 0], test: [1, 1] });
    expect(meta.source).toEqual({ kind: 'folder', description: 'shapes' });
    expect(meta.shardCount).toBe(1);
    const index = await store.getIndex(id);
    expect(index.paths).toEqual(order.map((p) => `shapes/${p}`));
    expect(Array.from(index.labels)).toEqual([0, 1, 1, 0, 0, 1]);
    expect(Array.from(index.splits)).toEqual([0, 0, 0, 1, 2, 2]);
    const idOf = new Map(files);
    const want = new Uint8Array(6 * S * S * 3);
    order.forEach((p, k) => want.set(rgbOf(idOf.get(p)!, S), k * S * S * 3));
    const shard = await new DatasetStore(`importer-test-${dbCount}`).getShard(id, 0);
    expect(shard.length).toBe(want.length);
    expect(Buffer.from(shard).equals(Buffer.from(want))).toBe(true);
    const hashes = order.map((p) => sha(bytes.get(p)!));
    expect(meta.fingerprint).toBe(sha(`${S}\n${hashes.join('\n')}\n0,1,1,0,0,1`));
    // A committed plan is gone.
    expect(() => importer.preview(plan.planId, opts)).toThrow('this import plan has expired');
  });
});

describe('ShardWriter through Importer.generated', () => {
  // 600 px images: shardCapacity(600) = floor(4 MiB / 1,080,000 B) = 3 images per shard.
  const S = 600;
  const info: DatasetInfo = {
    name: 'gen',
    size: S,
    classes: ['a', 'b'],
    source: { kind: 'generator', description: 'test' },
    splitSource: 'random',
    splitSeed: 1,
    splitFractions: { train: 0.6, val: 0.2, test: 0.2 },
  };
  const items = Array.from({ length: 7 }, (_, i) => ({
    path: `g/${i}.png`,
    label: i % 2,
    split: (i < 5 ? 'train' : 'test') as 'train' | 'test',
    pixels: rgbOf(i, S),
  }));

  it('writes full shards of shardCapacity images and a short last one, bytes in order', async () => {
    const { store } = freshDb();
    await store.open();
    const report = await new Importer(store).generated(info, items, () => undefined);
    expect(report.error).toBeNull();
    const meta = (await store.getMeta(report.datasetId!))!;
    expect(meta.shardCapacity).toBe(3);
    expect(meta.shardCount).toBe(3);
    expect(meta.bytes).toBe(7 * S * S * 3);
    const counts = { train: [0, 0], val: [0, 0], test: [0, 0] };
    for (const it of items) counts[it.split][it.label]++;
    expect(counts).toEqual({ train: [3, 2], val: [0, 0], test: [1, 1] });
    expect(meta.counts).toEqual(counts);
    for (let n = 0; n < 3; n++) {
      const shard = await store.getShard(meta.id, n);
      const inShard = items.slice(n * 3, n * 3 + 3);
      expect(shard.length).toBe(inShard.length * S * S * 3);
      inShard.forEach((it, k) => {
        const got = shard.subarray(k * S * S * 3, (k + 1) * S * S * 3);
        expect(Buffer.from(got).equals(Buffer.from(it.pixels))).toBe(true);
      });
    }
    expect(report.duplicates).toEqual([]);
  });

  it('a cancel after the first shard deletes everything it wrote', async () => {
    const { name } = freshDb();
    let importer: Importer | null = null;
    class CancelAfterFirstShard extends DatasetStore {
      override async putShard(...a: Parameters<DatasetStore['putShard']>): Promise<void> {
        await super.putShard(...a);
        importer?.cancel();
      }
    }
    const store = new CancelAfterFirstShard(name);
    await store.open();
    importer = new Importer(store);
    const report = await importer.generated(info, items, () => undefined);
    expect(report.cancelled).toBe(true);
    expect(report.error).toBeNull();
    expect(report.datasetId).toBeNull();
    expect(importer.activeDatasetId).toBeNull();
    expect(await allKeys(name)).toEqual(['schema']);
  });

  it('a full quota on the second shard stores nothing and says how far it got', async () => {
    const { name } = freshDb();
    let puts = 0;
    class QuotaAfterFirstShard extends DatasetStore {
      override async putShard(...a: Parameters<DatasetStore['putShard']>): Promise<void> {
        if (++puts === 2) throw new DOMException('quota exceeded', 'QuotaExceededError');
        await super.putShard(...a);
      }
    }
    const store = new QuotaAfterFirstShard(name);
    await store.open();
    const report = await new Importer(store).generated(info, items, () => undefined);
    expect(report.error).toBe(
      "Storage is full: the browser's quota for this site was exceeded after 6 images. Nothing was stored. Delete datasets or runs, or choose a smaller image size.",
    );
    expect(report.datasetId).toBeNull();
    expect(await allKeys(name)).toEqual(['schema']);
  });
});

describe('isInterrupted (the cleanup listDatasets runs in src/worker/engine.ts)', () => {
  const m = (status: DatasetMeta['status'], updatedAt: number): DatasetMeta => ({
    schemaVersion: DATASET_SCHEMA_VERSION,
    id: `${status}-${updatedAt}`,
    name: 'x',
    status,
    createdAt: 0,
    updatedAt,
    size: 32,
    classes: [],
    count: 0,
    counts: { train: [], val: [], test: [] },
    bytes: 0,
    shardCapacity: 1,
    shardCount: 0,
    source: { kind: 'files', description: '' },
    splitSource: 'folders',
    fingerprint: '',
  });

  it('without Web Locks (Node), an importing record untouched for over STALE_IMPORT_MS is interrupted', async () => {
    expect((globalThis as { navigator?: Navigator }).navigator?.locks).toBeUndefined();
    const now = 10 * STALE_IMPORT_MS;
    expect(await isInterrupted(m('importing', now - STALE_IMPORT_MS - 1), now)).toBe(true);
    expect(await isInterrupted(m('importing', now - STALE_IMPORT_MS + 1000), now)).toBe(false);
    expect(await isInterrupted(m('ready', 0), now)).toBe(false);
  });

  it('removing what it names leaves ready datasets and live imports', async () => {
    const { name, store } = freshDb();
    await store.open();
    const now = 10 * STALE_IMPORT_MS;
    const stale = m('importing', now - 2 * STALE_IMPORT_MS);
    const live = m('importing', now - 10);
    const ready = m('ready', 5);
    for (const x of [stale, live, ready]) {
      await store.putMeta(x);
      await store.putShard(x.id, 0, new Uint8Array(3), x);
    }
    const removed: string[] = [];
    for (const x of await store.allMeta())
      if (await isInterrupted(x, now)) {
        await store.delete(x.id);
        removed.push(x.id);
      }
    expect(removed).toEqual([stale.id]);
    expect((await allKeys(name)).filter((k) => k.includes(stale.id))).toEqual([]);
    expect((await store.allMeta()).map((x) => x.id).sort()).toEqual([live.id, ready.id].sort());
  });
});

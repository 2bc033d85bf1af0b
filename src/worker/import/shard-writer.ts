/**
 * Decodes images and writes them into a new dataset's IndexedDB shards, in order. Never leaves a
 * half-written dataset: a cancelled or failed write deletes what it stored, and a record left
 * 'importing' by a closed tab is recognised by `isInterrupted` so the next start removes it.
 */
import { sniffImage } from '../../ml/data/image-sniff';
import { shardCapacity } from '../../ml/data/shards';
import { splitCounts } from '../../ml/data/splits';
import { SPLIT_CODES, type SplitName } from '../../ml/data/types';
import { sha256Hex } from '../../ml/io/sha256';
import { STALE_IMPORT_MS, type DatasetStore } from '../../storage/dataset-store';
import { DATASET_SCHEMA_VERSION, type DatasetIndex, type DatasetMeta } from '../../storage/schema';
import type { ImportProgress, ImportReport } from '../api';
import { decodeToSquare } from './decode';

/** What the caller decides about a new dataset; the writer fills in the rest of its meta. */
export type DatasetInfo = Pick<
  DatasetMeta,
  'name' | 'size' | 'classes' | 'source' | 'splitSource' | 'splitSeed' | 'splitFractions'
>;

/** One image to write: raw file bytes (decoded here) or ready size×size×3 pixels (generators). */
export interface WriteItem {
  path: string;
  label: number;
  split: SplitName;
  bytes?: Uint8Array;
  pixels?: Uint8Array;
}

/** File bytes → size×size×3 uint8 RGB; throws with a readable message when it cannot. */
export type DecodeFn = (bytes: Uint8Array, size: number) => Promise<Uint8Array>;

export const importLockName = (datasetId: string) => `simlab-import-${datasetId}`;

/** Whether an 'importing' record belongs to an import that is no longer running anywhere. */
export async function isInterrupted(meta: DatasetMeta, now = Date.now()): Promise<boolean> {
  if (meta.status !== 'importing') return false;
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks) {
    const q = await locks.query();
    return !(q.held ?? []).some((l) => l.name === importLockName(meta.id));
  }
  return now - meta.updatedAt > STALE_IMPORT_MS;
}

function isQuotaError(e: unknown): boolean {
  const n = (e as { name?: string })?.name ?? '';
  const m = (e as { message?: string })?.message ?? '';
  return n === 'QuotaExceededError' || /quota/i.test(m);
}

/** Decoded (or failed) item, in the order it will be stored. */
type Done = {
  path: string;
  label: number;
  split: SplitName;
  pixels?: Uint8Array;
  hash?: string;
  error?: string;
};

/** Items decoded at once; they are still stored strictly in order. */
const WINDOW = 16;

export class ShardWriter {
  readonly #store: DatasetStore;
  readonly #decode: DecodeFn;
  #cancel = false;
  #activeId: string | null = null;

  /** `decode` defaults to the browser decoder (createImageBitmap + OffscreenCanvas). */
  constructor(store: DatasetStore, decode: DecodeFn = decodeToSquare) {
    this.#store = store;
    this.#decode = decode;
  }

  /** The dataset being written now, if any (its 'importing' record is not stale). */
  get activeDatasetId(): string | null {
    return this.#activeId;
  }

  /** Stops the running write after the current image; what it stored is deleted. */
  cancel(): void {
    this.#cancel = true;
  }

  /**
   * Decodes and stores `count` items into a new dataset. `item(i)` yields raw file bytes, or
   * ready pixels (generators). Items are decoded a few at a time but stored in order.
   */
  async write(
    info: DatasetInfo,
    count: number,
    item: (i: number) => Promise<WriteItem>,
    onProgress: (p: ImportProgress) => void,
  ): Promise<ImportReport> {
    // Hold a Web Lock for the whole import: a closed or reloaded tab releases it, which is how the
    // next start tells an interrupted import from one still running in another tab.
    const id = crypto.randomUUID();
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    if (!locks) return this.#writeLocked(id, info, count, item, onProgress);
    return locks.request(importLockName(id), () =>
      this.#writeLocked(id, info, count, item, onProgress),
    );
  }

  async #writeLocked(
    id: string,
    info: DatasetInfo,
    count: number,
    item: (i: number) => Promise<WriteItem>,
    onProgress: (p: ImportProgress) => void,
  ): Promise<ImportReport> {
    const t0 = performance.now();
    this.#cancel = false;
    this.#activeId = id;
    const size = info.size;
    const imgBytes = size * size * 3;
    const capacity = shardCapacity(size);
    const now = Date.now();
    const meta: DatasetMeta = {
      schemaVersion: DATASET_SCHEMA_VERSION,
      id,
      status: 'importing',
      createdAt: now,
      updatedAt: now,
      count: 0,
      counts: { train: [], val: [], test: [] },
      bytes: 0,
      shardCapacity: capacity,
      shardCount: 0,
      fingerprint: '',
      ...info,
    };
    const report: ImportReport = {
      datasetId: null,
      name: info.name,
      imported: 0,
      skipped: [],
      duplicates: [],
      csv: null,
      cancelled: false,
      error: null,
      seconds: 0,
      bytes: 0,
    };
    const paths: string[] = [];
    const labels: number[] = [];
    const splitCodes: number[] = [];
    const hashes: string[] = [];
    const byHash = new Map<string, string[]>();
    let shard = new Uint8Array(capacity * imgBytes);
    let inShard = 0;
    let lastPost = 0;
    const post = (phase: ImportProgress['phase'], done: number) => {
      const t = performance.now();
      if (phase !== 'done' && t - lastPost < 100) return;
      lastPost = t;
      const rate = done / Math.max(1e-3, (t - t0) / 1000);
      onProgress({
        phase,
        done,
        total: count,
        imagesPerSec: rate,
        etaSec: rate > 0 ? (count - done) / rate : null,
      });
    };
    const flush = async () => {
      if (inShard === 0) return;
      const px = inShard === capacity ? shard : shard.slice(0, inShard * imgBytes);
      meta.shardCount += 1;
      meta.updatedAt = Date.now();
      meta.count = paths.length;
      meta.bytes += px.byteLength;
      await this.#store.putShard(id, meta.shardCount - 1, px, meta);
      shard = new Uint8Array(capacity * imgBytes);
      inShard = 0;
    };
    const work = async (i: number): Promise<Done> => {
      let it: WriteItem;
      try {
        it = await item(i);
      } catch (e) {
        return {
          path: `#${i}`,
          label: -1,
          split: 'train',
          error: `could not be read: ${(e as Error).message}`,
        };
      }
      const base = { path: it.path, label: it.label, split: it.split };
      if (it.pixels) return { ...base, pixels: it.pixels };
      const bytes = it.bytes as Uint8Array;
      const tail = bytes.subarray(Math.max(0, bytes.length - 1024));
      const sniff = sniffImage(bytes.subarray(0, 65536), tail, bytes.length);
      if (!sniff.ok) return { ...base, error: sniff.reason };
      const hash = await sha256Hex(bytes);
      try {
        return { ...base, hash, pixels: await this.#decode(bytes, size) };
      } catch (e) {
        return { ...base, error: (e as Error).message };
      }
    };

    try {
      await this.#store.putMeta(meta);
      const pending: Promise<Done>[] = [];
      let next = 0;
      while (next < Math.min(WINDOW, count)) pending.push(work(next++));
      for (let i = 0; i < count; i++) {
        if (this.#cancel) {
          report.cancelled = true;
          break;
        }
        const d = await (pending.shift() as Promise<Done>);
        if (next < count) pending.push(work(next++));
        if (d.error || !d.pixels) {
          report.skipped.push({ path: d.path, reason: d.error ?? 'no pixels' });
        } else {
          shard.set(d.pixels, inShard * imgBytes);
          inShard++;
          paths.push(d.path);
          labels.push(d.label);
          splitCodes.push(SPLIT_CODES[d.split]);
          if (d.hash) {
            hashes.push(d.hash);
            const g = byHash.get(d.hash);
            if (g) g.push(d.path);
            else byHash.set(d.hash, [d.path]);
          }
          if (inShard === capacity) await flush();
        }
        post('decoding', i + 1);
      }
      await Promise.allSettled(pending);
      if (report.cancelled) {
        await this.#store.delete(id);
        report.error = null;
      } else {
        await flush();
        if (paths.length === 0) {
          await this.#store.delete(id);
          report.error = 'no valid image was found; nothing was stored';
        } else {
          const index: DatasetIndex = {
            paths,
            labels: Int16Array.from(labels),
            splits: Uint8Array.from(splitCodes),
          };
          const c = splitCounts(labels, index.splits, Math.max(1, info.classes.length));
          meta.counts = { train: c[0], val: c[1], test: c[2] };
          meta.count = paths.length;
          meta.status = 'ready';
          meta.updatedAt = Date.now();
          meta.fingerprint = await sha256Hex(
            new TextEncoder().encode(`${size}\n${hashes.join('\n')}\n${labels.join(',')}`),
          );
          await this.#store.finish(meta, index);
          report.datasetId = id;
          report.imported = paths.length;
          report.bytes = meta.bytes;
        }
      }
    } catch (e) {
      await this.#store.delete(id).catch(() => undefined);
      report.error = isQuotaError(e)
        ? `Storage is full: the browser's quota for this site was exceeded after ${paths.length} images. Nothing was stored. Delete datasets or runs, or choose a smaller image size.`
        : `Import failed: ${(e as Error).message}. Nothing was stored.`;
    } finally {
      this.#activeId = null;
    }
    report.duplicates = [...byHash.values()].filter((g) => g.length > 1);
    report.seconds = (performance.now() - t0) / 1000;
    post('done', count);
    return report;
  }
}

/**
 * Datasets in IndexedDB through idb-keyval (layout in ./schema.ts). Works in the worker and the page.
 */
import {
  createStore,
  del,
  delMany,
  get,
  getMany,
  keys,
  set,
  setMany,
  type UseStore,
} from 'idb-keyval';
import { DATASET_SCHEMA_VERSION, type DatasetIndex, type DatasetMeta } from './schema';

const metaKey = (id: string) => `meta/${id}`;
const indexKey = (id: string) => `index/${id}`;
const shardKey = (id: string, n: number) => `shard/${id}/${n}`;

/** A meta record still 'importing' and not touched for this long belongs to an interrupted import. */
export const STALE_IMPORT_MS = 30_000;

export class DatasetStore {
  readonly #store: UseStore;
  #shardCache = new Map<string, Uint8Array>();
  static readonly CACHE_SHARDS = 8;

  constructor(dbName = 'simlab-datasets') {
    this.#store = createStore(dbName, 'kv');
  }

  /** Writes the schema version on first use; refuses a newer schema written by a later simlab. */
  async open(): Promise<void> {
    const s = await get<{ version: number }>('schema', this.#store);
    if (!s) {
      await set('schema', { version: DATASET_SCHEMA_VERSION }, this.#store);
    } else if (s.version > DATASET_SCHEMA_VERSION) {
      throw new Error(
        `the stored datasets use schema ${s.version}, newer than this simlab understands (${DATASET_SCHEMA_VERSION}); update the app`,
      );
    }
  }

  async allMeta(): Promise<DatasetMeta[]> {
    const ks = (await keys<string>(this.#store)).filter(
      (k) => typeof k === 'string' && k.startsWith('meta/'),
    );
    const metas = await getMany<DatasetMeta>(ks, this.#store);
    return metas.filter((m): m is DatasetMeta => !!m).sort((a, b) => a.createdAt - b.createdAt);
  }

  getMeta(id: string): Promise<DatasetMeta | undefined> {
    return get<DatasetMeta>(metaKey(id), this.#store);
  }

  putMeta(meta: DatasetMeta): Promise<void> {
    return set(metaKey(meta.id), meta, this.#store);
  }

  async getIndex(id: string): Promise<DatasetIndex> {
    const idx = await get<DatasetIndex>(indexKey(id), this.#store);
    if (!idx) throw new Error(`dataset ${id} has no index (deleted or never finished importing)`);
    return idx;
  }

  /** Writes a shard; the meta record is written in the same transaction when given. */
  async putShard(id: string, n: number, pixels: Uint8Array, meta?: DatasetMeta): Promise<void> {
    const entries: [IDBValidKey, unknown][] = [[shardKey(id, n), pixels]];
    if (meta) entries.push([metaKey(id), meta]);
    await setMany(entries, this.#store);
  }

  /** Final write of an import: index and ready meta together, so a dataset is never half-listed. */
  async finish(meta: DatasetMeta, index: DatasetIndex): Promise<void> {
    await setMany(
      [
        [indexKey(meta.id), index],
        [metaKey(meta.id), meta],
      ],
      this.#store,
    );
  }

  async getShard(id: string, n: number): Promise<Uint8Array> {
    const key = shardKey(id, n);
    const hit = this.#shardCache.get(key);
    if (hit) {
      this.#shardCache.delete(key);
      this.#shardCache.set(key, hit);
      return hit;
    }
    const px = await get<Uint8Array>(key, this.#store);
    if (!px) throw new Error(`dataset ${id}: shard ${n} is missing`);
    this.#shardCache.set(key, px);
    while (this.#shardCache.size > DatasetStore.CACHE_SHARDS) {
      const first = this.#shardCache.keys().next().value as string;
      this.#shardCache.delete(first);
    }
    return px;
  }

  /** Removes every record of a dataset (meta last, so a crash mid-delete leaves a listed, deletable entry). */
  async delete(id: string): Promise<void> {
    const prefix = `shard/${id}/`;
    const ks = (await keys<string>(this.#store)).filter(
      (k) => typeof k === 'string' && k.startsWith(prefix),
    );
    for (const k of [...this.#shardCache.keys()])
      if (k.startsWith(prefix)) this.#shardCache.delete(k);
    for (let i = 0; i < ks.length; i += 64) await delMany(ks.slice(i, i + 64), this.#store);
    await del(indexKey(id), this.#store);
    await del(metaKey(id), this.#store);
  }
}

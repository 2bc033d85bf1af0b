/**
 * Training runs and their checkpoints in IndexedDB through idb-keyval (layout and pure logic in
 * ./run-schema.ts). Works in the worker and the page. Checkpoints are plain objects of typed arrays
 * (structured-cloneable), stored as one record each.
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
import { checkCheckpoint, type TrainCheckpoint } from '../ml/train/checkpoint-types';
import {
  CHECKPOINT_SLOTS,
  RUNS_SCHEMA_VERSION,
  markInterrupted,
  runStorageBytes,
  withCheckpointSize,
  type CheckpointSlot,
  type RunRecord,
} from './run-schema';

const runKey = (id: string) => `run/${id}`;
const ckptKey = (id: string, slot: CheckpointSlot) => `ckpt/${id}/${slot}`;

export class RunStore {
  readonly #store: UseStore;

  constructor(dbName = 'simlab-runs') {
    this.#store = createStore(dbName, 'kv');
  }

  /**
   * Writes the schema version on first use (refusing a newer one) and marks runs left 'running' or
   * 'paused' by a closed page as 'interrupted'; returns those.
   */
  async open(): Promise<RunRecord[]> {
    const s = await get<{ version: number }>('schema', this.#store);
    if (!s) await set('schema', { version: RUNS_SCHEMA_VERSION }, this.#store);
    else if (s.version > RUNS_SCHEMA_VERSION) {
      throw new Error(
        `the stored runs use schema ${s.version}, newer than this simlab understands (${RUNS_SCHEMA_VERSION}); update the app`,
      );
    }
    const changed = markInterrupted(await this.list());
    if (changed.length)
      await setMany(
        changed.map((r) => [runKey(r.id), r]),
        this.#store,
      );
    return changed;
  }

  /** All runs, oldest first. */
  async list(): Promise<RunRecord[]> {
    const ks = (await keys<string>(this.#store)).filter(
      (k) => typeof k === 'string' && k.startsWith('run/'),
    );
    const rs = await getMany<RunRecord>(ks, this.#store);
    return rs.filter((r): r is RunRecord => !!r).sort((a, b) => a.createdAt - b.createdAt);
  }

  get(id: string): Promise<RunRecord | undefined> {
    return get<RunRecord>(runKey(id), this.#store);
  }

  put(r: RunRecord): Promise<void> {
    return set(runKey(r.id), r, this.#store);
  }

  /** Writes a checkpoint into `slots` and the record (with the slot sizes updated) in one transaction; returns the record written. */
  async saveCheckpoint(
    r: RunRecord,
    ckpt: TrainCheckpoint,
    slots: CheckpointSlot[],
  ): Promise<RunRecord> {
    let rec = r;
    const entries: [IDBValidKey, unknown][] = [];
    for (const slot of slots) {
      entries.push([ckptKey(r.id, slot), ckpt]);
      rec = withCheckpointSize(rec, slot, ckpt);
    }
    entries.push([runKey(r.id), rec]);
    await setMany(entries, this.#store);
    return rec;
  }

  async getCheckpoint(id: string, slot: CheckpointSlot): Promise<TrainCheckpoint | undefined> {
    const c = await get<TrainCheckpoint>(ckptKey(id, slot), this.#store);
    if (c) checkCheckpoint(c);
    return c;
  }

  /** Frees a run's checkpoints but keeps its record and curves. */
  async deleteCheckpoints(id: string): Promise<void> {
    await delMany(
      CHECKPOINT_SLOTS.map((s) => ckptKey(id, s)),
      this.#store,
    );
    const r = await this.get(id);
    if (r) await this.put({ ...r, storage: { latest: 0, best: 0 } });
  }

  /** Removes a run and its checkpoints (record last, so a crash mid-delete leaves a listed, deletable run). */
  async delete(id: string): Promise<void> {
    await delMany(
      CHECKPOINT_SLOTS.map((s) => ckptKey(id, s)),
      this.#store,
    );
    await del(runKey(id), this.#store);
  }

  /** Checkpoint bytes per run id, and in all. */
  async storageUse(): Promise<{ perRun: Record<string, number>; total: number }> {
    const perRun: Record<string, number> = {};
    let total = 0;
    for (const r of await this.list()) {
      perRun[r.id] = runStorageBytes(r);
      total += perRun[r.id];
    }
    return { perRun, total };
  }
}

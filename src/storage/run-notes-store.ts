/**
 * Import notes in IndexedDB through idb-keyval: one RunImportNote per run imported from a file
 * (file name and size, the user's choice, the classes the file names, a re-link), keyed by run id.
 * The database and store names are those the notes always had ('simlab-run-imports' / 'kv'), so
 * notes written before this store existed stay readable. Works in the worker and the page.
 */
import { createStore, get, getMany, keys, set, type UseStore } from 'idb-keyval';
import type { ImportChoice, RunImportNote } from '../common/run-types';

export class RunNotesStore {
  readonly #store: UseStore;

  constructor(dbName = 'simlab-run-imports') {
    this.#store = createStore(dbName, 'kv');
  }

  get(runId: string): Promise<RunImportNote | undefined> {
    return get<RunImportNote>(runId, this.#store);
  }

  /** Writes (or replaces) the note of `note.runId`. */
  put(note: RunImportNote): Promise<void> {
    return set(note.runId, note, this.#store);
  }

  /** Every note, by run id. */
  async all(): Promise<Record<string, RunImportNote>> {
    const ks = (await keys<string>(this.#store)).filter((k) => typeof k === 'string');
    const vs = await getMany<RunImportNote>(ks, this.#store);
    const out: Record<string, RunImportNote> = {};
    for (const v of vs) if (v) out[v.runId] = v;
    return out;
  }

  /** Records what the user chose to do with an imported run; throws when the run has no note. */
  async setChoice(runId: string, choice: ImportChoice): Promise<RunImportNote> {
    const n = await this.get(runId);
    if (!n) throw new Error(`run ${runId} was not imported from a file`);
    const out = { ...n, choice };
    await this.put(out);
    return out;
  }
}

/**
 * Downloaded pretrained weights in IndexedDB through idb-keyval: the file's bytes under the
 * catalogue entry's id, with the sha256 pinned at the first download (every later load is checked
 * against it), so a weights file is fetched from the internet once, on the user's click.
 */
import { createStore, del, get, getMany, keys, set, type UseStore } from 'idb-keyval';

export interface StoredWeights {
  id: string;
  file: string;
  bytes: Uint8Array;
  sha256: string;
  /** Where it came from and when. */
  url: string;
  downloadedAt: number;
}

/** What the page lists (no bytes). */
export type StoredWeightsInfo = Omit<StoredWeights, 'bytes'> & { size: number };

export class WeightsStore {
  readonly #store: UseStore;

  constructor(dbName = 'simlab-weights') {
    this.#store = createStore(dbName, 'kv');
  }

  get(id: string): Promise<StoredWeights | undefined> {
    return get<StoredWeights>(id, this.#store);
  }

  put(w: StoredWeights): Promise<void> {
    return set(w.id, w, this.#store);
  }

  delete(id: string): Promise<void> {
    return del(id, this.#store);
  }

  /** Every stored file's record without its bytes. */
  async list(): Promise<StoredWeightsInfo[]> {
    const ks = (await keys<string>(this.#store)).filter((k) => typeof k === 'string');
    const vs = await getMany<StoredWeights>(ks, this.#store);
    return vs
      .filter((v): v is StoredWeights => !!v)
      .map(({ bytes, ...rest }) => ({ ...rest, size: bytes.length }));
  }
}

/**
 * Pretrained weights from the catalogue (datasets-manifest.json "weights"): downloaded by the
 * engine only on the user's click, with progress, then imported like a dropped file (the Runs
 * panel asks which labelled dataset the run will use). Files the server will not hand to another
 * site (CORS) are downloaded by the user and dropped on the panel instead.
 */
import type { StoredWeightsSummary } from '../worker/api';
import type { EngineClient } from '../worker/client';
import { loadWeightsCatalogue, type WeightsEntry } from './catalogue';
import type { RunsState } from './runs.svelte';

export class PretrainedWeights {
  readonly #client: EngineClient;
  readonly #runs: RunsState;
  readonly entries: WeightsEntry[];
  readonly catalogueError: string | null;
  /** The download under way: entry id and bytes so far. */
  progress = $state.raw<{ id: string; done: number; total: number } | null>(null);
  stored = $state.raw<StoredWeightsSummary[]>([]);
  error = $state<{ id: string; message: string } | null>(null);
  /** The last fetch's sha256 and whether it was pinned now. */
  last = $state.raw<{ id: string; sha256: string; pinnedNow: boolean; fromStore: boolean } | null>(
    null,
  );

  constructor(client: EngineClient, runs: RunsState, base: string | null = null) {
    this.#client = client;
    this.#runs = runs;
    const c = loadWeightsCatalogue(base);
    this.entries = c.entries;
    this.catalogueError = c.error;
  }

  async refresh(): Promise<void> {
    try {
      this.stored = await this.#client.remote.storedWeights();
    } catch {
      this.stored = [];
    }
  }

  storedOf(id: string): StoredWeightsSummary | undefined {
    return this.stored.find((s) => s.id === id);
  }

  /** Downloads (or loads the stored copy of) `entry`, then hands it to the Runs import. */
  async use(entry: WeightsEntry): Promise<void> {
    this.error = null;
    this.progress = { id: entry.id, done: 0, total: entry.bytes };
    try {
      const r = await this.#client.fetchWeights(
        {
          id: entry.id,
          url: entry.url,
          file: entry.file,
          expectedBytes: entry.bytes,
          ...(entry.sha256 ? { sha256: entry.sha256 } : {}),
          ...(entry.sha256Prefix ? { sha256Prefix: entry.sha256Prefix } : {}),
        },
        (done, total) => (this.progress = { id: entry.id, done, total }),
      );
      this.last = {
        id: entry.id,
        sha256: r.sha256,
        pinnedNow: r.pinnedNow,
        fromStore: r.fromStore,
      };
      await this.refresh();
      await this.#runs.importFile(new File([r.bytes as BlobPart], r.file));
    } catch (e) {
      this.error = { id: entry.id, message: (e as Error).message };
    } finally {
      this.progress = null;
    }
  }

  async forget(id: string): Promise<void> {
    await this.#client.remote.deleteWeights(id);
    await this.refresh();
  }
}

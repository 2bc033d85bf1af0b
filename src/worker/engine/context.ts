/**
 * What the engine's parts share: the dataset and run stores, the backend report, the "tfjs is
 * initialised" gate, and the pixel reader. One per engine (createEngine makes it).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendReport } from '../../ml/backend';
import { DatasetStore } from '../../storage/dataset-store';
import { RunStore } from '../../storage/run-store';

export interface EngineContext {
  store: DatasetStore;
  /** Resolves once the dataset store is open. */
  opened: Promise<void>;
  runs: RunStore;
  /** Resolves once the run store is open (runs left running come back as 'interrupted'). */
  runsOpened: Promise<unknown>;
  /** Tensor work waits for init(), so it never runs on a backend tfjs picked by itself. */
  ready: Promise<void>;
  /**
   * Resolves when no backend restart is under way; engine/recovery.ts replaces it while it starts
   * a new backend after a GPU fault, so runs started meanwhile wait for the new one.
   */
  restarted: Promise<void>;
  /** Records init()'s backend report and opens the `ready` gate. */
  markReady(report: BackendReport): void;
  /** The active backend and GPU adapter, as runs record them. */
  backendInfo(): { name: string; adapter: string | null };
  /** Pixels of stored images, n × size² × 3 uint8 RGB in the order asked. */
  readImages(id: string, indices: number[]): Promise<Uint8Array>;
}

export function createEngineContext(): EngineContext {
  const store = new DatasetStore();
  const opened = store.open();
  const runs = new RunStore();
  const runsOpened = runs.open();
  let report: BackendReport | null = null;
  let open: () => void = () => undefined;
  const ready = new Promise<void>((r) => (open = r));

  async function readImages(id: string, indices: number[]): Promise<Uint8Array> {
    const meta = await store.getMeta(id);
    if (!meta) throw new Error(`dataset ${id} does not exist`);
    const per = meta.size * meta.size * 3;
    const out = new Uint8Array(indices.length * per);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      if (!(i >= 0 && i < meta.count))
        throw new Error(`image ${i} is out of range (0..${meta.count - 1})`);
      const shard = await store.getShard(id, Math.floor(i / meta.shardCapacity));
      const off = (i % meta.shardCapacity) * per;
      out.set(shard.subarray(off, off + per), k * per);
    }
    return out;
  }

  return {
    store,
    opened,
    runs,
    runsOpened,
    ready,
    restarted: Promise.resolve(),
    markReady(r) {
      report = r;
      open();
    },
    backendInfo: () => ({
      name: report?.active ?? tf.getBackend(),
      adapter: report?.adapter
        ? `${report.adapter.vendor} ${report.adapter.architecture}`.trim()
        : null,
    }),
    readImages,
  };
}

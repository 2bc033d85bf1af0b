/**
 * The FFT t-SNE's thread pool (ml/eval/tsne-parallel.ts's TsneThreadPool) on Web Workers over
 * SharedArrayBuffer, for the explorer worker. Helpers are nested workers (tsne-helper.worker.ts)
 * that block in Atomics.wait between phases, so a phase costs one notify and one wait; the
 * calling worker blocks the same way (allowed in workers, never on the page). Needs cross-origin
 * isolation (the app serves COOP/COEP); without it there is no pool and t-SNE runs on one thread.
 *
 * Control words (Int32Array on a SharedArrayBuffer): generation (bumped per phase), phase
 * (-1 = leave the run), parts done, helpers ready, helpers failed.
 */
import type { TsneThreadPool } from '../../ml/eval/tsne-thread-pool';

export const GEN = 0,
  PHASE = 1,
  DONE = 2,
  READY = 3,
  FAILED = 4;
export const END_PHASE = -1;
/** Longest wait for helpers to take a run, in ms (they are idle, so this means they died). */
const START_TIMEOUT_MS = 10_000;

export interface WorkerTsnePool extends TsneThreadPool {
  terminate(): void;
}

/** `helpers` nested workers; null without cross-origin isolation or when helpers < 1. */
export async function createTsneThreadPool(helpers: number): Promise<WorkerTsnePool | null> {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  if (helpers < 1 || !isolated || typeof SharedArrayBuffer === 'undefined') return null;
  const control = new Int32Array(new SharedArrayBuffer(8 * 4));
  const workers: Worker[] = [];
  try {
    for (let k = 0; k < helpers; k++) {
      const w = new Worker(new URL('./tsne-helper.worker.ts', import.meta.url), {
        type: 'module',
        name: `simlab-tsne-helper-${k + 1}`,
      });
      workers.push(w);
    }
    await Promise.all(
      workers.map(
        (w, k) =>
          new Promise<void>((resolve, reject) => {
            w.onmessage = (e: MessageEvent) => {
              if (e.data === 'ready') resolve();
            };
            w.onerror = (e) => reject(new Error(`t-SNE helper ${k + 1} failed: ${e.message}`));
            w.postMessage({ type: 'init', control, part: k + 1 });
          }),
      ),
    );
  } catch (e) {
    for (const w of workers) w.terminate();
    console.warn('t-SNE runs on one thread:', e);
    return null;
  }
  const waitFor = (index: number, target: number, timeoutMs = Infinity) => {
    const t0 = performance.now();
    let v: number;
    while ((v = Atomics.load(control, index)) < target) {
      const left = timeoutMs - (performance.now() - t0);
      if (left <= 0) throw new Error('t-SNE helper threads did not answer');
      Atomics.wait(control, index, v, Math.min(left, 1e9));
    }
  };
  return {
    size: helpers + 1,
    f64: (len) => new Float64Array(new SharedArrayBuffer(8 * Math.max(1, len)), 0, len),
    i32: (len) => new Int32Array(new SharedArrayBuffer(4 * Math.max(1, len)), 0, len),
    start(shared: object) {
      Atomics.store(control, READY, 0);
      Atomics.store(control, FAILED, 0);
      for (const w of workers) w.postMessage({ type: 'start', shared });
      waitFor(READY, helpers, START_TIMEOUT_MS);
    },
    run(phase, local) {
      Atomics.store(control, PHASE, phase);
      Atomics.store(control, DONE, 0);
      Atomics.add(control, GEN, 1);
      Atomics.notify(control, GEN);
      local();
      waitFor(DONE, helpers);
      if (Atomics.load(control, FAILED) > 0) throw new Error('a t-SNE helper thread failed');
    },
    end() {
      Atomics.store(control, PHASE, END_PHASE);
      Atomics.add(control, GEN, 1);
      Atomics.notify(control, GEN);
    },
    terminate() {
      for (const w of workers) w.terminate();
    },
  };
}

/**
 * The thread pool the t-SNE gradients run their phases on (tsne-parallel.ts,
 * tsne-parallel-bh.ts). The worker layer provides one on Web Workers over SharedArrayBuffer
 * (src/worker/eval/tsne-threads.ts); sequentialPool (tsne-parallel.ts) runs every part on the
 * calling thread.
 */
/** Shared-memory threads that run the phases of one t-SNE (provided by the worker layer). */
export interface TsneThreadPool {
  /** Parts per phase: the calling thread plus the helpers (≥ 1). */
  readonly size: number;
  /** Arrays every thread can see (SharedArrayBuffer-backed in the browser). */
  f64(length: number): Float64Array;
  i32(length: number): Int32Array;
  /**
   * Hands the shared state of one t-SNE (tsne-parallel.ts's TsneShared or TsneSharedBh, which
   * the helpers pass to createTsnePhases) to the helpers; returns once they hold it.
   */
  start(shared: object): void;
  /** Runs `phase` on every helper (part k on helper k) while `local` runs part 0; blocks until all are done. */
  run(phase: number, local: () => void): void;
  /** Releases the helpers from the current t-SNE (they drop its state). */
  end(): void;
}

/**
 * The embedding explorer's worker (t-SNE / PCA / UMAP), separate from the engine so training can go
 * on. Large t-SNE maps do their PCA and exact neighbour search on tfjs wasm (SIMD, threads when the
 * page is cross-origin isolated), loaded on first use; everything else is plain JS.
 */
import * as Comlink from 'comlink';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import { createProjector, type TsnePrepare } from './eval/projector';
import { createTsneThreadPool, type WorkerTsnePool } from './eval/tsne-threads';

let backend: Promise<boolean> | null = null;

const prepare: TsnePrepare = async (x, n, d, k) => {
  const [{ initBackend }, { prepareTsneInput }] = await Promise.all([
    import('../ml/backend'),
    import('../ml/eval/tsne-prepare'),
  ]);
  backend ??= initBackend({
    force: 'wasm',
    wasmPaths: {
      'tfjs-backend-wasm.wasm': wasmUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
    },
    // Half the cores: the engine worker may be training at the same time.
    wasmThreads: Math.max(1, Math.floor((navigator.hardwareConcurrency || 2) / 2)),
  }).then(
    () => true,
    (e: unknown) => {
      console.warn('t-SNE set-up falls back to plain JS:', e);
      return false;
    },
  );
  return (await backend) ? prepareTsneInput(x, n, d, k) : null;
};

// Helper threads for the t-SNE gradient: all cores but this one (at most 3 helpers), made once;
// `?threads=0` on this worker's URL turns them off (bench/tsne.bench.ts --no-threads).
const helpers = new URLSearchParams(self.location.search).get('threads') === '0' ? 0 : 3;
let pool: Promise<WorkerTsnePool | null> | null = null;
const threads = () =>
  (pool ??= createTsneThreadPool(Math.min(helpers, (navigator.hardwareConcurrency || 2) - 1)));

Comlink.expose(createProjector({ prepare, threads }));

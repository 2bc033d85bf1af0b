/**
 * Weighted kNN time (issue: evaluate, benchmark): 10,000 queries against a 50,000-row labelled bank
 * (k = 200, T = 0.1, cosine), in the app's engine worker in headless Chromium (engine.benchKnn →
 * worker/bench-eval.ts → ml/eval/knn.ts) on the wasm backend (no GPU here; webgpu where present);
 * `--node` runs the same knnClassify in Node on tfjs wasm (one thread). Anchor: the same backend's
 * 1024³ matmul GFLOP/s measured in the same page (or Node process) just before and just after the
 * kNN, averaged (the machine's load drifts during a minutes-long run; both are in the note); the
 * ratio is the kNN's achieved GFLOP/s (2 · queries · bank · dim flops of similarities) over it.
 *
 *   node --import tsx bench/knn.bench.ts [bank queries dim] [--backend wasm|webgpu] [--node]
 */
import { newPage, openApp } from '../tests/e2e/browser';
import { startApp } from './browser';
import { emit } from './lib';

const args = process.argv.slice(2);
const bIdx = args.indexOf('--backend');
const backend = bIdx >= 0 ? args[bIdx + 1] : 'wasm';
const nums = args.filter((a) => /^\d+$/.test(a)).map(Number);
const [bank, queries, dim] = [nums[0] ?? 50000, nums[1] ?? 10000, nums[2] ?? 512];
const classes = 10;
const size = `${queries.toLocaleString('en-US')} queries × ${bank.toLocaleString('en-US')} bank × ${dim}`;
const MATMUL = { n: 1024, repeats: 5 };

type Knn = { backend: string; seconds: number; accuracy: number };

function report(where: string, r: Knn, mm: [number, number], note: string): void {
  const gflops = (2 * queries * bank * dim) / r.seconds / 1e9;
  const matmulGflops = (mm[0] + mm[1]) / 2;
  emit({
    figure: 'kNN classify (k = 200)',
    backend: `${where} ${r.backend}`,
    size,
    median: r.seconds,
    unit: 's',
    runs: 1,
    anchor: { name: `matmul ${MATMUL.n}³`, value: +matmulGflops.toFixed(2), unit: 'GFLOP/s' },
    ratio: +(gflops / matmulGflops).toFixed(3),
    note: `${gflops.toFixed(1)} GFLOP/s achieved (ratio = that / matmul; matmul before ${mm[0].toFixed(1)}, after ${mm[1].toFixed(1)}); ${note}`,
  });
}

if (args.includes('--node')) {
  const tf = await import('@tensorflow/tfjs');
  const { useWasmBackend } = await import('../src/ml/node-backend.testing');
  const { benchKnn } = await import('../src/worker/bench-eval');
  const { matmulGflops } = await import('../src/worker/augment-preview');
  await useWasmBackend();
  const before = tf.memory().numTensors;
  const mm0 = await matmulGflops(MATMUL.n, MATMUL.repeats);
  const r = await benchKnn({ bank, queries, dim, classes });
  const mm1 = await matmulGflops(MATMUL.n, MATMUL.repeats);
  report(
    'node',
    r,
    [mm0, mm1],
    `top-1 ${r.accuracy.toFixed(4)}; leaked tensors ${tf.memory().numTensors - before}`,
  );
} else {
  const app = await startApp();
  try {
    const { context, page } = await newPage(app.browser);
    const active = await openApp(page, app.served.url, `?backend=${backend}`);
    const r = await page.evaluate(
      async (o) => {
        const engine = (
          window as unknown as {
            __simlab: {
              engine: {
                benchKnn(o: unknown): Promise<Knn>;
                benchMatmul(o: unknown): Promise<{ gflops: number }>;
              };
            };
          }
        ).__simlab.engine;
        const mm0 = await engine.benchMatmul(o.matmul);
        const knn = await engine.benchKnn(o.knn);
        const mm1 = await engine.benchMatmul(o.matmul);
        return { knn, gflops: [mm0.gflops, mm1.gflops] as [number, number] };
      },
      { knn: { bank, queries, dim, classes }, matmul: MATMUL },
    );
    report(
      'chromium',
      { ...r.knn, backend: active },
      r.gflops,
      `engine worker; top-1 ${r.knn.accuracy.toFixed(4)} on 10 Gaussian classes`,
    );
    await context.close();
  } finally {
    await app.close();
  }
}

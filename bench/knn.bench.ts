/**
 * Weighted kNN time (issue: evaluate, benchmark): 10,000 queries against a 50,000-row labelled bank
 * (k = 200, T = 0.1, cosine), in the app's engine worker in headless Chromium (engine.benchKnn →
 * worker/bench-eval.ts → ml/eval/knn.ts) on the wasm backend (no GPU here; webgpu where present);
 * `--node` runs the same knnClassify in Node on tfjs wasm.
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

if (args.includes('--node')) {
  const tf = await import('@tensorflow/tfjs');
  const { useWasmBackend } = await import('../src/ml/node-backend.testing');
  const { benchKnn } = await import('../src/worker/bench-eval');
  await useWasmBackend();
  const before = tf.memory().numTensors;
  const r = await benchKnn({ bank, queries, dim, classes });
  emit({
    figure: 'kNN classify (k = 200)',
    backend: `node ${r.backend}`,
    size,
    median: r.seconds,
    unit: 's',
    runs: 1,
    note: `top-1 ${r.accuracy.toFixed(4)}; leaked tensors ${tf.memory().numTensors - before}`,
  });
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
                benchKnn(
                  o: unknown,
                ): Promise<{ backend: string; seconds: number; accuracy: number }>;
              };
            };
          }
        ).__simlab.engine;
        return engine.benchKnn(o);
      },
      { bank, queries, dim, classes },
    );
    emit({
      figure: 'kNN classify (k = 200)',
      backend: `chromium ${active}`,
      size,
      median: r.seconds,
      unit: 's',
      runs: 1,
      note: `engine worker; top-1 ${r.accuracy.toFixed(4)} on 10 Gaussian classes`,
    });
    await context.close();
  } finally {
    await app.close();
  }
}

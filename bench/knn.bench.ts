/**
 * Weighted kNN benchmark on the tfjs wasm backend in Node (the worker uses webgpu where present):
 * a bank of labelled random embeddings against a query set, k = 200, T = 0.1.
 *
 *   node --import tsx bench/knn.bench.ts [bank queries dim] [--backend wasm|cpu]
 *
 * Defaults: 50,000 × 10,000 × 128 (the size the evaluate panel targets).
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createRng } from '../src/ml/rng';
import { knnClassify } from '../src/ml/eval/knn';

const args = process.argv.slice(2);
const bIdx = args.indexOf('--backend');
const backend = bIdx >= 0 ? args[bIdx + 1] : 'wasm';
const nums = args.filter((a) => /^\d+$/.test(a)).map(Number);
const [nBank, nQuery, dim] = [nums[0] ?? 50000, nums[1] ?? 10000, nums[2] ?? 128];
const classes = 10;

await tf.setBackend(backend);
await tf.ready();

const rng = createRng(1);
const centres = Float32Array.from({ length: classes * dim }, () => rng.normal());
function draw(n: number): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(n * dim), y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(classes);
    for (let j = 0; j < dim; j++) x[i * dim + j] = centres[y[i] * dim + j] + 2 * rng.normal();
  }
  return { x, y };
}
const bank = draw(nBank), query = draw(nQuery);
const bankT = tf.tensor2d(bank.x, [nBank, dim]), queryT = tf.tensor2d(query.x, [nQuery, dim]);

const rows: string[] = [];
for (const [qc, bc] of [[1024, 16384], [2048, 65536]]) {
  const before = tf.memory().numTensors;
  const t0 = performance.now();
  const r = await knnClassify(bankT, bank.y, queryT, query.y, { k: 200, temperature: 0.1, queryChunk: qc, bankChunk: bc });
  const s = (performance.now() - t0) / 1000;
  rows.push(`| ${backend} | ${nBank} | ${nQuery} | ${dim} | ${qc} | ${bc} | ${s.toFixed(1)} | ${r.accuracy?.toFixed(4)} | ${tf.memory().numTensors - before} |`);
}
console.log('| backend | bank | queries | dim | query chunk | bank chunk | seconds | top-1 acc | leaked tensors |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
tf.dispose([bankT, queryT]);

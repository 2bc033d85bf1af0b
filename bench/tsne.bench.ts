/**
 * t-SNE benchmark: n points of 10 Gaussian clusters in 512-d (centres N(0, 1) per dimension,
 * unit-variance noise — the same recipe as `tests/reference/eval_reference.py --bench`, which
 * times sklearn on it). Prints wall and CPU seconds per phase.
 *
 *   node --import tsx bench/tsne.bench.ts [n ...] [--iter 1000] [--trust]
 *
 * --trust also computes trustworthiness (k = 10) against the 512-d input (O(n² · 512), slow).
 */
import { createRng } from '../src/ml/rng';
import { Tsne } from '../src/ml/eval/tsne';
import { trustworthiness } from '../src/ml/eval/trustworthiness';

function gaussianClusters(n: number, dim: number, clusters: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const centres = Float64Array.from({ length: clusters * dim }, () => rng.normal());
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = i % clusters;
    for (let j = 0; j < dim; j++) x[i * dim + j] = centres[c * dim + j] + rng.normal();
  }
  return x;
}

const args = process.argv.slice(2);
const iterArg = args.indexOf('--iter');
const nIter = iterArg >= 0 ? Number(args[iterArg + 1]) : 1000;
const withTrust = args.includes('--trust');
const sizes = args.filter((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--iter').map(Number);
const dim = 512;

const rows: string[] = [];
for (const n of sizes.length > 0 ? sizes : [2000, 10000]) {
  const x = gaussianClusters(n, dim, 10, n);
  const wall0 = performance.now(), cpu0 = process.cpuUsage();
  const t = new Tsne(x, n, dim, { nIter, method: 'barnes-hut' });
  const setupWall = performance.now() - wall0;
  const opt0 = performance.now();
  const s = t.run();
  const optWall = performance.now() - opt0;
  const cpu = process.cpuUsage(cpu0);
  const total = (performance.now() - wall0) / 1000;
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const tw = withTrust ? trustworthiness(x, dim, t.embedding, 2, 10).toFixed(4) : '-';
  rows.push(
    `| ${n} | ${s.iteration} | ${total.toFixed(1)} | ${cpuS.toFixed(1)} | ${(t.setupMs.pca / 1000).toFixed(1)} | ` +
      `${(t.setupMs.neighbours / 1000).toFixed(1)} | ${(t.setupMs.affinities / 1000).toFixed(1)} | ` +
      `${(optWall / 1000).toFixed(1)} | ${s.klDivergence.toFixed(3)} | ${tw} |`,
  );
  console.error(`n=${n} done in ${total.toFixed(1)} s (setup ${(setupWall / 1000).toFixed(1)} s)`);
}
console.log('| n | iters | wall s | cpu s | pca s | knn s | P s | optimise s | KL | trust@10 |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);

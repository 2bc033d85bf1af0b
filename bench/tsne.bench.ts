/**
 * t-SNE benchmark (issue: evaluate, benchmark): 1,000 iterations on n points of 10 Gaussian
 * clusters in 512-d (centres N(0, 1) per dimension, unit-variance noise — the recipe of
 * `tests/reference/eval_reference.py --bench`, which times sklearn 1.2 TSNE on it), beside sklearn's
 * time read from tests/reference/fixtures/eval_bench.json (measured on this machine; rerun that
 * script with /usr/bin/python3 to refresh it).
 *
 * Default: headless Chromium, through the built app's own explorer worker (the tsne.worker asset
 * of the build, driven with comlink exactly as the Evaluate panel's projector client does; the page
 * exposes no projector, so the bench creates the worker itself). Reports wall seconds, the CPU
 * seconds of the whole Chromium process tree, the set-up phases and ms per iteration before and
 * after the early-exaggeration stage, the first-layout latency, the final KL, and trustworthiness
 * (k = 10) of the final layout on a seeded subsample of 2,000 points (all points up to 2,000),
 * computed in Node on the same input (the page's generator is mirrored by pageClusters). The
 * explorer worker runs the gradient on helper threads when the page is cross-origin isolated
 * (it is here): all cores but one.
 *
 *   npm run bench -- tsne                                  # 2k, 10k, 50k in Chromium
 *   node --import tsx bench/tsne.bench.ts 2000 10000 [--iter 1000] [--no-threads]
 *   node --import tsx bench/tsne.bench.ts --node 10000 [--trust]   # plain JS in Node (profiling)
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRng } from '../src/ml/rng';
import { Tsne } from '../src/ml/eval/tsne';
import { trustworthiness } from '../src/ml/eval/trustworthiness';
import { newPage, openApp } from '../tests/e2e/browser';
import { startApp } from './browser';
import { emit } from './lib';

const args = process.argv.slice(2);
const iterArg = args.indexOf('--iter');
const nIter = iterArg >= 0 ? Number(args[iterArg + 1]) : 1000;
const sizes = args.filter((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--iter').map(Number);
const dim = 512;
/** --no-threads: the explorer worker without its gradient helper threads (for the ratio). */
const noThreads = args.includes('--no-threads');
const root = resolve(import.meta.dirname, '..');

interface SklearnRun {
  n: number;
  seconds: number;
  cpu_seconds: number;
  kl_divergence: number;
  trustworthiness: number;
}
function sklearnRuns(): { runs: SklearnRun[]; load: number } {
  const p = resolve(root, 'tests/reference/fixtures/eval_bench.json');
  if (!existsSync(p)) return { runs: [], load: NaN };
  const j = JSON.parse(readFileSync(p, 'utf8')) as {
    runs: SklearnRun[];
    load_average_at_start: number;
  };
  return { runs: j.runs, load: j.load_average_at_start };
}

/** CPU seconds (user + system) of this process's descendants (Chromium and its helpers). */
function childCpuSeconds(): number {
  const parent = new Map<number, number>(),
    ticks = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(d), Number(f[1]));
      ticks.set(Number(d), Number(f[11]) + Number(f[12]));
    } catch {
      // the process ended while we read
    }
  }
  let sum = 0;
  for (const [pid, t] of ticks) {
    let p = parent.get(pid);
    while (p !== undefined && p !== process.pid && p > 1) p = parent.get(p);
    if (p === process.pid) sum += t;
  }
  return sum / 100;
}

function gaussianClusters(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const centres = Float64Array.from({ length: 10 * dim }, () => rng.normal());
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = i % 10;
    for (let j = 0; j < dim; j++) x[i * dim + j] = centres[c * dim + j] + rng.normal();
  }
  return x;
}

function runNode(list: number[]): void {
  const withTrust = args.includes('--trust');
  for (const n of list) {
    const x = gaussianClusters(n, n);
    const wall0 = performance.now(),
      cpu0 = process.cpuUsage();
    const t = new Tsne(x, n, dim, { nIter });
    const opt0 = performance.now();
    const s = t.run();
    const optS = (performance.now() - opt0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const wall = (performance.now() - wall0) / 1000;
    const tw = withTrust ? trustworthiness(x, dim, t.embedding, 2, 10).toFixed(4) : '-';
    emit({
      figure: `t-SNE ${s.iteration} iterations (plain JS)`,
      backend: 'node',
      size: `${n} × ${dim}`,
      median: wall,
      unit: 's',
      runs: 1,
      note: `cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; pca ${(t.setupMs.pca / 1000).toFixed(1)} s, knn ${(t.setupMs.neighbours / 1000).toFixed(1)} s, P ${(t.setupMs.affinities / 1000).toFixed(1)} s, optimise ${optS.toFixed(1)} s; KL ${s.klDivergence.toFixed(3)}; trust@10 ${tw}`,
    });
  }
}

/** The page's seeded 10-cluster data (mulberry32 seeded with n, Box-Muller), made again in Node. */
function pageClusters(n: number): Float32Array {
  let s = n >>> 0;
  const uni = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uni())) * Math.cos(2 * Math.PI * uni());
  const centres = Float64Array.from({ length: 10 * dim }, normal);
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < dim; j++) x[i * dim + j] = centres[(i % 10) * dim + j] + normal();
  return x;
}

/** Trustworthiness (k = 10) of layout xy [n × 2] of x on a seeded subsample of ≤ 2,000 points. */
function subsampleTrust(x: Float32Array, xy: ArrayLike<number>, n: number): number {
  const m = Math.min(n, 2000);
  const idx = createRng(7)
    .shuffle(Array.from({ length: n }, (_, i) => i))
    .slice(0, m);
  const xs = new Float64Array(m * dim),
    ys = new Float64Array(2 * m);
  idx.forEach((i, r) => {
    for (let j = 0; j < dim; j++) xs[r * dim + j] = x[i * dim + j];
    ys[2 * r] = xy[2 * i];
    ys[2 * r + 1] = xy[2 * i + 1];
  });
  return trustworthiness(xs, dim, ys, 2, 10);
}

interface PageResult {
  totalMs: number;
  firstLayoutMs: number;
  /** [iteration, ms since start] per posted layout. */
  marks: [number, number][];
  iteration: number;
  kl: number;
  setupMs: { pca: number; neighbours: number; affinities: number } | null;
  xy: number[];
  threads: number;
}

async function runBrowser(list: number[]): Promise<void> {
  const app = await startApp();
  const dist = process.env.SIMLAB_DIST ? resolve(process.env.SIMLAB_DIST) : resolve(root, 'dist');
  const workerFile = readdirSync(resolve(dist, 'assets')).find((f) =>
    /^tsne\.worker-.*\.js$/.test(f),
  );
  if (!workerFile) throw new Error(`no tsne.worker-*.js in ${dist}/assets`);
  const sk = sklearnRuns();
  try {
    for (const n of list) {
      const { context, page } = await newPage(app.browser);
      await page.route('**/__bench/comlink.mjs', (r) =>
        r.fulfill({
          path: resolve(root, 'node_modules/comlink/dist/esm/comlink.mjs'),
          contentType: 'text/javascript',
        }),
      );
      // tsx compiles with keepNames, which wraps the evaluated function's inner functions in __name().
      await page.addInitScript('globalThis.__name = (f) => f');
      await openApp(page, app.served.url, '?backend=wasm');
      const cpu0 = childCpuSeconds(),
        wall0 = performance.now();
      const r = await page.evaluate(
        async ({ n, dim, nIter, workerUrl, noThreads }) => {
          const Comlink = await import(/* @vite-ignore */ `${location.origin}/__bench/comlink.mjs`);
          // Seeded 10-cluster data (mulberry32 + Box-Muller), made in the page.
          let s = n >>> 0;
          const uni = () => {
            s = (s + 0x6d2b79f5) >>> 0;
            let t = s;
            t = Math.imul(t ^ (t >>> 15), t | 1);
            t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
            return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
          };
          const normal = () => Math.sqrt(-2 * Math.log(1 - uni())) * Math.cos(2 * Math.PI * uni());
          const centres = Float64Array.from({ length: 10 * dim }, normal);
          const x = new Float32Array(n * dim);
          for (let i = 0; i < n; i++)
            for (let j = 0; j < dim; j++) x[i * dim + j] = centres[(i % 10) * dim + j] + normal();
          const worker = new Worker(workerUrl, { type: 'module', name: 'simlab-tsne' });
          const p = Comlink.wrap(worker);
          await p.load(Comlink.transfer(x, [x.buffer]), n, dim);
          const marks: [number, number][] = [];
          const t0 = performance.now();
          const last = await p.tsne(
            { perplexity: 30, learningRate: 'auto', iterations: nIter, every: 50, seed: 0 },
            Comlink.proxy((l: { iteration: number }) => {
              marks.push([l.iteration, performance.now() - t0]);
            }),
          );
          const totalMs = performance.now() - t0;
          worker.terminate();
          return {
            totalMs,
            firstLayoutMs: marks[0]?.[1] ?? NaN,
            marks,
            iteration: last.iteration,
            kl: last.kl,
            setupMs: last.setupMs ?? null,
            xy: Array.from(last.xy as Float32Array),
            threads: noThreads
              ? 1
              : crossOriginIsolated
                ? Math.min(4, Math.max(1, navigator.hardwareConcurrency))
                : 1,
          } as PageResult;
        },
        {
          n,
          dim,
          nIter,
          workerUrl: `${app.served.url}/assets/${workerFile}${noThreads ? '?threads=0' : ''}`,
          noThreads,
        },
      );
      const cpu = childCpuSeconds() - cpu0;
      const wall = (performance.now() - wall0) / 1000;
      const msPerIter = (from: number, to: number) => {
        const a = r.marks.find((m) => m[0] === from),
          b = r.marks.find((m) => m[0] === to);
        return a && b ? ((b[1] - a[1]) / (to - from)).toFixed(0) : '-';
      };
      const su = r.setupMs;
      const tw = subsampleTrust(pageClusters(n), r.xy, n);
      const ref = sk.runs.find((q) => q.n === n);
      const secs = r.totalMs / 1000;
      emit({
        figure: `t-SNE ${r.iteration} iterations (explorer worker)`,
        backend: 'chromium wasm+JS',
        size: `${n.toLocaleString('en-US')} × ${dim}`,
        median: secs,
        unit: 's',
        runs: 1,
        anchor: ref ? { name: 'sklearn 1.2 TSNE', value: ref.seconds, unit: 's' } : null,
        ratio: ref ? ref.seconds / secs : null,
        note:
          `Chromium CPU ${cpu.toFixed(1)} s over ${wall.toFixed(1)} s wall; ` +
          (su
            ? `set-up: PCA ${(su.pca / 1000).toFixed(1)} s, kNN ${(su.neighbours / 1000).toFixed(1)} s, P ${(su.affinities / 1000).toFixed(1)} s; `
            : '') +
          `first layout ${(r.firstLayoutMs / 1000).toFixed(1)} s; ms/iter ${msPerIter(50, 250)} (exaggeration) / ${msPerIter(250, r.iteration)} (after); ` +
          `KL ${r.kl.toFixed(3)}; trust@10 ${tw.toFixed(4)} on ${Math.min(n, 2000)} points; ` +
          `gradient threads ${r.threads}` +
          (ref
            ? `; sklearn (same recipe, another draw): KL ${ref.kl_divergence.toFixed(3)}, ${ref.cpu_seconds.toFixed(0)} CPU s, load ${sk.load.toFixed(0)} at its start`
            : '; sklearn: not measured at this size'),
      });
      await context.close();
    }
  } finally {
    await app.close();
  }
}

const list = sizes.length > 0 ? sizes : [2000, 10000, 50000];
if (args.includes('--node')) runNode(list);
else await runBrowser(list);

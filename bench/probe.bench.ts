/**
 * Linear-probe time (issue 16): 5,000 training embeddings × 512 (+ 1,000 test), 10 classes, the
 * probe's L-BFGS to convergence at C = 1 (ml/eval/linear-probe.ts), beside sklearn's
 * LogisticRegression(C=1, lbfgs, max_iter=1000) + StandardScaler timed in the same run
 * (tests/reference/probe_reference.py --time…, when /usr/bin/python3 has sklearn). Three rows:
 *  - Gaussian classes (worker/bench-eval.ts's recipe) in the app's engine worker in headless
 *    Chromium (engine.benchProbe);
 *  - the same recipe in Node on wasm;
 *  - hard data in Node on wasm: a random-init ConvNet (width 64 → 512-d) on cifar10-png
 *    (500 train / 100 test per class), not linearly separable. Its embeddings are computed once by
 *    tests/reference/probe_embeddings.ts into the OS temp folder and reused; sklearn reads the
 *    same file.
 *
 *   node --import tsx bench/probe.bench.ts [--max-iterations 1000] [--backend wasm] [--no-browser]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newPage, openApp } from '../tests/e2e/browser';
import { useWasmBackend } from '../src/ml/node-backend.testing';
import { trainLinearProbe } from '../src/ml/eval/linear-probe';
import { createRng } from '../src/ml/rng';
import { startApp } from './browser';
import { emit } from './lib';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const maxIterations = Number(opt('max-iterations', '1000'));
const backend = opt('backend', 'wasm');
const o = { train: 5000, test: 1000, dim: 512, classes: 10, maxIterations };
const size = `${o.train.toLocaleString('en-US')} × ${o.dim} (+${o.test.toLocaleString('en-US')} test), ${o.classes} classes`;
const repo = path.resolve(import.meta.dirname, '..');
const script = path.join(repo, 'tests/reference/probe_reference.py');

interface Sk {
  seconds: number;
  cpu_seconds: number;
  n_iter: number;
  test_accuracy: number;
  objective: number;
}

function sklearn(args: string[]): Sk | null {
  if (!existsSync('/usr/bin/python3')) return null;
  const r = spawnSync('/usr/bin/python3', [script, ...args], {
    encoding: 'utf8',
    timeout: 900_000,
  });
  if (r.status !== 0) {
    console.error(r.stderr);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? 'null') as Sk;
}

function row(
  figure: string,
  where: string,
  r: {
    seconds: number;
    cpuSeconds?: number;
    testAccuracy: number;
    iterations: number;
    evaluations: number;
    loss: number;
  },
  sk: Sk | null,
) {
  emit({
    figure,
    backend: where,
    size,
    median: r.seconds,
    unit: 's',
    runs: 1,
    anchor:
      sk === null
        ? null
        : { name: 'sklearn LogisticRegression (lbfgs)', value: sk.seconds, unit: 's' },
    ratio: sk === null ? null : sk.seconds / r.seconds,
    note:
      `${r.iterations} iterations / ${r.evaluations} passes, objective ${r.loss.toFixed(6)}, test ${r.testAccuracy.toFixed(4)}` +
      (r.cpuSeconds !== undefined ? `, cpu ${r.cpuSeconds.toFixed(2)} s` : '') +
      (sk
        ? `; sklearn ${sk.n_iter} iterations, objective ${sk.objective.toFixed(6)}, test ${sk.test_accuracy.toFixed(4)}, cpu ${sk.cpu_seconds.toFixed(2)} s (all threads)`
        : ''),
  });
}

/** worker/bench-eval.ts's Gaussian classes (same generator, same draws). */
function gaussianClasses(seed: number, n: number): { x: Float32Array; y: Int32Array } {
  const centreRng = createRng(1000 + o.classes);
  const centres = Float32Array.from({ length: o.classes * o.dim }, () => centreRng.normal());
  const rng = createRng(seed);
  const x = new Float32Array(n * o.dim),
    y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(o.classes);
    for (let j = 0; j < o.dim; j++) x[i * o.dim + j] = centres[y[i] * o.dim + j] + 4 * rng.normal();
  }
  return { x, y };
}

async function nodeProbe(x: Float32Array, y: Int32Array) {
  const d = o.dim;
  // CPU time beside wall time: on a loaded machine it is close to what the fit takes alone.
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await trainLinearProbe(
    { x: x.subarray(0, o.train * d), y: y.subarray(0, o.train) },
    { x: x.subarray(o.train * d), y: y.subarray(o.train) },
    d,
    o.classes,
    { maxIterations },
  );
  const cpu = process.cpuUsage(cpu0);
  return {
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    testAccuracy: r.testAccuracy,
    iterations: r.probe.iterations,
    evaluations: r.probe.evaluations,
    loss: r.probe.loss,
  };
}

/** Random-init ConvNet embeddings of cifar10-png (probe_embeddings.ts), cached in the temp folder. */
function hardEmbeddings(): { x: Float32Array; y: Int32Array; file: string } | null {
  const file = path.join(tmpdir(), 'simlab-probe-bench-cifar10-convnet64.bin');
  if (!existsSync(file)) {
    console.error(`computing random-init ConvNet embeddings of cifar10-png into ${file} …`);
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(repo, 'tests/reference/probe_embeddings.ts'),
        '--train-per-class',
        '500',
        '--width',
        '64',
        '--out',
        file,
      ],
      { stdio: 'inherit', timeout: 1_800_000 },
    );
    if (r.status !== 0) return null;
  }
  const raw = readFileSync(file);
  const buf = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
  const [nTrain, nTest, dim] = new Int32Array(buf, 0, 4);
  if (nTrain !== o.train || nTest !== o.test || dim !== o.dim) return null;
  const n = nTrain + nTest;
  const half = new Uint16Array(buf, 16 + 4 * n, n * dim);
  const x = new Float32Array(n * dim);
  for (let i = 0; i < x.length; i++) {
    const h = half[i],
      s = h & 0x8000 ? -1 : 1,
      e = (h >> 10) & 0x1f,
      m = h & 0x3ff;
    x[i] = e === 0 ? s * m * 2 ** -24 : s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return { x, y: new Int32Array(buf, 16, n), file };
}

const skGaussian = sklearn([
  '--time-gaussian',
  String(o.train),
  String(o.test),
  String(o.dim),
  String(o.classes),
]);
if (!args.includes('--no-browser')) {
  const app = await startApp();
  try {
    const { context, page } = await newPage(app.browser);
    const active = await openApp(page, app.served.url, `?backend=${backend}`);
    const r = await page.evaluate(async (o) => {
      const engine = (
        window as unknown as {
          __simlab: {
            engine: {
              benchProbe(o: unknown): Promise<{
                backend: string;
                seconds: number;
                testAccuracy: number;
                iterations: number;
                evaluations: number;
                loss: number;
              }>;
            };
          };
        }
      ).__simlab.engine;
      return engine.benchProbe(o);
    }, o);
    await context.close();
    row('linear probe, Gaussian classes (L-BFGS, C 1)', `chromium ${active}`, r, skGaussian);
  } finally {
    await app.close();
  }
}

await useWasmBackend();
{
  // Warm-up (wasm kernels, JIT) on a small slice, so the rows time the steady state as sklearn's
  // (its interpreter start and imports are not timed either).
  const w = gaussianClasses(5, 300);
  await trainLinearProbe(
    { x: w.x.subarray(0, 200 * o.dim), y: w.y.subarray(0, 200) },
    { x: w.x.subarray(200 * o.dim), y: w.y.subarray(200) },
    o.dim,
    o.classes,
    { maxIterations: 5 },
  );
}
{
  const g = gaussianClasses(3, o.train + o.test);
  const r = await nodeProbe(g.x, g.y);
  row('linear probe, Gaussian classes (L-BFGS, C 1)', 'node wasm', r, skGaussian);
}
const hard = hardEmbeddings();
if (hard) {
  const r = await nodeProbe(hard.x, hard.y);
  const sk = sklearn(['--time', hard.file]);
  row('linear probe, random-init ConvNet on cifar10 (L-BFGS, C 1)', 'node wasm', r, sk);
} else console.error('cifar10-png embeddings unavailable: hard row skipped');

/**
 * Per-kernel profile of one training step on the wasm backend in Node (issue 16): wraps tfjs'
 * engine.runKernelFunc to time every kernel call, and reports SELF time per kernel (time inside
 * nested kernel calls — simlab's composed kernels call tf ops — goes to the nested kernel, listed as
 * `Outer/Inner`, e.g. Conv2DBackpropFilter/Conv2D), summed over `--reps` steps after one warm-up,
 * plus the share of the step spent inside kernels at all (the rest: tape bookkeeping, layer glue).
 * wasm kernels run synchronously, so wall time per call is its cost.
 *
 *   node --import tsx bench/train-profile.ts [--model convnet|resnet18-w16|resnet18-w64] [--method simclr] [--batch 32] [--reps 2] [--top 25]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../src/ml/kernels/wasm/register';
import { createMethod } from '../src/ml/methods/create-method';
import type { MethodBatch, MethodName } from '../src/ml/methods/method';
import { createBackbone, type BackboneConfigInput } from '../src/ml/models/backbones';
import { createOptimizer } from '../src/ml/optim/optimizers';
import { createRng } from '../src/ml/rng';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

const MODELS: Record<string, BackboneConfigInput> = {
  convnet: { name: 'convnet', inputSize: 32, width: 32 },
  'resnet18-w16': { name: 'resnet18', inputSize: 32, width: 16, stem: 'cifar' },
  'resnet18-w64': { name: 'resnet18', inputSize: 32, width: 64, stem: 'cifar' },
};
const model = arg('model', 'convnet');
const method = arg('method', 'simclr') as MethodName;
const batch = Number(arg('batch', model === 'resnet18-w64' ? '16' : '64'));
const reps = Number(arg('reps', '2'));
const top = Number(arg('top', '25'));

interface Stat {
  calls: number;
  selfMs: number;
}

type KernelParams = { kernelName: string };
type EngineLike = { runKernelFunc(p: KernelParams): unknown };

/** Installs the timing wrapper; returns the per-kernel table and a switch. */
function instrument(): { stats: Map<string, Stat>; setOn(on: boolean): void } {
  const engine = tf.engine() as unknown as EngineLike;
  const inner = engine.runKernelFunc.bind(engine);
  const stats = new Map<string, Stat>();
  const childMs: number[] = [];
  const outer: string[] = [];
  let on = false;
  engine.runKernelFunc = (p: KernelParams) => {
    if (!on) return inner(p);
    const name = p.kernelName ?? '(unnamed)';
    const key = outer.length ? `${outer[0]}/${name}` : name;
    outer.push(name);
    childMs.push(0);
    const t0 = performance.now();
    try {
      return inner(p);
    } finally {
      const total = performance.now() - t0;
      const nested = childMs.pop()!;
      outer.pop();
      if (childMs.length) childMs[childMs.length - 1] += total;
      const s = stats.get(key) ?? { calls: 0, selfMs: 0 };
      s.calls++;
      s.selfMs += total - nested;
      stats.set(key, s);
    }
  };
  return { stats, setOn: (v) => (on = v) };
}

function images(n: number, rng: ReturnType<typeof createRng>): tf.Tensor4D {
  return tf.tensor4d(
    Float32Array.from({ length: n * 32 * 32 * 3 }, () => rng.normal()),
    [n, 32, 32, 3],
  );
}

await tf.setBackend('wasm');
await tf.ready();
registerWasmTrainingKernels();
const prof = instrument();
const bb = createBackbone(MODELS[model]);
const m = createMethod(bb.model, method === 'supervised' ? { method, numClasses: 10 } : { method });
const opt = createOptimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 });
const rng = createRng(1);
const b: MethodBatch =
  m.batchKind === 'labeled'
    ? {
        x: images(batch, rng),
        y: tf.tensor1d(
          Array.from({ length: batch }, (_, i) => i % 10),
          'int32',
        ),
      }
    : { v1: images(batch, rng), v2: images(batch, rng) };
let stepMs = 0;
for (let i = 0; i <= reps; i++) {
  const info = { step: i, totalSteps: reps + 1 };
  prof.setOn(i > 0);
  const t0 = performance.now();
  const r = m.step(b, opt, 0.01, info);
  m.afterStep(info);
  await r.loss.data();
  if (i > 0) stepMs += performance.now() - t0;
  prof.setOn(false);
  tf.dispose([r.loss, ...Object.values(r.extra)]);
}
const rows = [...prof.stats.entries()].sort((a, b) => b[1].selfMs - a[1].selfMs);
const kernelMs = rows.reduce((s, [, v]) => s + v.selfMs, 0);
console.log(
  `${method} ${model} b${batch}: ${(stepMs / reps).toFixed(0)} ms/step, ${((batch * reps) / (stepMs / 1000)).toFixed(2)} images/s; ` +
    `${((100 * kernelMs) / stepMs).toFixed(0)}% of the step inside kernels`,
);
console.log('kernel'.padEnd(50) + 'ms/step'.padStart(9) + 'calls'.padStart(7) + '  share');
for (const [name, s] of rows.slice(0, top)) {
  console.log(
    name.padEnd(50) +
      (s.selfMs / reps).toFixed(1).padStart(9) +
      String(s.calls / reps).padStart(7) +
      `  ${((100 * s.selfMs) / stepMs).toFixed(1)}%`,
  );
}
tf.dispose(Object.values(b) as tf.Tensor[]);
m.dispose();
opt.dispose();
bb.model.dispose();

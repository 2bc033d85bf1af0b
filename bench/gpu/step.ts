/**
 * The training step on a real GPU, outside a browser: tfjs + tfjs-backend-webgpu in Node on Dawn's
 * Node bindings (npm `webgpu`: dawn.node), with simlab's backend set-up (initBackend({force:
 * 'webgpu'}), so the same kernels register as in the app). Prints `BENCH {json}` rows: images/s
 * of one optimiser step per model (source images: a SimCLR step on 256 images processes 512
 * views), and the slowest kernels of one profiled step.
 *
 *   SIMLAB_DAWN=/path/to/dawn.node node .gpu/step.mjs [--models resnet18-w64-simclr-b256,...] [--reps 5] [--dawn-flags backend=vulkan]
 *
 * Bundled for the device machine by bench/gpu/prepare.sh (it has no Node modules); here it also
 * runs as `node --import tsx bench/gpu/step.ts` with SIMLAB_DAWN set. See bench/gpu/README.md.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/ml/backend';
import { createMethod } from '../../src/ml/methods/create-method';
import type { MethodBatch, MethodName } from '../../src/ml/methods/method';
import { createBackbone, type BackboneConfigInput } from '../../src/ml/models/backbones';
import { createOptimizer } from '../../src/ml/optim/optimizers';
import { createRng } from '../../src/ml/rng';
import { emit, median } from '../lib';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

interface StepSpec {
  method: MethodName;
  backbone: BackboneConfigInput;
  batch: number;
}
/** The steps, named like the profiler's rows. `tiny` checks the plumbing anywhere. */
const STEPS: Record<string, StepSpec> = {
  'resnet18-w64-simclr-b256': {
    method: 'simclr',
    backbone: { name: 'resnet18', width: 64, stem: 'cifar', inputSize: 32 },
    batch: 256,
  },
  'resnet18-w64-simclr-b64': {
    method: 'simclr',
    backbone: { name: 'resnet18', width: 64, stem: 'cifar', inputSize: 32 },
    batch: 64,
  },
  'convnet-w32-supervised-b128': {
    method: 'supervised',
    backbone: { name: 'convnet', width: 32, inputSize: 64 },
    batch: 128,
  },
  'mobilenetv3-simsiam-b128': {
    method: 'simsiam',
    backbone: { name: 'mobilenetv3-small', inputSize: 64 },
    batch: 128,
  },
  tiny: { method: 'simclr', backbone: { name: 'convnet', width: 4, inputSize: 16 }, batch: 4 },
};

/** Installs navigator.gpu from dawn.node (SIMLAB_DAWN) before tfjs looks for it. */
function installDawn(): void {
  const path = process.env['SIMLAB_DAWN'];
  if (!path) throw new Error('set SIMLAB_DAWN to the path of dawn.node (see bench/gpu/README.md)');
  const require = createRequire(import.meta.url);
  const dawn = require(path) as {
    create: (flags: string[]) => unknown;
    globals: Record<string, unknown>;
  };
  Object.assign(globalThis, dawn.globals);
  const flags = arg('dawn-flags', '').split(',').filter(Boolean);
  Object.defineProperty(globalThis, 'navigator', {
    value: { gpu: dawn.create(flags), userAgent: 'node', hardwareConcurrency: 1 },
    configurable: true,
  });
}

function images(n: number, size: number, rng: ReturnType<typeof createRng>): tf.Tensor4D {
  return tf.tidy(() =>
    tf.tensor4d(
      Float32Array.from({ length: n * size * size * 3 }, () => rng.normal()),
      [n, size, size, 3],
    ),
  );
}

async function run(name: string, spec: StepSpec, reps: number): Promise<void> {
  const bb = createBackbone(spec.backbone);
  const size = spec.backbone.inputSize as number;
  const m = createMethod(
    bb.model,
    spec.method === 'supervised'
      ? { method: 'supervised', numClasses: 10 }
      : { method: spec.method },
  );
  const opt = createOptimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 });
  const rng = createRng(1);
  const b: MethodBatch =
    m.batchKind === 'labeled'
      ? {
          x: images(spec.batch, size, rng),
          y: tf.tensor1d(
            Array.from({ length: spec.batch }, (_, i) => i % 10),
            'int32',
          ),
        }
      : { v1: images(spec.batch, size, rng), v2: images(spec.batch, size, rng) };
  const step = async (i: number) => {
    const info = { step: i, totalSteps: reps + 2 };
    const r = m.step(b, opt, 0.01, info);
    m.afterStep(info);
    const loss = (await r.loss.data())[0];
    tf.dispose([r.loss, ...Object.values(r.extra)]);
    return loss;
  };
  try {
    const t0 = performance.now();
    const first = await step(0); // compiles every pipeline
    console.error(`${name}: first step ${(performance.now() - t0).toFixed(0)} ms, loss ${first}`);
    const times: number[] = [];
    for (let i = 1; i <= reps; i++) {
      const s = performance.now();
      await step(i);
      times.push((performance.now() - s) / 1000);
    }
    const sec = median(times);
    emit({
      figure: `gpu train step ${name}`,
      backend: `webgpu (Node, Dawn)`,
      size: `b${spec.batch} ${size}px`,
      median: +(spec.batch / sec).toFixed(1),
      unit: 'images/s',
      runs: reps,
      anchor: null,
      ratio: null,
      note: `median step ${(sec * 1000).toFixed(1)} ms; ${tf.memory().numTensors} tensors`,
    });
    // One profiled step: the slowest kernels (GPU time where the adapter has timestamp queries).
    const prof = await tf.profile(async () => {
      await step(reps + 1);
    });
    const byKernel = new Map<string, number>();
    for (const k of prof.kernels) {
      const ms = Number(
        await (k as unknown as { kernelTimeMs: number | Promise<number> }).kernelTimeMs,
      );
      if (Number.isFinite(ms)) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + ms);
    }
    const top = [...byKernel].sort((a, b) => b[1] - a[1]).slice(0, 8);
    for (const [kernel, ms] of top)
      emit({
        figure: `gpu kernel ${kernel} ${name}`,
        backend: 'webgpu (Node, Dawn)',
        size: `b${spec.batch}`,
        median: +ms.toFixed(2),
        unit: 'ms/step',
        runs: 1,
        anchor: null,
        ratio: null,
        note: `${prof.kernels.filter((k) => k.name === kernel).length} calls`,
      });
  } finally {
    tf.dispose(Object.values(b) as tf.Tensor[]);
    m.dispose();
    opt.dispose();
    bb.model.dispose();
  }
}

async function main(): Promise<void> {
  installDawn();
  const report = await initBackend({ force: 'webgpu' });
  if (report.active !== 'webgpu')
    throw new Error(`webgpu did not start: ${JSON.stringify(report)}`);
  const a = report.adapter as {
    vendor?: string;
    architecture?: string;
    description?: string;
  } | null;
  console.error(`adapter: ${JSON.stringify(a)}`);
  const reps = Number(arg('reps', '5'));
  for (const name of arg('models', 'resnet18-w64-simclr-b256').split(',')) {
    const spec = STEPS[name];
    if (!spec) throw new Error(`unknown step ${name}; valid: ${Object.keys(STEPS).join(', ')}`);
    await run(name, spec, reps);
  }
}

await main();

/**
 * One training step of a backbone + method + SGD-momentum optimiser on seeded random views, with
 * every WebGPU dispatch recorded (dry-run.ts), then summarised (readiness.ts). The page-facing
 * entry is worker/bench-gpu-profile.ts (bench/ and browser tests only).
 */
import * as tf from '@tensorflow/tfjs';
import { createMethod } from '../../../methods/create-method';
import type { MethodBatch, MethodName } from '../../../methods/method';
import { createBackbone, type BackboneConfigInput } from '../../../models/backbones';
import { createOptimizer } from '../../../optim/optimizers';
import { createRng } from '../../../rng';
import { recordDispatches, type RecordMode, type Recording } from './dry-run';
import { withKernelSet, type KernelSet } from './stock-kernels';

export interface StepSpec {
  method: MethodName;
  backbone: BackboneConfigInput;
  batch: number;
  /** 'stock': tfjs-backend-webgpu's own kernels only; 'current': whatever is registered now (simlab's included). */
  kernels: KernelSet;
  /** Steps run before the recorded one (same mode), so optimiser slots exist as in a steady state. */
  warmup: number;
}

function views(batch: number, size: number, seed: number): tf.Tensor4D {
  const rng = createRng(seed);
  const n = batch * size * size * 3;
  return tf.tensor4d(
    Float32Array.from({ length: n }, () => rng.uniform(-1, 1)),
    [batch, size, size, 3],
  );
}

/**
 * Records the dispatches of one step ('dry': none run, seconds even at batch 256; 'real': the step
 * runs and its loss is read back). Everything the step created is disposed before returning; the
 * records keep only shapes and the program objects.
 */
export async function recordStep(
  spec: StepSpec,
  mode: RecordMode,
): Promise<Recording & { phaseMs: Record<'build' | 'warmup' | 'step' | 'dispose', number> }> {
  const phaseMs = { build: 0, warmup: 0, step: 0, dispose: 0 };
  let t = performance.now();
  const lap = (phase: keyof typeof phaseMs) => {
    const now = performance.now();
    phaseMs[phase] += now - t;
    t = now;
  };
  const rec = await recordStepIn(spec, mode, lap);
  return { ...rec, phaseMs };
}

async function recordStepIn(
  spec: StepSpec,
  mode: RecordMode,
  lap: (phase: 'build' | 'warmup' | 'step' | 'dispose') => void,
): Promise<Recording> {
  return withKernelSet(spec.kernels, () =>
    // Everything the step makes is made and disposed inside the recording (dry tensors must be).
    recordDispatches(mode, async ({ restart, stop }) => {
      const backbone = createBackbone(spec.backbone);
      const size = backbone.config.inputSize;
      const m = createMethod(backbone.model, {
        method: spec.method,
        seed: 1,
        ...(spec.method === 'supervised' ? { numClasses: 10 } : {}),
        ...(spec.method === 'mocov2' ? { queueSize: Math.max(256, spec.batch) } : {}),
      } as Parameters<typeof createMethod>[1]);
      const opt = createOptimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 });
      const batch: MethodBatch =
        m.batchKind === 'labeled'
          ? {
              x: views(spec.batch, size, 7),
              y: tf.tensor1d(
                Array.from({ length: spec.batch }, (_, i) => i % 10),
                'int32',
              ),
            }
          : { v1: views(spec.batch, size, 7), v2: views(spec.batch, size, 8) };
      const total = spec.warmup + 1;
      const step = async (s: number) => {
        const r = m.step(batch, opt, 0.01, { step: s, totalSteps: total });
        m.afterStep({ step: s, totalSteps: total });
        // A dry step's values were never computed: reading them back would be meaningless.
        if (mode === 'real') await r.loss.data();
        tf.dispose([r.loss, ...Object.values(r.extra)]);
      };
      lap('build');
      try {
        for (let s = 0; s < spec.warmup; s++) await step(s);
        lap('warmup');
        restart();
        await step(spec.warmup);
        stop();
        lap('step');
      } finally {
        tf.dispose(Object.values(batch) as tf.Tensor[]);
        opt.dispose();
        m.dispose();
        backbone.model.dispose();
        lap('dispose');
      }
    }),
  );
}

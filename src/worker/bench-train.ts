/**
 * Training-step throughput on the active backend (bench/ only): a backbone + method + SGD on seeded
 * random views, timed per step with the loss read back (await data()).
 */
import * as tf from '@tensorflow/tfjs';
import { createMethod } from '../ml/methods/create-method';
import type { MethodName } from '../ml/methods/method';
import { createBackbone, type BackboneConfigInput } from '../ml/models/backbones';
import { modelCost } from '../ml/models/backbones/cost';
import { createOptimizer } from '../ml/optim/optimizers';
import { createRng } from '../ml/rng';

export interface TrainBenchResult {
  backend: string;
  /** Source images per second (a view pair counts once). */
  imagesPerSec: number;
  /** Achieved GFLOP/s, counting forward + backward as 3× the forward multiply-adds × 2 flops. */
  gflops: number;
  stepMs: number[];
}

export async function benchTrainStep(opts: {
  method: MethodName;
  backbone: BackboneConfigInput;
  batch: number;
  steps: number;
  maxSeconds: number;
}): Promise<TrainBenchResult> {
  const { method, batch } = opts;
  const backbone = createBackbone(opts.backbone);
  const size = backbone.config.inputSize;
  const m = createMethod(backbone.model, {
    method,
    seed: 1,
    ...(method === 'supervised' ? { numClasses: 10 } : {}),
    ...(method === 'mocov2' ? { queueSize: Math.max(256, batch) } : {}),
  } as Parameters<typeof createMethod>[1]);
  const opt = createOptimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 });
  const rng = createRng(7);
  const n = batch * size * size * 3;
  const v1 = tf.tensor4d(
    Float32Array.from({ length: n }, () => rng.uniform(-1, 1)),
    [batch, size, size, 3],
  );
  const v2 = tf.tensor4d(
    Float32Array.from({ length: n }, () => rng.uniform(-1, 1)),
    [batch, size, size, 3],
  );
  const y = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % 10),
    'int32',
  );
  const views = method === 'supervised' ? 1 : 2;
  const stepMs: number[] = [];
  const t0 = performance.now();
  try {
    for (let s = 0; s <= opts.steps; s++) {
      const t = performance.now();
      const r = m.step(method === 'supervised' ? { x: v1, y } : { v1, v2 }, opt, 0.01, {
        step: s,
        totalSteps: opts.steps + 1,
      });
      m.afterStep({ step: s, totalSteps: opts.steps + 1 });
      await r.loss.data();
      r.loss.dispose();
      for (const e of Object.values(r.extra)) e.dispose();
      if (s > 0) stepMs.push(performance.now() - t);
      if ((performance.now() - t0) / 1000 > opts.maxSeconds && stepMs.length >= 1) break;
    }
  } finally {
    v1.dispose();
    v2.dispose();
    y.dispose();
    opt.dispose();
    m.dispose();
  }
  const cost = modelCost(backbone.model);
  backbone.model.dispose();
  const sorted = [...stepMs].sort((a, b) => a - b);
  const med = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  const flopsPerStep = cost.macsPerImage * 2 * 3 * batch * views;
  return {
    backend: tf.getBackend(),
    imagesPerSec: batch / (med / 1000),
    gflops: flopsPerStep / (med / 1000) / 1e9,
    stepMs,
  };
}

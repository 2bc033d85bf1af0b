/**
 * One training step of a method on tiny seeded data, returning the loss and every gradient, so the
 * same step can be compared across backends (browser tests: webgpu against cpu).
 */
import * as tf from '@tensorflow/tfjs';
import { createMethod } from '../ml/methods/create-method';
import type { MethodName } from '../ml/methods/method';
import { createBackbone } from '../ml/models/backbones';
import { createRng } from '../ml/rng';

export interface StepParityResult {
  backend: string;
  loss: number;
  /** Gradient values per variable, in trainableVariables() order (names differ across pages). */
  grads: number[][];
}

/** [batch,size,size,3] seeded views through a ConvNet (width 4) and the method's real heads. */
export async function stepParity(opts: {
  method: MethodName;
  size: number;
  batch: number;
  seed: number;
}): Promise<StepParityResult> {
  const { method, size, batch, seed } = opts;
  const backbone = createBackbone({ name: 'convnet', inputSize: size, width: 4, blocks: 3, seed });
  const m = createMethod(backbone.model, {
    method,
    seed,
    ...(method === 'supervised' ? { numClasses: 3 } : {}),
    ...(method === 'mocov2' ? { queueSize: 16 } : {}),
  } as Parameters<typeof createMethod>[1]);
  const rng = createRng(seed + 1);
  const n = batch * size * size * 3;
  const a = Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
  const b = Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
  const v1 = tf.tensor4d(a, [batch, size, size, 3]);
  const v2 = tf.tensor4d(b, [batch, size, size, 3]);
  const y = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % 3),
    'int32',
  );
  try {
    const batchData = method === 'supervised' ? { x: v1, y } : { v1, v2 };
    const r = m.lossAndGrads(batchData, { step: 0, totalSteps: 10 });
    const vars = m.trainableVariables();
    const grads: number[][] = [];
    for (const v of vars) {
      const g = r.grads[v.name];
      grads.push(g ? Array.from(await g.data()) : []);
    }
    const loss = (await r.loss.data())[0];
    r.loss.dispose();
    for (const g of Object.values(r.grads)) g.dispose();
    for (const e of Object.values(r.extra)) e.dispose();
    return { backend: tf.getBackend(), loss, grads };
  } finally {
    v1.dispose();
    v2.dispose();
    y.dispose();
    m.dispose();
    backbone.model.dispose();
  }
}

import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useWasmBackend } from '../../node-backend.testing';
import { createConvNet, regularizationLoss } from './convnet';
import { createRng } from '../../rng';
import { countTrainableParams } from './index';

/** Seeded uniform [-1, 1) batch. Caller disposes. */
function randomBatch(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.uniform(-1, 1)),
    shape,
  );
}

async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  const json = JSON.parse(JSON.stringify(model.toJSON(null, false)));
  const copy = await tf.models.modelFromJSON(json);
  copy.setWeights(model.getWeights());
  return copy;
}

describe('ConvNet', () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  for (const [blocks, size, convs] of [
    [3, 32, 1],
    [4, 32, 2],
    [3, 64, 2],
    [4, 64, 1],
  ] as const) {
    it(`${blocks} blocks × ${convs} conv at ${size} px: [2, ${size}, ${size}, 3] → [2, 8·2^${blocks - 1}]`, () => {
      const { model, embeddingDim } = createConvNet({
        width: 8,
        blocks,
        convsPerBlock: convs,
        inputSize: size,
      });
      expect(embeddingDim).toBe(8 * 2 ** (blocks - 1));
      const x = tf.ones([2, size, size, 3]);
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([2, embeddingDim]);
      expect(model.getLayer(`block${blocks}_pool`).outputShape).toEqual([
        null,
        size / 2 ** blocks,
        size / 2 ** blocks,
        embeddingDim,
      ]);
      tf.dispose([x, y]);
      model.dispose();
    });
  }

  it('default width 32 gives 32-64-128-256; parameter count matches the arithmetic', () => {
    const { model, embeddingDim } = createConvNet({}, { initWeights: false });
    expect(embeddingDim).toBe(256);
    // conv (no bias) 9·cin·cout + BN γ, β per layer
    const widths = [3, 32, 64, 128, 256];
    let expected = 0;
    for (let i = 1; i < widths.length; i++)
      expected += 9 * widths[i - 1] * widths[i] + 2 * widths[i];
    expect(countTrainableParams(model)).toBe(expected);
    model.dispose();
  });

  it('without batch norm the convs get biases and no BN layer exists', () => {
    const { model } = createConvNet({ width: 4, batchNorm: false }, { initWeights: false });
    expect(model.layers.some((l) => l.getClassName() === 'TorchBatchNorm')).toBe(false);
    expect(
      model
        .getLayer('block1_conv1')
        .getWeights()
        .map((w) => w.shape),
    ).toEqual([[3, 3, 3, 4], [4]]);
    model.dispose();
  });

  it('rejects inputs smaller than 2^blocks', () => {
    expect(() => createConvNet({ blocks: 4, inputSize: 8 })).toThrow(/at least 16 px/);
  });

  for (const act of ['relu', 'gelu', 'silu', 'leakyRelu'] as const) {
    it(`${act}: toJSON → modelFromJSON gives the same model and outputs`, async () => {
      const { model } = createConvNet({
        width: 4,
        blocks: 3,
        activation: act,
        dropout: 0.2,
        weightDecay: 1e-4,
        inputSize: 16,
        seed: 7,
      });
      const copy = await roundTrip(model);
      expect(copy.layers.map((l) => l.getClassName())).toEqual(
        model.layers.map((l) => l.getClassName()),
      );
      const x = randomBatch([2, 16, 16, 3], 1);
      const a = model.predict(x) as tf.Tensor;
      const b = copy.predict(x) as tf.Tensor;
      expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
      tf.dispose([x, a, b]);
      model.dispose();
      copy.dispose();
    });
  }

  it('dropout: identity at inference, fresh seeded masks in training, same seed → same masks', async () => {
    const make = () =>
      createConvNet({ width: 4, blocks: 3, dropout: 0.5, inputSize: 16, seed: 1 }).model;
    const m1 = make();
    const m2 = make();
    const x = tf.ones([2, 16, 16, 3]);
    const run = async (m: tf.LayersModel, training: boolean) => {
      const y = m.apply(x, { training }) as tf.Tensor;
      const d = Array.from(await y.data());
      y.dispose();
      return d;
    };
    const e1 = await run(m1, false);
    expect(await run(m1, false)).toEqual(e1);
    const t1 = await run(m1, true);
    const t2 = await run(m1, true);
    expect(t1).not.toEqual(t2);
    expect(t1).not.toEqual(e1);
    expect(await run(m2, true)).toEqual(t1); // same seed, same first mask
    // In training, dropout scales survivors by 1/(1 − rate): the mean of a drop layer's output stays close.
    const drop = m1.getLayer('block1_drop');
    const big = tf.ones([1, 64, 64, 8]);
    const out = drop.apply(big, { training: true }) as tf.Tensor;
    const vals = await out.data();
    const zeros = vals.filter((v) => v === 0).length / vals.length;
    expect(zeros).toBeGreaterThan(0.45);
    expect(zeros).toBeLessThan(0.55);
    expect(vals.every((v) => v === 0 || Math.abs(v - 2) < 1e-6)).toBe(true);
    tf.dispose([x, big, out]);
    m1.dispose();
    m2.dispose();
  });

  it('weight decay: regularizationLoss = (wd / 2)·Σ‖conv kernel‖², zero without decay', async () => {
    const wd = 5e-4;
    const { model } = createConvNet({ width: 4, blocks: 3, weightDecay: wd, inputSize: 16 });
    let sumSq = 0;
    for (const l of model.layers)
      if (l.getClassName() === 'Conv2D')
        for (const v of l.getWeights()[0].dataSync()) sumSq += v * v;
    const loss = regularizationLoss(model);
    expect((await loss.data())[0]).toBeCloseTo((wd / 2) * sumSq, 6);
    loss.dispose();
    const plain = createConvNet({ width: 4, blocks: 3, inputSize: 16 }).model;
    const zero = regularizationLoss(plain);
    expect((await zero.data())[0]).toBe(0);
    zero.dispose();
    model.dispose();
    plain.dispose();
  });

  it('training-mode forward passes keep the tensor count flat', () => {
    const { model } = createConvNet({ width: 4, blocks: 3, dropout: 0.1, inputSize: 16 });
    const x = tf.ones([2, 16, 16, 3]);
    const step = () => tf.tidy(() => void (model.apply(x, { training: true }) as tf.Tensor));
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });
});

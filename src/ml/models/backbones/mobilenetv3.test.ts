import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useWasmBackend } from '../../node-backend.testing';
import { createMobileNetV3Small, makeDivisible, MOBILENETV3_TABLES } from './mobilenetv3';
import { countTrainableParams } from './index';
import { createRng } from '../../rng';

function randomBatch(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.uniform(-1, 1)),
    shape,
  );
}

describe('MobileNetV3-Small', () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  it("makeDivisible matches torchvision's _make_divisible", () => {
    // Values computed with torchvision.models._utils._make_divisible.
    expect([16, 72, 88, 96, 240, 120, 288, 576].map((c) => makeDivisible(c * 0.5))).toEqual([
      8, 40, 48, 48, 120, 64, 144, 288,
    ]);
    expect([16, 24, 40, 48, 96].map((c) => makeDivisible(c * 0.75))).toEqual([16, 24, 32, 40, 72]);
    expect(makeDivisible(4)).toBe(8);
    expect(makeDivisible(60)).toBe(64);
    expect(makeDivisible(144)).toBe(144);
  });

  for (const [size, spatial] of [
    [32, 4],
    [64, 8],
  ] as const) {
    it(`lowres table at ${size} px: stem stride 1, [2, ${size}, ${size}, 3] → [2, 576], last features ${spatial}×${spatial}`, () => {
      const { model, embeddingDim } = createMobileNetV3Small({ inputSize: size });
      expect(embeddingDim).toBe(576);
      expect(model.getLayer('features_0_0').outputShape).toEqual([null, size, size, 16]);
      expect(model.getLayer('features_9_2').outputShape).toEqual([null, spatial, spatial, 576]);
      const x = randomBatch([2, size, size, 3], 2);
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([2, 576]);
      expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
      tf.dispose([x, y]);
      model.dispose();
    });
  }

  it("stem stride defaults to 2 above 64 px (the paper's), and can be forced", () => {
    const big = createMobileNetV3Small({ inputSize: 96 }, { initWeights: false });
    expect(big.config.stemStride).toBeNull();
    expect(big.model.getLayer('features_0_0').outputShape).toEqual([null, 48, 48, 16]);
    expect(big.model.getLayer('features_0_0_pad')).toBeDefined();
    big.model.dispose();
    const forced = createMobileNetV3Small({ inputSize: 32, stemStride: 2 }, { initWeights: false });
    expect(forced.model.getLayer('features_0_0').outputShape).toEqual([null, 16, 16, 16]);
    forced.model.dispose();
  });

  it('torchvision table, width 1: 927,008 parameters = mobilenet_v3_small (2,542,856) minus its classifier (1,615,848)', () => {
    expect(MOBILENETV3_TABLES.torchvision).toHaveLength(11);
    expect(MOBILENETV3_TABLES.lowres).toHaveLength(8);
    const { model, embeddingDim } = createMobileNetV3Small(
      { table: 'torchvision', stemStride: 2, inputSize: 32 },
      { initWeights: false },
    );
    expect(embeddingDim).toBe(576);
    expect(countTrainableParams(model)).toBe(2_542_856 - (576 * 1024 + 1024 + 1024 * 1000 + 1000));
    model.dispose();
  });

  it('width multiplier 0.5: embedding 6·_make_divisible(48) = 288, fewer parameters', () => {
    const half = createMobileNetV3Small({ widthMultiplier: 0.5 }, { initWeights: false });
    const full = createMobileNetV3Small({}, { initWeights: false });
    expect(half.embeddingDim).toBe(288);
    expect(countTrainableParams(half.model)).toBeLessThan(countTrainableParams(full.model) / 2);
    half.model.dispose();
    full.model.dispose();
  });

  it('has SE blocks with hard-sigmoid and residual adds only where stride 1 and in = out', () => {
    const { model } = createMobileNetV3Small({ inputSize: 32 }, { initWeights: false });
    const names = model.layers.map((l) => l.name);
    expect(names).toContain('features_1_block_1_fc1');
    expect(model.getLayer('features_1_block_1_scale_activation').getClassName()).toBe(
      'TorchHardSigmoid',
    );
    expect(model.getLayer('features_4_block_0_2').getClassName()).toBe('TorchHardSwish');
    expect(names.filter((n) => n.endsWith('_add'))).toEqual([
      'features_3_add',
      'features_5_add',
      'features_8_add',
    ]);
    expect(model.getLayer('features_1_block_0_0').getClassName()).toBe('DepthwiseConv2D');
    model.dispose();
  });

  it('toJSON → modelFromJSON round-trips (custom layers registered) with identical outputs', async () => {
    const { model } = createMobileNetV3Small({ inputSize: 16, widthMultiplier: 0.5, seed: 5 });
    const json = JSON.parse(JSON.stringify(model.toJSON(null, false)));
    const copy = await tf.models.modelFromJSON(json);
    copy.setWeights(model.getWeights());
    const x = randomBatch([2, 16, 16, 3], 3);
    const a = model.predict(x) as tf.Tensor;
    const b = copy.predict(x) as tf.Tensor;
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    // Training mode updates running statistics identically in both.
    tf.dispose([
      model.apply(x, { training: true }) as tf.Tensor,
      copy.apply(x, { training: true }) as tf.Tensor,
    ]);
    const wa = model.getLayer('features_0_1').getWeights();
    const wb = copy.getLayer('features_0_1').getWeights();
    for (let i = 0; i < wa.length; i++)
      expect(Array.from(wb[i].dataSync())).toEqual(Array.from(wa[i].dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    copy.dispose();
  });
});

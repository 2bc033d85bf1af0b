import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useWasmBackend } from '../../node-backend.testing';
import { createResNet18 } from './resnet';
import { countTrainableParams } from './index';

describe('ResNet-18', () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  it('full width, CIFAR stem: torchvision count 11,173,962 with a 10-class linear head (backbone = that − 5,130)', () => {
    const { model, embeddingDim } = createResNet18(
      { width: 64, stem: 'cifar', inputSize: 32 },
      { initWeights: false },
    );
    const n = countTrainableParams(model);
    expect(n).toBe(11_168_832);
    expect(n + embeddingDim * 10 + 10).toBe(11_173_962);
    model.dispose();
  });

  it('full width, ImageNet stem: torchvision resnet18 11,689,512 minus its 1000-class fc (513,000)', () => {
    const { model, embeddingDim } = createResNet18(
      { width: 64, stem: 'imagenet', inputSize: 64 },
      { initWeights: false },
    );
    expect(embeddingDim).toBe(512);
    expect(countTrainableParams(model) + 512 * 1000 + 1000).toBe(11_689_512);
    model.dispose();
  });

  for (const [stem, size, spatial] of [
    ['cifar', 32, 4],
    ['cifar', 64, 8],
    ['imagenet', 32, 1],
    ['imagenet', 64, 2],
  ] as const) {
    it(`${stem} stem at ${size} px: [2, ${size}, ${size}, 3] → [2, 128] (w16), layer4 at ${spatial}×${spatial}`, () => {
      const { model, embeddingDim, config } = createResNet18({ width: 16, stem, inputSize: size });
      expect(config.width).toBe(16);
      expect(embeddingDim).toBe(128); // w16 → 16-32-64-128
      expect(model.getLayer('layer4_1_relu2').outputShape).toEqual([null, spatial, spatial, 128]);
      const x = tf.ones([2, size, size, 3]);
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([2, 128]);
      tf.dispose([x, y]);
      model.dispose();
    });
  }

  it('width multiplier maps to stage widths w·[1, 2, 4, 8]', () => {
    const { model } = createResNet18({ width: 24 }, { initWeights: false });
    const widths = ['layer1_0_conv1', 'layer2_0_conv1', 'layer3_0_conv1', 'layer4_0_conv1'].map(
      (n) => (model.getLayer(n).outputShape as number[])[3],
    );
    expect(widths).toEqual([24, 48, 96, 192]);
    model.dispose();
  });

  it('every stride-2 conv is preceded by explicit symmetric zero padding and uses valid padding', () => {
    const { model } = createResNet18(
      { width: 8, stem: 'imagenet', inputSize: 32 },
      { initWeights: false },
    );
    const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D');
    for (const l of convs) {
      const c = l.getConfig() as {
        strides: number[];
        kernelSize: number[];
        padding: string;
        useBias: boolean;
      };
      expect(c.useBias).toBe(false);
      if (c.strides[0] === 2) {
        expect(c.padding).toBe('valid');
        if (c.kernelSize[0] > 1) {
          const pad = model.getLayer(`${l.name}_pad`).getConfig() as { padding: number[][] };
          const p = (c.kernelSize[0] - 1) / 2;
          expect(pad.padding).toEqual([
            [p, p],
            [p, p],
          ]);
        }
      }
    }
    expect(model.getLayer('conv1_pad')).toBeDefined();
    expect(model.getLayer('layer2_0_conv1_pad')).toBeDefined();
    expect(model.getLayer('maxpool_pad')).toBeDefined();
    model.dispose();
  });

  it('torchvision init: conv kernels ~ N(0, 2/fan_out), seeded; BN γ = 1, β = 0', () => {
    const a = createResNet18({ width: 16, seed: 3 });
    const b = createResNet18({ width: 16, seed: 3 });
    const c = createResNet18({ width: 16, seed: 4 });
    const k = a.model.getLayer('layer3_0_conv2').getWeights()[0]; // [3, 3, 64, 64], fan_out 576
    const data = k.dataSync();
    let s2 = 0;
    for (const v of data) s2 += v * v;
    expect(Math.sqrt(s2 / data.length)).toBeCloseTo(Math.sqrt(2 / 576), 2);
    expect(Array.from(b.model.getLayer('layer3_0_conv2').getWeights()[0].dataSync())).toEqual(
      Array.from(data),
    );
    expect(c.model.getLayer('layer3_0_conv2').getWeights()[0].dataSync()[0]).not.toBe(data[0]);
    const [gamma, beta] = a.model.getLayer('bn1').getWeights();
    expect(Array.from(gamma.dataSync()).every((v) => v === 1)).toBe(true);
    expect(Array.from(beta.dataSync()).every((v) => v === 0)).toBe(true);
    for (const m of [a, b, c]) m.model.dispose();
  });

  it('saves and reloads through tf.io (custom TorchBatchNorm with its scalar num_batches_tracked) with identical outputs', async () => {
    const { model } = createResNet18({ width: 4, inputSize: 16, seed: 2 });
    const x = tf.tensor4d(
      Float32Array.from({ length: 2 * 16 * 16 * 3 }, (_, i) => Math.sin(i)),
      [2, 16, 16, 3],
    );
    tf.dispose(model.apply(x, { training: true }) as tf.Tensor); // non-trivial running statistics
    let artifacts: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const copy = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    expect(copy.getLayer('bn1').getClassName()).toBe('TorchBatchNorm');
    expect(Array.from(copy.getLayer('bn1').getWeights()[4].dataSync())).toEqual([1]);
    const a = model.predict(x) as tf.Tensor;
    const b = copy.predict(x) as tf.Tensor;
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([x, a, b]);
    model.dispose();
    copy.dispose();
  });
});

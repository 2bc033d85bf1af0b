import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useWasmBackend } from '../../node-backend.testing';
import {
  loadTorchStateDict,
  toTorchStateDict,
  torchModuleName,
  torchWeightEntries,
  type TorchStateDict,
} from './torch-state-dict';
import { createResNet18 } from './resnet';
import { createRng } from '../../rng';

function seq(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

/** A tiny functional model: conv 3×3 (2→3, bias) → depthwise 3×3 ×2 → GAP → dense 6→4. */
function tinyModel(): tf.LayersModel {
  const inp = tf.input({ shape: [4, 4, 2] });
  const c = tf.layers
    .conv2d({ name: 'conv', filters: 3, kernelSize: 3, padding: 'valid', useBias: true })
    .apply(inp) as tf.SymbolicTensor;
  const d = tf.layers
    .depthwiseConv2d({
      name: 'dw',
      kernelSize: 2,
      depthMultiplier: 2,
      padding: 'valid',
      useBias: false,
    })
    .apply(c) as tf.SymbolicTensor;
  const p = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(d) as tf.SymbolicTensor;
  const o = tf.layers.dense({ name: 'fc', units: 4 }).apply(p) as tf.SymbolicTensor;
  return tf.model({ inputs: inp, outputs: o });
}

describe('torch state_dict mapping', () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  it('maps layer names back to torchvision module paths', () => {
    expect(torchModuleName('layer1_0_downsample_0')).toBe('layer1.0.downsample.0');
    expect(torchModuleName('features_1_block_1_fc1')).toBe('features.1.block.1.fc1');
    expect(torchModuleName('conv1')).toBe('conv1');
  });

  it('ResNet BN weights map to weight / bias / running_mean / running_var / num_batches_tracked', () => {
    const { model } = createResNet18({ width: 8 }, { initWeights: false });
    const names = torchWeightEntries(model).map((e) => e.torchName);
    expect(names.slice(0, 7)).toEqual([
      'conv1.weight',
      'bn1.weight',
      'bn1.bias',
      'bn1.running_mean',
      'bn1.running_var',
      'bn1.num_batches_tracked',
      'layer1.0.conv1.weight',
    ]);
    expect(names).toContain('layer2.0.downsample.0.weight');
    expect(names).toContain('layer4.1.bn2.running_var');
    model.dispose();
  });

  it('loads OIHW / [C·M,1,kh,kw] / [out,in] tensors so the model computes what PyTorch would', async () => {
    const model = tinyModel();
    const dict: TorchStateDict = {
      'conv.weight': { shape: [3, 2, 3, 3], data: seq(54, 1) },
      'conv.bias': { shape: [3], data: seq(3, 2) },
      'dw.weight': { shape: [6, 1, 2, 2], data: seq(24, 3) },
      'fc.weight': { shape: [4, 6], data: seq(24, 4) },
      'fc.bias': { shape: [4], data: seq(4, 5) },
    };
    loadTorchStateDict(model, dict);
    const xData = seq(32, 6); // NHWC [1, 4, 4, 2]
    const x = tf.tensor4d(xData, [1, 4, 4, 2]);
    const y = model.predict(x) as tf.Tensor;
    // Naive channels-first reference with PyTorch's weight semantics.
    const X = (h: number, w: number, c: number) => xData[(h * 4 + w) * 2 + c];
    const cw = dict['conv.weight'].data;
    const conv: number[][][] = [0, 1, 2].map((o) =>
      [0, 1].map((h) =>
        [0, 1].map((w) => {
          let s = dict['conv.bias'].data[o];
          for (let i = 0; i < 2; i++)
            for (let kh = 0; kh < 3; kh++)
              for (let kw = 0; kw < 3; kw++)
                s += cw[((o * 2 + i) * 3 + kh) * 3 + kw] * X(h + kh, w + kw, i);
          return s;
        }),
      ),
    );
    const dw = dict['dw.weight'].data;
    const pooled = [0, 1, 2, 3, 4, 5].map((oc) => {
      const c = Math.floor(oc / 2); // torch groups: out channel c·M + m reads input channel c
      let s = 0;
      for (let kh = 0; kh < 2; kh++)
        for (let kw = 0; kw < 2; kw++) s += dw[(oc * 2 + kh) * 2 + kw] * conv[c][kh][kw];
      return s; // 1×1 spatial output, so GAP is the value itself
    });
    const fw = dict['fc.weight'].data;
    const expected = [0, 1, 2, 3].map(
      (o) => dict['fc.bias'].data[o] + pooled.reduce((s, v, i) => s + fw[o * 6 + i] * v, 0),
    );
    const got = await y.data();
    expected.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
    // And back out unchanged.
    const back = await toTorchStateDict(model);
    for (const k of Object.keys(dict)) {
      expect(back[k].shape).toEqual(dict[k].shape);
      expect(Array.from(back[k].data)).toEqual(Array.from(dict[k].data));
    }
    tf.dispose([x, y]);
    model.dispose();
  });

  it('strict loading names missing and unexpected keys; shape mismatches throw; non-strict reports', () => {
    const model = tinyModel();
    const good: TorchStateDict = {
      'conv.weight': { shape: [3, 2, 3, 3], data: seq(54, 1) },
      'conv.bias': { shape: [3], data: seq(3, 2) },
      'dw.weight': { shape: [6, 1, 2, 2], data: seq(24, 3) },
      'fc.weight': { shape: [4, 6], data: seq(24, 4) },
    };
    expect(() =>
      loadTorchStateDict(model, {
        ...good,
        'extra.weight': { shape: [1], data: new Float32Array(1) },
      }),
    ).toThrow(/missing \[fc\.bias\], unexpected \[extra\.weight\]/);
    expect(() =>
      loadTorchStateDict(model, { ...good, 'fc.bias': { shape: [5], data: new Float32Array(5) } }),
    ).toThrow(/fc\.bias: shape \[5\]/);
    expect(loadTorchStateDict(model, good, { strict: false })).toEqual({
      missing: ['fc.bias'],
      unexpected: [],
    });
    model.dispose();
  });

  it('flattens a nested backbone: ResNet-18 + Dense "fc" maps onto torchvision resnet18 names (fc.weight [10, 512])', () => {
    const { model: backbone } = createResNet18({ width: 64 }, { initWeights: false });
    const inp = tf.input({ shape: [32, 32, 3] });
    const emb = backbone.apply(inp) as tf.SymbolicTensor;
    const logits = tf.layers.dense({ name: 'fc', units: 10 }).apply(emb) as tf.SymbolicTensor;
    const full = tf.model({ inputs: inp, outputs: logits });
    const entries = torchWeightEntries(full);
    expect(entries[0].torchName).toBe('conv1.weight');
    expect(entries.slice(-2).map((e) => [e.torchName, e.torchShape])).toEqual([
      ['fc.weight', [10, 512]],
      ['fc.bias', [10]],
    ]);
    expect(
      entries
        .filter((e) => e.variable.trainable)
        .reduce((n, e) => n + e.torchShape.reduce((a, b) => a * b, 1), 0),
    ).toBe(11_173_962);
    full.dispose();
  });

  it('refuses two different backbones whose names would collide in one state_dict', () => {
    const a = createResNet18(
      { width: 4, inputSize: 16 },
      { initWeights: false, modelName: 'online' },
    ).model;
    const b = createResNet18(
      { width: 4, inputSize: 16 },
      { initWeights: false, modelName: 'target' },
    ).model;
    expect(a.name).toBe('online');
    const inp = tf.input({ shape: [16, 16, 3] });
    const both = tf.model({
      inputs: inp,
      outputs: [a.apply(inp) as tf.SymbolicTensor, b.apply(inp) as tf.SymbolicTensor],
    });
    expect(() => torchWeightEntries(both)).toThrow(
      /two weights map to the torch name 'conv1.weight'/,
    );
    both.dispose();
  });

  it('refuses layers it has no mapping for', () => {
    const inp = tf.input({ shape: [4, 4, 2] });
    const out = tf.layers
      .conv2dTranspose({ name: 'up', filters: 2, kernelSize: 2 })
      .apply(inp) as tf.SymbolicTensor;
    const model = tf.model({ inputs: inp, outputs: out });
    expect(() => torchWeightEntries(model)).toThrow(
      /no torch mapping for weight 'kernel' of layer 'up' \(Conv2DTranspose\)/,
    );
    model.dispose();
  });
});

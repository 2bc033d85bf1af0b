/**
 * torchvision state_dicts (.pth written by Debian torch 1.13, tests/reference/pth_reference.py)
 * into simlab's ResNet-50 and MobileNetV3-Small (torchvision table, BN eps 1e-3): PyTorch's
 * embeddings and logits within 1e-4; ImageNet ResNet-18 weights into the CIFAR stem keep all but
 * conv1, which is re-initialised and reported; a mismatch is refused with a per-key report.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { useWasmBackend } from '../node-backend.testing';
import { createBackbone } from '../models/backbones';
import { linearClassifier } from '../models/heads';
import { createRng } from '../rng';
import {
  formulaInput,
  maxAbsDiff,
  REPO_ROOT,
} from '../models/backbones/backbones-reference.testing';
import { readWeightsFile } from './weights-file';
import { describeWeightsMatch, loadTorchvisionWeights } from './torchvision-weights';

const FIX = resolve(REPO_ROOT, 'tests/reference/fixtures');
interface Transfer {
  resnet50: {
    file: string;
    width: number;
    numClasses: number;
    inputShapeNCHW: number[];
    keys: number;
    embedding: number[];
    logits: number[];
  };
  mobilenet: {
    file: string;
    widthMultiplier: number;
    inputShapeNCHW: number[];
    bnEpsilon: number;
    bnMomentum: number;
    keys: number;
    embedding: number[];
  };
  resnet18Imagenet: { file: string; width: number; layer1Conv1: number[] };
}
const T = (
  JSON.parse(readFileSync(resolve(FIX, 'pth_reference.json'), 'utf8')) as { transfer: Transfer }
).transfer;
const weights = (f: string) => readWeightsFile(new Uint8Array(readFileSync(resolve(FIX, f))), f);

async function embed(model: tf.LayersModel, head: tf.LayersModel | null, nchw: number[]) {
  const x = formulaInput(nchw);
  const e = model.predict(x) as tf.Tensor;
  const l = head ? (head.predict(e) as tf.Tensor) : null;
  const out = {
    embedding: (await e.data()) as Float32Array,
    logits: l ? ((await l.data()) as Float32Array) : null,
  };
  tf.dispose([x, e, l ?? []]);
  return out;
}

describe('torchvision weights into simlab backbones', () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  it("ResNet-50 (torchvision's bottleneck layout, width 8, fc 10): PyTorch's embeddings and logits within 1e-4", async () => {
    const c = T.resnet50;
    const bb = createBackbone(
      { name: 'resnet50', width: c.width, stem: 'imagenet', inputSize: 64 },
      { initWeights: false },
    );
    const head = linearClassifier(bb.embeddingDim, c.numClasses, createRng(0));
    const before = tf.memory().numTensors;
    try {
      const w = weights(c.file);
      expect(Object.keys(w.tensors)).toHaveLength(c.keys);
      const m = loadTorchvisionWeights(w.tensors, bb.model, { fc: head });
      expect(m).toMatchObject({ missing: [], unexpected: [], mismatched: [], reinitialised: [] });
      expect(m.loaded).toHaveLength(c.keys - 2); // all but fc.weight / fc.bias, which went into the head
      const out = await embed(bb.model, head, c.inputShapeNCHW);
      const err = maxAbsDiff(out.embedding, c.embedding);
      const errL = maxAbsDiff(out.logits!, c.logits);
      console.log(
        `[resnet50 parity] max|Δ| embedding ${err.toExponential(2)}, logits ${errL.toExponential(2)}`,
      );
      expect(err).toBeLessThanOrEqual(1e-4);
      expect(errL).toBeLessThanOrEqual(1e-4);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      bb.model.dispose();
      head.dispose();
    }
  });

  it("MobileNetV3-Small (torchvision's 11-block table, width ×0.5, BN eps 1e-3): PyTorch's embeddings within 1e-4", async () => {
    const c = T.mobilenet;
    expect(c.bnEpsilon).toBe(1e-3);
    const bb = createBackbone(
      {
        name: 'mobilenetv3-small',
        table: 'torchvision',
        widthMultiplier: c.widthMultiplier,
        stemStride: 2,
        inputSize: 64,
        bnEpsilon: c.bnEpsilon,
        bnMomentum: c.bnMomentum,
      },
      { initWeights: false },
    );
    try {
      const m = loadTorchvisionWeights(weights(c.file).tensors, bb.model);
      expect(m.loaded).toHaveLength(c.keys);
      const out = await embed(bb.model, null, c.inputShapeNCHW);
      const err = maxAbsDiff(out.embedding, c.embedding);
      // Its embeddings are small (|e| ≲ 5e-3 at random init), so the error is also checked relative to them.
      const scale = Math.max(...c.embedding.map(Math.abs));
      console.log(
        `[mobilenet_v3_small parity] max|Δ| embedding ${err.toExponential(2)} (${(err / scale).toExponential(2)} of max|e|)`,
      );
      expect(err).toBeLessThanOrEqual(1e-4);
      expect(err / scale).toBeLessThanOrEqual(1e-4);
    } finally {
      bb.model.dispose();
    }
  });

  it('ImageNet ResNet-18 weights into the CIFAR stem: all but conv1 (re-initialised, reported); a wrong model is refused key by key', async () => {
    const c = T.resnet18Imagenet;
    const bb = createBackbone({
      name: 'resnet18',
      width: c.width,
      stem: 'cifar',
      inputSize: 32,
      seed: 3,
    });
    try {
      const conv1Before = await bb.model.getLayer('conv1').getWeights()[0].data();
      const m = loadTorchvisionWeights(weights(c.file).tensors, bb.model, {
        reinitialise: (k) => k === 'conv1.weight',
      });
      expect(m.reinitialised).toEqual(['conv1.weight']);
      expect(m.ignored).toEqual(['fc.weight', 'fc.bias']);
      expect(describeWeightsMatch(m)).toContain(
        "re-initialised (the file's shape cannot fit this model): conv1.weight",
      );
      expect(await bb.model.getLayer('conv1').getWeights()[0].data()).toEqual(conv1Before);
      // layer1.0.conv1 came from the file (torch OIHW → tfjs HWIO).
      const k = bb.model.getLayer('layer1_0_conv1').getWeights()[0];
      const torchLayout = tf.tidy(() => tf.transpose(k, [3, 2, 0, 1]));
      expect(maxAbsDiff((await torchLayout.data()) as Float32Array, c.layer1Conv1)).toBe(0);
      torchLayout.dispose();
      // Without the allowance the same file is refused, naming the key and both shapes.
      expect(() => loadTorchvisionWeights(weights(c.file).tensors, bb.model)).toThrow(
        /other shape: conv1\.weight \[4,3,7,7\] vs the model's \[4,3,3,3\]/,
      );
      expect(() => loadTorchvisionWeights(weights(T.resnet50.file).tensors, bb.model)).toThrow(
        /not in the model: layer1\.0\.conv3\.weight/,
      );
    } finally {
      bb.model.dispose();
    }
  });
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cloneLayersModel } from '../methods/encoder';
import { createRng } from '../rng';
import { useWasmBackend } from '../node-backend.testing';
import {
  byolMlpHead,
  linearClassifier,
  mocoV2Head,
  simclrProjectionHead,
  simsiamPredictor,
  simsiamProjector,
} from './heads';

beforeAll(async () => {
  await useWasmBackend();
});

const x = () =>
  tf.tensor2d(
    Array.from({ length: 5 * 6 }, (_, i) => Math.sin(i)),
    [5, 6],
  );

describe('heads', () => {
  const cases: [string, () => tf.Sequential, number, number][] = [
    ['simclr', () => simclrProjectionHead(6, { hiddenDim: 8, outDim: 4 }, createRng(1)), 4, 5],
    ['byol', () => byolMlpHead(6, { hiddenDim: 8, outDim: 4 }, createRng(1)), 4, 5],
    // 3 kernels + 2 affine BNs (γ, β); the output BN has no trainable affine
    [
      'simsiam projector',
      () => simsiamProjector(6, { hiddenDim: 8, outDim: 7 }, createRng(1)),
      7,
      7,
    ],
    ['simsiam predictor', () => simsiamPredictor(6, { hiddenDim: 2 }, createRng(1)), 6, 5],
    ['moco v2', () => mocoV2Head(6, { hiddenDim: 8, outDim: 4 }, createRng(1)), 4, 4],
    ['linear', () => linearClassifier(6, 3, createRng(1)), 3, 2],
  ];
  for (const [name, make, outDim, nTrainable] of cases) {
    it(`${name}: [N,6] → [N,${outDim}], ${nTrainable} trainable tensors`, () => {
      const m = make();
      const input = x();
      const y = m.apply(input, { training: true }) as tf.Tensor;
      expect(y.shape).toEqual([5, outDim]);
      expect(m.trainableWeights.length).toBe(nTrainable);
      tf.dispose([y, input]);
      m.dispose();
    });
  }

  it('draws Dense weights from the seed within U(±1/√fan_in)', () => {
    const a = byolMlpHead(6, { hiddenDim: 8, outDim: 4 }, createRng(7));
    const b = byolMlpHead(6, { hiddenDim: 8, outDim: 4 }, createRng(7));
    const c = byolMlpHead(6, { hiddenDim: 8, outDim: 4 }, createRng(8));
    const k = (m: tf.LayersModel) => Array.from(m.getWeights()[0].dataSync());
    expect(k(a)).toEqual(k(b));
    expect(k(a)).not.toEqual(k(c));
    expect(Math.max(...k(a).map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(6));
    expect(new Set(k(a)).size).toBe(48);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('save → load through tf.io gives identical outputs (serialisable)', async () => {
    const m = simsiamProjector(6, { hiddenDim: 8, outDim: 7 }, createRng(3));
    const input = x();
    tf.dispose(m.apply(input, { training: true }) as tf.Tensor); // move the BN statistics away from 0/1
    let artifacts: tf.io.ModelArtifacts | null = null;
    await m.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const y1 = m.predict(input) as tf.Tensor;
    const y2 = loaded.predict(input) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(y1, y2))).dataSync()[0]).toBe(0);
    expect(loaded.trainableWeights.length).toBe(7);
    const c = cloneLayersModel(m);
    const y3 = c.predict(input) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(y1, y3))).dataSync()[0]).toBe(0);
    expect(c.weights.map((w) => w.read().id)).not.toContain(m.weights[0].read().id);
    tf.dispose([input, y1, y2, y3]);
    [m, loaded, c].forEach((t) => t.dispose());
  });
});

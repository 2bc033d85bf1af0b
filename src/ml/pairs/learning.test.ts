/**
 * LEARNING test of the pairs lab on the wasm backend: a ConvNet learns circle vs square from the
 * generator's own labels (≥ 95% test accuracy), and a siamese model started from that backbone
 * learns same vs different (F1 ≥ 0.9 on the test split at the threshold chosen on the colour
 * validation split, same/different score medians far apart). A siamese net trained from scratch
 * stays collapsed in PyTorch (F1 0.667, every cosine ≈ 0.88) with the lab's default config; here the
 * supervised start is what works. From scratch, per-image input standardisation plus a batch-norm
 * embedding head and fresh pairs learn too (bench/pairs.bench.ts), but take ~4 CPU-minutes: too long for CI.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { generatePairSplits } from '../data/pairs';
import { registerWasmTrainingKernels } from '../kernels/wasm/register';
import { createBackbone } from '../models/backbones';
import { useWasmBackend } from '../node-backend.testing';
import { createPairModel } from './create-pair-model';
import { evaluatePairModel } from './scoring';
import { pairImages, shapeClassifierAccuracy, trainShapeClassifier } from './shape-classifier';
import { trainPairModel } from './trainer';

const TRAIN_PAIRS = 1000;
const CLASSIFIER_EPOCHS = 10;
const SIAMESE_EPOCHS = 4;
const BACKBONE = { name: 'convnet' as const, width: 8, blocks: 4 as const, seed: 3 };

describe('pairs lab learns (wasm)', () => {
  beforeAll(async () => {
    await useWasmBackend();
    registerWasmTrainingKernels();
  });

  it('supervised circle-vs-square ConvNet ≥ 95%, then a siamese model from it reaches F1 ≥ 0.9 with separated scores', async () => {
    const data = generatePairSplits({ seed: 1, train: TRAIN_PAIRS });
    const before = tf.memory().numTensors;
    const bb = createBackbone(BACKBONE);
    const t0 = performance.now();
    const steps = CLASSIFIER_EPOCHS * Math.ceil((2 * TRAIN_PAIRS) / 64);
    const { method } = await trainShapeClassifier(bb.model, pairImages(data.train), 32, {
      epochs: CLASSIFIER_EPOCHS,
      batchSize: 64,
      lr: 3e-3,
      schedule: { kind: 'cosine', totalSteps: steps },
      seed: 3,
    });
    const acc = await shapeClassifierAccuracy(method, pairImages(data.test), 32);
    const tCls = (performance.now() - t0) / 1000;
    console.log(
      `shape classifier: test accuracy ${acc.toFixed(3)} (${2 * data.test.pairs.length} images), ${tCls.toFixed(0)} s`,
    );
    expect(acc).toBeGreaterThanOrEqual(0.95);

    const siamese = createPairModel(
      { kind: 'siamese', backbone: BACKBONE },
      { startFrom: bb.model },
    );
    method.dispose();
    bb.model.dispose();
    const t1 = performance.now();
    const siameseSteps = SIAMESE_EPOCHS * Math.ceil(TRAIN_PAIRS / 32);
    await trainPairModel(siamese, data, {
      epochs: SIAMESE_EPOCHS,
      batchSize: 32,
      lr: 1e-3,
      schedule: { kind: 'cosine', totalSteps: siameseSteps },
      evalSplits: [],
    });
    const report = await evaluatePairModel(siamese, data);
    const tSia = (performance.now() - t1) / 1000;
    const test = report.splits.test,
      texture = report.splits.texture;
    if (!test || !texture) throw new Error('missing split reports');
    console.log(
      `siamese from the classifier: test F1 ${test.atColourThreshold.f1.toFixed(3)} at the colour threshold ${report.threshold.toFixed(3)}` +
        ` (P ${test.atColourThreshold.precision.toFixed(3)} R ${test.atColourThreshold.recall.toFixed(3)}; best F1 ${test.best.f1.toFixed(3)});` +
        ` median cosine same ${test.medians.same.toFixed(3)}, different ${test.medians.different.toFixed(3)};` +
        ` texture F1 ${texture.atColourThreshold.f1.toFixed(3)}; ${tSia.toFixed(0)} s`,
    );
    expect(test.atColourThreshold.f1).toBeGreaterThanOrEqual(0.9);
    // Separated histograms: the medians sit on either side of the threshold, far apart.
    expect(test.medians.same).toBeGreaterThan(report.threshold);
    expect(test.medians.different).toBeLessThan(report.threshold);
    expect(test.medians.same - test.medians.different).toBeGreaterThan(0.5);
    // Separated histograms: their overlap Σ_bins min(same, different) / pairs per label is small.
    const h = test.histogram;
    const overlap =
      h.same.reduce((s, c, i) => s + Math.min(c, h.different[i]), 0) / (test.labels.length / 2);
    console.log(
      `test histograms (20 bins over [-1, 1]): same ${h.same.join(' ')} | different ${h.different.join(' ')}; overlap ${overlap.toFixed(2)}`,
    );
    expect(overlap).toBeLessThan(0.25);
    siamese.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 600_000);
});

/**
 * Fine-tuning: the run's backbone (its checkpoint's weights = "SSL init", or freshly initialised =
 * "random init") plus a linear classifier trained end to end with cross-entropy on the labelled
 * train split (random horizontal flips), Adam with a cosine-decayed learning rate. After every
 * epoch the test split is scored in inference mode; the best epoch's figures are kept as the
 * snapshot, so the comparison table can show final and best.
 */
import * as tf from '@tensorflow/tfjs';
import { classificationReport } from '../../ml/eval/metrics';
import { SupervisedMethod } from '../../ml/methods/supervised';
import { createBackbone } from '../../ml/models/backbones';
import { createOptimizer } from '../../ml/optim/optimizers';
import { createRng } from '../../ml/rng';
import { monitorInput } from '../../ml/train/monitor';
import type { EmbeddingCache } from './embeddings';
import { splitIndices } from './embeddings';
import type { CheckpointSlot } from './types';

export interface FineTuneRequest {
  runId: string;
  slot: CheckpointSlot;
  init: 'ssl' | 'random';
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
}

export interface FineTuneEpoch {
  epoch: number;
  trainLoss: number;
  testAccuracy: number;
  testMacroF1: number;
}

export interface FineTuneResult {
  init: 'ssl' | 'random';
  runId: string;
  curves: FineTuneEpoch[];
  final: FineTuneEpoch;
  /** The snapshot: the epoch with the best test accuracy (earliest on ties). */
  best: FineTuneEpoch;
  trainSize: number;
  testSize: number;
  ms: number;
}

/** Fine-tunes a run's backbone on its dataset's labelled train split; every tensor made here is disposed. */
export async function fineTune(
  cache: EmbeddingCache,
  req: FineTuneRequest,
  onEpoch?: (e: FineTuneEpoch) => void,
): Promise<FineTuneResult> {
  const t0 = performance.now();
  const readImages = (id: string, idx: number[]) => cache.readImages(id, idx);
  const { ckpt, config } = await cache.checkpoint(req.runId, req.slot);
  const { meta, index } = await cache.dataset(config.dataset.id);
  const numClasses = meta.classes.length;
  if (numClasses < 2) throw new Error('fine-tuning needs a labelled dataset');
  const train = splitIndices(index, 'train').filter((i) => index.labels[i] >= 0);
  const test = splitIndices(index, 'test').filter((i) => index.labels[i] >= 0);
  if (train.length === 0 || test.length === 0) throw new Error('fine-tuning needs labelled train and test images');
  const batch = Math.max(2, Math.min(req.batchSize, train.length));
  const stepsPerEpoch = Math.ceil(train.length / batch);
  const totalSteps = req.epochs * stepsPerEpoch;

  const backbone = createBackbone(config.backbone, { initWeights: req.init === 'random' });
  if (req.init === 'ssl') {
    const ts = ckpt.backbone.map((d) => tf.tensor(d.data, d.shape, d.dtype));
    try {
      backbone.model.setWeights(ts);
    } finally {
      tf.dispose(ts);
    }
  }
  const method = new SupervisedMethod(backbone.model, { numClasses, seed: req.seed, embeddingDim: backbone.embeddingDim });
  const optimizer = createOptimizer({ kind: 'adam' });
  const rng = createRng(req.seed);
  const curves: FineTuneEpoch[] = [];
  let step = 0;
  try {
    for (let epoch = 1; epoch <= req.epochs; epoch++) {
      const order = rng.shuffle([...train]);
      let lossSum = 0;
      for (let s0 = 0; s0 < order.length; s0 += batch) {
        const idx = order.slice(s0, s0 + batch);
        if (idx.length < 2) continue; // BatchNorm needs two images
        const px = await readImages(meta.id, idx);
        const flips = idx.map(() => (rng.bernoulli(0.5) ? 1 : 0));
        const lr = 0.5 * req.learningRate * (1 + Math.cos((Math.PI * step) / totalSteps));
        const lossT = tf.tidy(() => {
          const x0 = monitorInput(px, idx.length, meta.size, config.augmentation);
          const mask = tf.tensor4d(flips, [idx.length, 1, 1, 1]);
          const x = tf.add(x0, tf.mul(mask, tf.sub(tf.reverse(x0, 2), x0))) as tf.Tensor4D;
          const y = tf.tensor1d(idx.map((i) => index.labels[i]), 'int32');
          const r = method.step({ x, y }, optimizer, lr, { step, totalSteps });
          tf.dispose(Object.values(r.extra));
          return tf.mul(r.loss, idx.length);
        });
        method.afterStep({ step, totalSteps });
        step++;
        lossSum += (await lossT.data())[0];
        lossT.dispose();
      }
      const pred = await predict(method, test, (idx) => readImages(meta.id, idx), meta.size, config.augmentation);
      const rep = classificationReport(test.map((i) => index.labels[i]), pred, numClasses);
      const e: FineTuneEpoch = { epoch, trainLoss: lossSum / train.length, testAccuracy: rep.accuracy, testMacroF1: rep.macroF1 };
      curves.push(e);
      onEpoch?.(e);
    }
  } finally {
    method.dispose();
    optimizer.dispose();
    backbone.model.dispose();
  }
  const best = curves.reduce((b, e) => (e.testAccuracy > b.testAccuracy ? e : b), curves[0]);
  return { init: req.init, runId: req.runId, curves, final: curves[curves.length - 1], best, trainSize: train.length, testSize: test.length, ms: performance.now() - t0 };
}

/** Argmax class of images in inference mode, in chunks of 128. */
async function predict(
  method: SupervisedMethod, indices: number[], getImages: (idx: number[]) => Promise<Uint8Array>, size: number,
  pipeline: Parameters<typeof monitorInput>[3],
): Promise<Int32Array> {
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i += 128) {
    const idx = indices.slice(i, i + 128);
    const px = await getImages(idx);
    const t = tf.tidy(() => tf.argMax(method.logits(monitorInput(px, idx.length, size, pipeline)), 1));
    out.set((await t.data()) as Int32Array, i);
    t.dispose();
  }
  return out;
}

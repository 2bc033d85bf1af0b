/**
 * Fine-tuning: the run's backbone (its checkpoint's weights = "SSL init", freshly initialised =
 * "random init", or another run's imported weights of the same architecture) plus a linear
 * classifier trained end to end with cross-entropy on the labelled train split (random horizontal
 * flips), Adam with a cosine-decayed learning rate and separate rates for backbone and head (the
 * head 10× the backbone's by default, as fine-tuning recipes do for a freshly initialised head).
 * After every epoch the test split is scored in inference mode; the best epoch's figures are kept,
 * so the comparison table can show final and best. Every `snapshotEvery` epochs (and at epoch 0,
 * the starting weights) the embeddings of a fixed subset of train + test images are kept, for the
 * explorer's fine-tuning evolution.
 */
import * as tf from '@tensorflow/tfjs';
import { classificationReport } from '../../ml/eval/metrics';
import { SupervisedMethod } from '../../ml/methods/supervised';
import { createBackbone } from '../../ml/models/backbones';
import { loadBackboneWeights } from '../../ml/models/load-backbone-weights';
import type { Optimizer } from '../../ml/optim/optimizers';
import { createRng } from '../../ml/rng';
import { batchesPerEpoch, epochBatches } from '../../ml/train/epoch-batches';
import { monitorInput } from '../../ml/train/monitor';
import type { EmbeddingCache } from './embeddings';
import { splitIndices } from './embeddings';
import { initialWeights, type WeightsInit } from './init-weights';
import { paramGroupOptimizer } from './param-groups';
import type { CheckpointSlot } from '../../common/eval-types';

export type {
  FineTuneEpoch,
  FineTuneRequest,
  FineTuneResult,
  FineTuneSnapshots,
} from '../../common/eval-types';
import type {
  FineTuneEpoch,
  FineTuneRequest,
  FineTuneResult,
  FineTuneSnapshots,
} from '../../common/eval-types';

/** The live network at the end of a fine-tune, handed to `capture` before it is disposed. */
export interface FineTuneParts {
  backbone: tf.LayersModel;
  method: SupervisedMethod;
  optimizer: Optimizer;
  numClasses: number;
  steps: number;
}

/** Most embedding snapshots one fine-tune keeps (epoch 0 and the last included). */
export const MAX_SNAPSHOTS = 42;

/**
 * Fine-tunes a run's backbone on its dataset's labelled train split; every tensor made here is
 * disposed. `req` is checked by the caller (Evaluator.fineTune, eval/request-schema.ts).
 */
export async function fineTune(
  cache: EmbeddingCache,
  req: FineTuneRequest,
  onEpoch?: (e: FineTuneEpoch) => void,
  capture?: (parts: FineTuneParts, result: FineTuneResult) => Promise<void>,
  shouldStop?: () => boolean,
): Promise<FineTuneResult> {
  const t0 = performance.now();
  const headLr = req.headLearningRate ?? 10 * req.learningRate;
  const readImages = (id: string, idx: number[]) => cache.readImages(id, idx);
  const { ckpt, config } = await cache.checkpoint(req.runId, req.slot);
  const start = await initialWeights(
    ckpt,
    req.runId,
    req,
    async (id) => (await cache.checkpoint(id, 'latest')).ckpt,
  );
  const { meta, index } = await cache.dataset(config.dataset.id);
  const numClasses = meta.classes.length;
  if (numClasses < 2) throw new Error('fine-tuning needs a labelled dataset');
  const train = splitIndices(index, 'train').filter((i) => index.labels[i] >= 0);
  const test = splitIndices(index, 'test').filter((i) => index.labels[i] >= 0);
  if (train.length === 0 || test.length === 0)
    throw new Error('fine-tuning needs labelled train and test images');
  const batch = Math.max(2, Math.min(req.batchSize, train.length));
  const stepsPerEpoch = batchesPerEpoch(train.length, batch, 'keep');
  const totalSteps = req.epochs * stepsPerEpoch;
  const snapAt = new Set(snapshotEpochs(req.epochs, req.snapshotEvery ?? 1));
  const snapRows = snapAt.size
    ? snapshotRows([...train, ...test], req.snapshotPoints ?? 2000, req.seed)
    : [];

  const backbone = createBackbone(config.backbone, { initWeights: start.weights === null });
  if (start.weights) {
    try {
      loadBackboneWeights(backbone.model, start.weights);
    } catch (e) {
      backbone.model.dispose();
      throw e;
    }
  }
  const method = new SupervisedMethod(backbone.model, {
    numClasses,
    seed: req.seed,
    embeddingDim: backbone.embeddingDim,
  });
  const headVars = new Set(method.classifier.weights.map((w) => (w.read() as tf.Variable).name));
  const optimizer = paramGroupOptimizer(
    { kind: 'adam' },
    (v) => headVars.has(v.name),
    headLr / req.learningRate,
  );
  const rng = createRng(req.seed);
  const curves: FineTuneEpoch[] = [];
  const snaps: { epoch: number; x: Float32Array }[] = [];
  const snapshot = async (epoch: number) => {
    if (snapRows.length)
      snaps.push({
        epoch,
        x: await embedRows(
          method,
          snapRows,
          (idx) => readImages(meta.id, idx),
          meta.size,
          config.augmentation,
          backbone.embeddingDim,
        ),
      });
  };
  let step = 0;
  try {
    if (snapAt.has(0)) await snapshot(0);
    let stopped = false;
    for (let epoch = 1; epoch <= req.epochs; epoch++) {
      // Stop between steps: every epoch trains at least one batch, and is scored like a full one.
      if (epoch > 1 && shouldStop?.()) break;
      const te = performance.now();
      const order = rng.shuffle([...train]);
      let lossSum = 0,
        accSum = 0,
        seen = 0;
      for (const idx of epochBatches(order, batch, 'keep')) {
        if (idx.length < 2) continue; // BatchNorm needs two images
        if (seen > 0 && shouldStop?.()) {
          stopped = true;
          break;
        }
        const px = await readImages(meta.id, idx);
        const flips = idx.map(() => (rng.bernoulli(0.5) ? 1 : 0));
        const lr = 0.5 * req.learningRate * (1 + Math.cos((Math.PI * step) / totalSteps));
        const sums = tf.tidy(() => {
          const x0 = monitorInput(px, idx.length, meta.size, config.augmentation);
          const mask = tf.tensor4d(flips, [idx.length, 1, 1, 1]);
          const x = tf.add(x0, tf.mul(mask, tf.sub(tf.reverse(x0, 2), x0))) as tf.Tensor4D;
          const y = tf.tensor1d(
            idx.map((i) => index.labels[i]),
            'int32',
          );
          const r = method.step({ x, y }, optimizer, lr, { step, totalSteps });
          const out = tf.mul(tf.stack([r.loss, r.extra.accuracy]), idx.length);
          tf.dispose(Object.values(r.extra)); // kept by the method, so tidy leaves them
          return out;
        });
        method.afterStep({ step, totalSteps });
        step++;
        const v = await sums.data();
        sums.dispose();
        lossSum += v[0];
        accSum += v[1];
        seen += idx.length;
      }
      const seconds = (performance.now() - te) / 1000;
      const pred = await predict(
        method,
        test,
        (idx) => readImages(meta.id, idx),
        meta.size,
        config.augmentation,
      );
      const rep = classificationReport(
        test.map((i) => index.labels[i]),
        pred,
        numClasses,
      );
      const e: FineTuneEpoch = {
        epoch,
        trainLoss: lossSum / seen,
        trainAccuracy: accSum / seen,
        testAccuracy: rep.accuracy,
        testMacroF1: rep.macroF1,
        seconds,
      };
      curves.push(e);
      if (snapAt.has(epoch) || (stopped && snaps.length > 0)) await snapshot(epoch);
      onEpoch?.(e);
      if (stopped) break;
    }
    const best = curves.reduce((b, e) => (e.testAccuracy > b.testAccuracy ? e : b), curves[0]);
    const snapshots: FineTuneSnapshots | null = snaps.length
      ? {
          datasetId: meta.id,
          classes: meta.classes,
          n: snapRows.length,
          dim: backbone.embeddingDim,
          indices: Int32Array.from(snapRows),
          labels: Int32Array.from(snapRows, (i) => index.labels[i]),
          splits: Uint8Array.from(snapRows, (i) => index.splits[i]),
          paths: snapRows.map((i) => index.paths[i]),
          epochs: snaps.map((s) => s.epoch),
          x: snaps.map((s) => s.x),
        }
      : null;
    const result: FineTuneResult = {
      init: start.init,
      runId: req.runId,
      slot: req.slot,
      ...(start.init === 'imported' ? { initRunId: start.sourceRunId } : {}),
      learningRate: req.learningRate,
      headLearningRate: headLr,
      batchSize: batch,
      seed: req.seed,
      curves,
      final: curves[curves.length - 1],
      best,
      trainSize: train.length,
      testSize: test.length,
      snapshots,
      ms: 0,
      ...(stopped || curves.length < req.epochs ? { stoppedAtEpoch: curves.length } : {}),
    };
    if (capture)
      await capture(
        { backbone: backbone.model, method, optimizer, numClasses, steps: step },
        result,
      );
    result.ms = performance.now() - t0;
    return result;
  } finally {
    method.dispose();
    optimizer.dispose();
    backbone.model.dispose();
  }
}

/** Epochs whose end keeps a snapshot: 0, every `every`-th, and the last; `every` raised so at most MAX_SNAPSHOTS (none when every ≤ 0). */
export function snapshotEpochs(epochs: number, every: number): number[] {
  if (!(every > 0) || epochs < 0) return [];
  const k = Math.max(1, Math.floor(every), Math.ceil(epochs / (MAX_SNAPSHOTS - 2)));
  const out = [0];
  for (let e = k; e <= epochs; e += k) out.push(e);
  if (out[out.length - 1] !== epochs) out.push(epochs);
  return out;
}

/** At most `max` of `rows` (seeded; all when fewer), train rows first as given, in a fixed order. */
export function snapshotRows(rows: number[], max: number, seed: number): number[] {
  if (rows.length <= max) return [...rows];
  const keep = new Set(
    createRng(seed ^ 0x5eed)
      .shuffle([...rows])
      .slice(0, Math.max(0, max)),
  );
  return rows.filter((r) => keep.has(r));
}

/** Backbone embeddings [n × dim] of dataset images in inference mode (BN moving statistics), chunks of 128. */
async function embedRows(
  method: SupervisedMethod,
  indices: number[],
  getImages: (idx: number[]) => Promise<Uint8Array>,
  size: number,
  pipeline: Parameters<typeof monitorInput>[3],
  dim: number,
): Promise<Float32Array> {
  const out = new Float32Array(indices.length * dim);
  for (let i = 0; i < indices.length; i += 128) {
    const idx = indices.slice(i, i + 128);
    const px = await getImages(idx);
    const t = tf.tidy(() => method.embed(monitorInput(px, idx.length, size, pipeline)));
    out.set((await t.data()) as Float32Array, i * dim);
    t.dispose();
  }
  return out;
}

/** Argmax class of images in inference mode, in chunks of 128. */
async function predict(
  method: SupervisedMethod,
  indices: number[],
  getImages: (idx: number[]) => Promise<Uint8Array>,
  size: number,
  pipeline: Parameters<typeof monitorInput>[3],
): Promise<Int32Array> {
  const out = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i += 128) {
    const idx = indices.slice(i, i + 128);
    const px = await getImages(idx);
    const t = tf.tidy(() =>
      tf.argMax(method.logits(monitorInput(px, idx.length, size, pipeline)), 1),
    );
    out.set((await t.data()) as Int32Array, i);
    t.dispose();
  }
  return out;
}

/**
 * Training monitors: which images train, which form the kNN memory bank and which are the labelled
 * queries (a pure plan), and the measurements themselves — weighted kNN top-1 of the backbone's
 * embeddings (Wu et al. 2018, as DINO's eval_knn: cosine, k = 200, T = 0.1) and, for supervised
 * runs, accuracy and cross-entropy of the classifier on the queries.
 */
import * as tf from '@tensorflow/tfjs';
import { viewNormalization } from '../augment/pipeline';
import type { AugmentPipeline } from '../augment/schema';
import { SPLIT_TEST, SPLIT_TRAIN, SPLIT_VAL } from '../data/splits';
import { knnClassify } from '../eval/knn';
import { softmaxCrossEntropy } from '../losses/cross-entropy';
import type { Method } from '../methods/method';
import type { MonitorSettings } from './config';
import { indicesOfSplit, type DataSource } from './data-source';
import { seededSubset } from './seeds';

export interface MonitorPlan {
  /** Images the run trains on (train split, minus a carved hold-out; labelled only when supervised). */
  train: number[];
  /** Labelled train images whose embeddings form the kNN bank (a seeded subset of `train`). */
  bank: number[];
  /** Labelled query images, in `queryData` (the run's DataSource unless the source is another dataset). */
  queries: number[];
  /** Where the queries came from. */
  querySource: 'val-split' | 'test-split' | 'carve' | 'dataset';
}

/**
 * Splits a dataset for a run (pure, seeded): queries from the val split (or test split, or another
 * dataset); when the source is 'carve', or 'val-split' finds no labelled val images, a seeded
 * `carveFraction` of the labelled train images is held out of training and of the bank.
 */
export function planMonitor(
  data: Pick<DataSource, 'splits' | 'labels'>,
  m: MonitorSettings,
  seed: number,
  opts: { supervised: boolean; queryData?: Pick<DataSource, 'splits' | 'labels'> },
): MonitorPlan {
  const allTrain = indicesOfSplit(data, SPLIT_TRAIN);
  let train = opts.supervised ? allTrain.filter((i) => data.labels[i] >= 0) : allTrain;
  let queries: number[] = [];
  let querySource: MonitorPlan['querySource'];
  const src = m.source;
  if (typeof src === 'object') {
    if (!opts.queryData)
      throw new Error(
        `monitor source is dataset ${src.datasetId}, but no DataSource for it was given`,
      );
    const q = opts.queryData;
    for (let i = 0; i < q.labels.length; i++) if (q.labels[i] >= 0) queries.push(i);
    querySource = 'dataset';
  } else if (src === 'test-split') {
    queries = indicesOfSplit(data, SPLIT_TEST, true);
    querySource = 'test-split';
  } else {
    queries = src === 'val-split' ? indicesOfSplit(data, SPLIT_VAL, true) : [];
    querySource = 'val-split';
    if (queries.length === 0) {
      const labelledTrain = train.filter((i) => data.labels[i] >= 0);
      const n = Math.floor(labelledTrain.length * m.carveFraction);
      const carved = new Set(seededSubset(labelledTrain, n, seed, 'carve'));
      queries = [...carved];
      train = train.filter((i) => !carved.has(i));
      querySource = 'carve';
    }
  }
  queries = seededSubset(queries, m.maxQueries, seed, 'queries');
  const bank = seededSubset(
    train.filter((i) => data.labels[i] >= 0),
    m.bankSize,
    seed,
    'bank',
  );
  return { train, bank, queries, querySource };
}

/**
 * Turns stored uint8 pixels n×S×S×3 into the backbone's input: float [0,1], resized to the
 * pipeline's output size, normalised like view 1. Caller owns the result [n,out,out,3].
 */
export function monitorInput(
  pixels: Uint8Array,
  n: number,
  size: number,
  pipeline: AugmentPipeline,
): tf.Tensor4D {
  return tf.tidy(() => {
    let x = tf.div(
      tf.tensor4d(Int32Array.from(pixels), [n, size, size, 3], 'int32').toFloat(),
      255,
    ) as tf.Tensor4D;
    const out = pipeline.outputSize;
    if (out !== size) x = tf.image.resizeBilinear(x, [out, out], false, true);
    const norm = viewNormalization(pipeline.views[0]);
    if (norm) x = tf.div(tf.sub(x, tf.tensor1d(norm.mean)), tf.tensor1d(norm.std)) as tf.Tensor4D;
    return x;
  });
}

/** Embeddings [n,D] of images `indices` in inference mode, in chunks; caller owns the result. */
export async function embedImages(
  method: Method,
  data: DataSource,
  indices: number[],
  pipeline: AugmentPipeline,
  chunk = 256,
): Promise<tf.Tensor2D> {
  const parts: tf.Tensor2D[] = [];
  try {
    for (let i = 0; i < indices.length; i += chunk) {
      const idx = indices.slice(i, i + chunk);
      const px = await data.getImages(idx);
      const x = monitorInput(px, idx.length, data.size, pipeline);
      try {
        parts.push(method.embed(x));
      } finally {
        x.dispose();
      }
    }
    return parts.length === 1 ? parts.splice(0)[0] : tf.concat(parts, 0);
  } finally {
    tf.dispose(parts);
  }
}

export interface MonitorResult {
  knnTop1?: number;
  valAcc?: number;
  valLoss?: number;
}

/** Anything with class logits in inference mode (the supervised method). */
interface HasLogits {
  logits(x: tf.Tensor4D): tf.Tensor2D;
}
function hasLogits(m: unknown): m is HasLogits {
  return typeof (m as HasLogits).logits === 'function';
}

/**
 * Measures the monitors: kNN top-1 of `queries` against the `bank` embeddings, and for methods with
 * logits (supervised) accuracy and mean cross-entropy of the queries. Leaves no tensors behind.
 */
export async function measureMonitors(
  method: Method,
  data: DataSource,
  queryData: DataSource,
  plan: MonitorPlan,
  pipeline: AugmentPipeline,
  m: MonitorSettings,
  numClasses: number,
): Promise<MonitorResult> {
  const out: MonitorResult = {};
  if (plan.queries.length === 0 || plan.bank.length === 0) return out;
  const bank = await embedImages(method, data, plan.bank, pipeline);
  try {
    const q = await embedImages(method, queryData, plan.queries, pipeline);
    try {
      const bankLabels = plan.bank.map((i) => data.labels[i]);
      const queryLabels = plan.queries.map((i) => queryData.labels[i]);
      let maxLabel = 0;
      for (const l of bankLabels) maxLabel = Math.max(maxLabel, l);
      for (const l of queryLabels) maxLabel = Math.max(maxLabel, l);
      const classes = Math.max(numClasses, maxLabel + 1);
      const r = await knnClassify(bank, bankLabels, q, queryLabels, {
        k: m.k,
        temperature: m.temperature,
        numClasses: classes,
      });
      out.knnTop1 = r.accuracy ?? undefined;
    } finally {
      q.dispose();
    }
  } finally {
    bank.dispose();
  }
  if (hasLogits(method))
    Object.assign(out, await classifierMetrics(method, queryData, plan.queries, pipeline));
  return out;
}

/** Accuracy and mean cross-entropy of a classifier on labelled images, in chunks. */
async function classifierMetrics(
  method: HasLogits,
  data: DataSource,
  indices: number[],
  pipeline: AugmentPipeline,
  chunk = 256,
): Promise<MonitorResult> {
  let correct = 0;
  let lossSum = 0;
  for (let i = 0; i < indices.length; i += chunk) {
    const idx = indices.slice(i, i + chunk);
    const px = await data.getImages(idx);
    const [hits, loss] = tf.tidy(() => {
      const x = monitorInput(px, idx.length, data.size, pipeline);
      const logits = method.logits(x);
      const y = tf.tensor1d(
        idx.map((j) => data.labels[j]),
        'int32',
      );
      const h = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'));
      return [h, tf.mul(softmaxCrossEntropy(logits, y), idx.length)];
    });
    const [h, l] = await Promise.all([hits.data(), loss.data()]);
    tf.dispose([hits, loss]);
    correct += h[0];
    lossSum += l[0];
  }
  return { valAcc: correct / indices.length, valLoss: lossSum / indices.length };
}

/**
 * Linear probe: multinomial logistic regression on frozen, standardised embeddings — the standard
 * linear evaluation of self-supervised features (e.g. SimCLR, Chen et al. 2020, §B.6). The
 * objective is sklearn's LogisticRegression(C) divided by n:
 *   mean cross-entropy + ‖W‖² / (2·C·n)     (bias not penalised),
 * minimised with Adam (Kingma & Ba 2015) on shuffled minibatches, learning rate cosine-decayed to
 * 0, weights starting at 0. Features are standardised with the training set's mean and std.
 * Runs on the active tfjs backend; reads values back once per epoch.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../rng';
import { batchesPerEpoch, epochBatches } from '../train/epoch-batches';
import { fitStandardizer, standardize, type Standardizer } from './standardize';

export interface ProbeSplit {
  /** Embeddings [n × dim] row-major. */
  x: ArrayLike<number>;
  /** Class per row, [n], in [0, numClasses). */
  y: ArrayLike<number>;
}

export interface LinearProbeOptions {
  /** Inverse L2 strength as sklearn's C (default 1). */
  C?: number;
  /** Passes over the training set (default 100). */
  epochs?: number;
  /** Minibatch size (default 256; the whole set when smaller). */
  batchSize?: number;
  /** Adam peak learning rate (default 0.01), cosine-decayed to 0 over all steps. */
  learningRate?: number;
  /** Shuffling seed (default 0). */
  seed?: number;
  /** Called after each epoch (e.g. to post progress from the worker). */
  onEpoch?: (e: ProbeEpoch) => void;
}

export type { ProbeEpoch } from './probe-epoch';
import type { ProbeEpoch } from './probe-epoch';

export interface LinearProbeResult {
  curves: ProbeEpoch[];
  /** Accuracy of the final weights on the whole training set. */
  trainAccuracy: number;
  /** Accuracy of the final weights on the test set. */
  testAccuracy: number;
  testPredictions: Int32Array;
  /** Weights [dim × numClasses] and bias [numClasses], for standardised inputs. */
  weights: Float32Array;
  bias: Float32Array;
  /** The training set's standardisation the weights expect (apply it before x·W + b). */
  standardizer: Standardizer;
}

/** Trains a linear probe on train {x [n × dim], y} and scores test; disposes every tensor it makes. */
export async function trainLinearProbe(
  train: ProbeSplit,
  test: ProbeSplit,
  dim: number,
  numClasses: number,
  options: LinearProbeOptions = {},
): Promise<LinearProbeResult> {
  const n = train.y.length,
    nTest = test.y.length;
  if (train.x.length !== n * dim)
    throw new Error(`train.x has ${train.x.length} values, expected ${n}×${dim}`);
  if (test.x.length !== nTest * dim)
    throw new Error(`test.x has ${test.x.length} values, expected ${nTest}×${dim}`);
  if (n === 0) throw new Error('linear probe needs training samples');
  const C = options.C ?? 1;
  const epochs = options.epochs ?? 100;
  const batch = Math.min(n, options.batchSize ?? 256);
  const lr0 = options.learningRate ?? 0.01;
  const rng = createRng(options.seed ?? 0);
  const l2 = 1 / (2 * C * n);
  const scaler = fitStandardizer(train.x, n, dim);

  const xTrain = tf.tensor2d(standardize(scaler, train.x), [n, dim]);
  const yTrain = tf.tensor1d(Int32Array.from(train.y), 'int32');
  const W = zeroVariable([dim, numClasses]);
  const b = zeroVariable([numClasses]);
  const params = [W, b];
  const m = params.map((p) => zeroVariable(p.shape));
  const v = params.map((p) => zeroVariable(p.shape));
  const beta1 = 0.9,
    beta2 = 0.999,
    eps = 1e-8;
  const stepsPerEpoch = batchesPerEpoch(n, batch, 'keep');
  const totalSteps = epochs * stepsPerEpoch;
  const order = Array.from({ length: n }, (_, i) => i);
  const curves: ProbeEpoch[] = [];
  let step = 0;

  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      rng.shuffle(order);
      const stats: tf.Tensor[] = [];
      for (const idx of epochBatches(order, batch, 'keep')) {
        const lr = 0.5 * lr0 * (1 + Math.cos((Math.PI * step) / totalSteps));
        step++;
        const stat = tf.tidy(() => {
          const idxT = tf.tensor1d(idx, 'int32');
          const xb = tf.gather(xTrain, idxT),
            yb = tf.gather(yTrain, idxT);
          const { value, grads } = tf.variableGrads(() => {
            const logits = tf.add(tf.matMul(xb, W), b);
            const ce = tf.losses.softmaxCrossEntropy(tf.oneHot(yb, numClasses), logits);
            return tf.add(ce, tf.mul(tf.sum(tf.square(W)), l2)) as tf.Scalar;
          }, params);
          const correct = tf.sum(
            tf.cast(tf.equal(tf.argMax(tf.add(tf.matMul(xb, W), b), 1), yb), 'float32'),
          );
          const bc1 = 1 - beta1 ** step,
            bc2 = 1 - beta2 ** step;
          params.forEach((p, k) => {
            const g = grads[p.name];
            m[k].assign(tf.add(tf.mul(m[k], beta1), tf.mul(g, 1 - beta1)));
            v[k].assign(tf.add(tf.mul(v[k], beta2), tf.mul(tf.square(g), 1 - beta2)));
            const upd = tf.div(tf.div(m[k], bc1), tf.add(tf.sqrt(tf.div(v[k], bc2)), eps));
            p.assign(tf.sub(p, tf.mul(upd, lr)));
          });
          return tf.stack([tf.mul(value, idx.length), correct]);
        });
        stats.push(stat);
      }
      const all = tf.stack(stats);
      const vals = await all.data();
      tf.dispose([all, ...stats]);
      let lossSum = 0,
        correct = 0;
      for (let q = 0; q < stats.length; q++) {
        lossSum += vals[2 * q];
        correct += vals[2 * q + 1];
      }
      const e: ProbeEpoch = { epoch: epoch + 1, loss: lossSum / n, trainAccuracy: correct / n };
      curves.push(e);
      options.onEpoch?.(e);
    }
    const trainPred = await predict(xTrain, W, b);
    const xTest = tf.tensor2d(standardize(scaler, test.x), [nTest, dim]);
    const testPredictions = await predict(xTest, W, b);
    xTest.dispose();
    return {
      curves,
      trainAccuracy: fraction(trainPred, train.y),
      testAccuracy: fraction(testPredictions, test.y),
      testPredictions,
      weights: (await W.data()) as Float32Array,
      bias: (await b.data()) as Float32Array,
      standardizer: scaler,
    };
  } finally {
    tf.dispose([xTrain, yTrain, W, b, ...m, ...v]);
  }
}

/**
 * Class probabilities of a trained probe on raw embeddings x [n × dim] (standardised as in
 * training): softmax(x·W + b) in float64 on the host → Float32Array [n × numClasses].
 */
export function probeProbabilities(
  probe: Pick<LinearProbeResult, 'weights' | 'bias' | 'standardizer'>,
  x: ArrayLike<number>,
  dim: number,
): Float32Array {
  const c = probe.bias.length;
  const n = Math.floor(x.length / dim);
  const xs = standardize(probe.standardizer, x);
  const probs = new Float32Array(n * c);
  const logits = new Float64Array(c);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) {
      let s = probe.bias[j];
      for (let d = 0; d < dim; d++) s += xs[i * dim + d] * probe.weights[d * c + j];
      logits[j] = s;
    }
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, logits[j]);
    let z = 0;
    for (let j = 0; j < c; j++) z += Math.exp(logits[j] - m);
    for (let j = 0; j < c; j++) probs[i * c + j] = Math.exp(logits[j] - m) / z;
  }
  return probs;
}

/** Argmax class per row of x·W + b (ties → lower class index); x [n × dim] → Int32Array [n]. */
async function predict(x: tf.Tensor2D, W: tf.Variable, b: tf.Variable): Promise<Int32Array> {
  const logitsT = tf.tidy(() => tf.add(tf.matMul(x, W), b));
  const logits = await logitsT.data();
  logitsT.dispose();
  const n = x.shape[0],
    c = b.shape[0] as number;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (logits[i * c + k] > logits[i * c + best]) best = k;
    out[i] = best;
  }
  return out;
}

/** A trainable variable of zeros; the initial tensor is disposed (tf.variable copies its reference). */
function zeroVariable(shape: number[]): tf.Variable {
  const z = tf.zeros(shape);
  const v = tf.variable(z);
  z.dispose();
  return v;
}

function fraction(pred: Int32Array, y: ArrayLike<number>): number {
  let hit = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === y[i]) hit++;
  return pred.length > 0 ? hit / pred.length : 0;
}

/**
 * Training loop of the pairs lab, with the study's knobs: a subset of N pairs, one label only (the
 * overfit check), fresh pairs each epoch, a loss-scale factor, per-layer gradient norms. Reports
 * through a callback once per epoch (loss, score histograms of same/different pairs per split, best
 * F1, gradient norms); never touches the UI. Reads values back with `await data()` once per epoch.
 */
import * as tf from '@tensorflow/tfjs';
import type { BestF1 } from '../eval/pr-curve';
import {
  freshTrainPairs,
  pairLabels,
  pairTensors,
  type PairSet,
  type PairSplit,
  type PairSplits,
} from '../data/pairs';
import { gradNormsByLayer } from '../methods/method';
import { createOptimizer, type OptimizerConfig } from '../optim/optimizers';
import { learningRateAt, type ScheduleConfig } from '../optim/schedules';
import { createRng } from '../rng';
import { batchAt, batchesPerEpoch } from '../train/epoch-batches';
import { scoreHistogram, scoreMedians, splitCurve, type ScoreHistogram } from './evaluation';
import type { PairModel } from './pair-model';
import { scorePairSet } from './scoring';

export interface PairTrainConfig {
  epochs: number;
  /** Pairs per step (default 32). */
  batchSize?: number;
  /** Base learning rate (default 1e-3). */
  lr?: number;
  /** Default { kind: 'adam' }. */
  optimizer?: OptimizerConfig;
  /** Default { kind: 'constant' }. */
  schedule?: ScheduleConfig;
  /** Train on the first N pairs only (after the label filter). */
  subset?: number;
  /** Train on pairs of this label only (overfit check: the model can collapse to one answer). */
  onlyLabel?: 0 | 1;
  /** Draw new training pairs each epoch (epoch e ≥ 1 from (dataSeed, e)); epoch 0 uses data.train. */
  freshPairs?: boolean;
  /** The seed data was generated with (fresh pairs continue from it; default 0). */
  dataSeed?: number;
  /** Multiplies the loss before differentiation (the gradients scale with it); reported losses are unscaled. Default 1. */
  lossScale?: number;
  /** Report per-layer gradient L2 norms of each epoch's last step. */
  gradNorms?: boolean;
  /** Seed of the batch order. */
  seed?: number;
  /** Splits scored after each epoch for histograms and F1 (default test, colour, texture). */
  evalSplits?: PairSplit[];
  /** Score the eval splits every k epochs (and after the last one); default 1. */
  evalEvery?: number;
  /** Histogram bins over the model's score range (default 20). */
  histogramBins?: number;
}

export type { PairEpochEvent } from './types';
import type { PairEpochEvent } from './types';

export interface PairTrainResult {
  history: PairEpochEvent[];
  /** True when the signal stopped the run early. */
  stopped: boolean;
  /** Sum of the epochs' training seconds. */
  trainSeconds: number;
}

/** The pairs one epoch trains on: fresh or fixed, label-filtered, cut to the subset. */
export function epochPairs(data: PairSplits, cfg: PairTrainConfig, epoch: number): PairSet {
  const base = cfg.freshPairs
    ? freshTrainPairs(data.train.pairs.length, epoch, { seed: cfg.dataSeed, size: data.train.size })
    : data.train;
  let pairs =
    cfg.onlyLabel === undefined ? base.pairs : base.pairs.filter((p) => p.label === cfg.onlyLabel);
  if (cfg.subset !== undefined) pairs = pairs.slice(0, cfg.subset);
  if (pairs.length === 0) throw new Error('no training pairs left after the label filter / subset');
  return { ...base, pairs };
}

/**
 * Trains `model` in place on data.train (see PairTrainConfig); calls onEpoch after every epoch
 * (awaited). Creates and frees its own optimiser; leaves no tensors behind. Stops between steps when
 * `signal` aborts.
 */
export async function trainPairModel(
  model: PairModel,
  data: PairSplits,
  cfg: PairTrainConfig,
  onEpoch?: (e: PairEpochEvent) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<PairTrainResult> {
  const batchSize = cfg.batchSize ?? 32,
    baseLr = cfg.lr ?? 1e-3,
    lossScale = cfg.lossScale ?? 1;
  const schedule = cfg.schedule ?? { kind: 'constant' };
  const evalSplits = cfg.evalSplits ?? ['test', 'colour', 'texture'];
  const evalEvery = cfg.evalEvery ?? 1;
  if (!(batchSize >= 1)) throw new Error(`batch size must be ≥ 1, got ${batchSize}`);
  const optimizer = createOptimizer(cfg.optimizer ?? { kind: 'adam' });
  const rng = createRng(cfg.seed ?? 0);
  const vars = model.trainableVariables();
  const history: PairEpochEvent[] = [];
  let step = 0,
    stopped = false,
    trainSeconds = 0;
  try {
    for (let epoch = 0; epoch < cfg.epochs && !stopped; epoch++) {
      const set = epochPairs(data, cfg, epoch);
      const order = rng.shuffle(set.pairs.map((_, i) => i));
      const nSteps = batchesPerEpoch(order.length, batchSize, 'keep');
      const losses: tf.Scalar[] = [];
      const terms: Record<string, tf.Scalar[]> = {};
      let norms: Record<string, tf.Scalar> | undefined;
      let lr = baseLr;
      const t0 = performance.now();
      for (let s = 0; s < nSteps; s++) {
        if (signal?.aborted) {
          stopped = true;
          break;
        }
        lr = learningRateAt(baseLr, schedule, step);
        const batch = pairTensors(set, batchAt(order, batchSize, s));
        let kept: { total: tf.Scalar; terms: Record<string, tf.Scalar> } | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const l = model.loss(batch);
          // variableGrads tidies everything but its result: keep what is read back at the epoch's end.
          const t: Record<string, tf.Scalar> = {};
          for (const [k, v] of Object.entries(l.terms)) t[k] = tf.keep(v);
          kept = { total: tf.keep(l.total.clone()), terms: t };
          return lossScale === 1 ? l.total : (tf.mul(l.total, lossScale) as tf.Scalar);
        }, vars);
        tf.dispose([batch.xa, batch.xb, batch.y, batch.centres, value]);
        if (cfg.gradNorms && s === nSteps - 1) norms = gradNormsByLayer(model.parts(), grads);
        optimizer.apply(vars, grads, lr);
        tf.dispose(grads);
        if (kept) {
          losses.push(kept.total);
          for (const [k, v] of Object.entries(kept.terms)) (terms[k] ??= []).push(v);
        }
        step++;
      }
      // One read-back per epoch (also waits for the queued work, so the time is honest).
      const lossMean = losses.length ? await readMean(losses) : NaN;
      const termMeans: Record<string, number> = {};
      for (const [k, list] of Object.entries(terms)) termMeans[k] = await readMean(list);
      const seconds = (performance.now() - t0) / 1000;
      trainSeconds += seconds;
      let gradNorms: Record<string, number> | undefined;
      if (norms) {
        gradNorms = {};
        for (const [k, v] of Object.entries(norms)) gradNorms[k] = (await v.data())[0];
        tf.dispose(norms);
      }
      const ev: PairEpochEvent = {
        epoch: epoch + 1,
        epochs: cfg.epochs,
        step,
        lr,
        loss: lossMean,
        terms: termMeans,
        pairs: set.pairs.length,
        seconds,
        histograms: {},
        bestF1: {},
        medians: {},
        ...(gradNorms ? { gradNorms } : {}),
      };
      if ((epoch + 1) % evalEvery === 0 || epoch === cfg.epochs - 1 || stopped) {
        for (const name of evalSplits) {
          const split = {
            scores: await scorePairSet(model, data[name]),
            labels: pairLabels(data[name].pairs),
          };
          ev.histograms[name] = scoreHistogram(split, model.scoreRange, cfg.histogramBins ?? 20);
          ev.bestF1[name] = splitCurve(split).best;
          ev.medians[name] = scoreMedians(split);
        }
      }
      history.push(ev);
      await onEpoch?.(ev);
    }
  } finally {
    optimizer.dispose();
  }
  return { history, stopped, trainSeconds };
}

/** Mean of scalars, read back asynchronously; disposes them. */
async function readMean(xs: tf.Scalar[]): Promise<number> {
  const m = tf.tidy(() => tf.mean(tf.stack(xs)));
  tf.dispose(xs);
  const v = (await m.data())[0];
  m.dispose();
  return v;
}

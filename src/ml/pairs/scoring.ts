/**
 * Runs a pair model over whole splits in inference mode and hands back plain arrays for
 * evaluation.ts: pair scores per split, centre predictions, and one report per split.
 */
import * as tf from '@tensorflow/tfjs';
import type { BestF1, PrCurve } from '../eval/pr-curve';
import {
  imagesToTensor,
  pairLabels,
  pairTensors,
  type PairSet,
  type PairSplit,
  type PairSplits,
} from '../data/pairs';
import {
  centreReport,
  failureGallery,
  scoreHistogram,
  scoreMedians,
  splitCurve,
  transferThreshold,
  type CentreReport,
  type FailureGallery,
  type PrfAt,
  type ScoreHistogram,
} from './evaluation';
import type { PairModel } from './pair-model';

/** Scores [n] of every pair of `set` (model.score in inference mode), batchSize pairs at a time; leaves no tensors. */
export async function scorePairSet(
  model: PairModel,
  set: PairSet,
  batchSize = 100,
): Promise<Float32Array> {
  const out = new Float32Array(set.pairs.length);
  for (let start = 0; start < set.pairs.length; start += batchSize) {
    const idx = Array.from(
      { length: Math.min(batchSize, set.pairs.length - start) },
      (_, i) => start + i,
    );
    const t = pairTensors(set, idx);
    const s = model.score(t.xa, t.xb);
    tf.dispose([t.xa, t.xb, t.y, t.centres]);
    out.set(await s.data(), start);
    s.dispose();
  }
  return out;
}

/**
 * Centre predictions and truths of every image of `set`: [2n·2] each, image 2i = pair i's first
 * image, 2i+1 its second; (cx, cy) in 0..1. Needs a model with a centre head ('siamese-aux').
 */
export async function predictPairCentres(
  model: PairModel,
  set: PairSet,
  batchSize = 100,
): Promise<{ pred: Float32Array; truth: Float32Array }> {
  const predict = model.predictCentres;
  if (!predict) throw new Error(`${model.kind} has no centre head (use kind 'siamese-aux')`);
  const images = set.pairs.flatMap((p) => [p.a, p.b]);
  const pred = new Float32Array(images.length * 2),
    truth = new Float32Array(images.length * 2);
  images.forEach((im, i) => truth.set([im.cx, im.cy], 2 * i));
  for (let start = 0; start < images.length; start += batchSize) {
    const x = imagesToTensor(images.slice(start, start + batchSize), set.size);
    const c = predict(x);
    x.dispose();
    pred.set(await c.data(), 2 * start);
    c.dispose();
  }
  return { pred, truth };
}

export interface SplitReport {
  scores: Float32Array;
  labels: Uint8Array;
  curve: PrCurve;
  /** This split's own best-F1 threshold. */
  best: BestF1;
  /** P/R/F1 at the threshold chosen on the colour validation split. */
  atColourThreshold: PrfAt;
  histogram: ScoreHistogram;
  medians: { same: number; different: number };
  /** Galleries at the colour threshold. */
  gallery: FailureGallery;
  /** Centre-head error over both images of every pair ('siamese-aux' only). */
  centre?: CentreReport;
}

export interface PairModelReport {
  kind: PairModel['kind'];
  scoreKind: PairModel['scoreKind'];
  /** Best-F1 threshold of the colour validation split, applied to every split. */
  threshold: number;
  splits: Partial<Record<PairSplit, SplitReport>>;
}

/** Everything the evaluation views show for one model on `splits` (default test, colour, texture); needs the colour split. */
export async function evaluatePairModel(
  model: PairModel,
  data: PairSplits,
  opts: { splits?: PairSplit[]; bins?: number; galleryK?: number; batchSize?: number } = {},
): Promise<PairModelReport> {
  const names = opts.splits ?? ['test', 'colour', 'texture'];
  const raw: Partial<Record<PairSplit, { scores: Float32Array; labels: Uint8Array }>> = {};
  for (const name of new Set<PairSplit>([...names, 'colour'])) {
    raw[name] = {
      scores: await scorePairSet(model, data[name], opts.batchSize),
      labels: pairLabels(data[name].pairs),
    };
  }
  const colour = raw.colour;
  if (!colour) throw new Error('evaluatePairModel needs the colour validation split');
  const transfer = transferThreshold(
    colour,
    raw as Record<string, { scores: Float32Array; labels: Uint8Array }>,
  );
  const splits: Partial<Record<PairSplit, SplitReport>> = {};
  for (const name of names) {
    const s = raw[name];
    if (!s) continue;
    const { curve, best } = splitCurve(s);
    const report: SplitReport = {
      ...s,
      curve,
      best,
      atColourThreshold: transfer.applied[name],
      histogram: scoreHistogram(s, model.scoreRange, opts.bins ?? 20),
      medians: scoreMedians(s),
      gallery: failureGallery(s, transfer.threshold, opts.galleryK ?? 8),
    };
    if (model.predictCentres) {
      const c = await predictPairCentres(model, data[name], opts.batchSize);
      report.centre = centreReport(c.pred, c.truth, opts.galleryK ?? 8);
    }
    splits[name] = report;
  }
  return { kind: model.kind, scoreKind: model.scoreKind, threshold: transfer.threshold, splits };
}

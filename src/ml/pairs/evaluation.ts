/**
 * What the pairs lab's evaluation views show, as pure functions of plain arrays (no tensors): PR
 * curve and best-F1 threshold per split (sklearn's precision_recall_curve, via eval/pr-curve.ts),
 * the threshold chosen on the colour validation split applied to the others, fixed-bin score
 * histograms of same and different pairs (numpy.histogram's rule), failure galleries, the
 * centre-head error report, and the comparison table of the three models.
 * Labels are 1 = same, 0 = different; a pair is predicted "same" when score >= threshold.
 */
import {
  bestF1Threshold,
  precisionRecallAt,
  precisionRecallCurve,
  type BestF1,
  type PrCurve,
} from '../eval/pr-curve';

/** Precision, recall and F1 of thresholded scores. */
export interface PrfAt {
  precision: number;
  recall: number;
  f1: number;
}

/** Scores [n] and labels [n] of one split. */
export interface SplitScores {
  scores: ArrayLike<number>;
  labels: ArrayLike<number>;
}

/**
 * Counts of `values` in `bins` equal bins over [lo, hi], as numpy.histogram(values, bins, (lo, hi)):
 * bins are half-open [e_i, e_i+1) except the last, which includes hi; values outside [lo, hi] are not counted.
 */
export function histogram(
  values: ArrayLike<number>,
  lo: number,
  hi: number,
  bins: number,
): number[] {
  if (!(hi > lo)) throw new Error(`histogram range must have hi > lo, got [${lo}, ${hi}]`);
  if (!Number.isInteger(bins) || bins < 1)
    throw new Error(`histogram needs a positive integer bin count, got ${bins}`);
  const edges = histogramEdges(lo, hi, bins);
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) continue;
    let b = Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins));
    // Rounding in the division can land one bin off; the edges decide, as numpy does.
    if (v < edges[b]) b--;
    else if (b < bins - 1 && v >= edges[b + 1]) b++;
    counts[b]++;
  }
  return counts;
}

/** The bins + 1 edges of `histogram` (numpy.linspace(lo, hi, bins + 1)). */
export function histogramEdges(lo: number, hi: number, bins: number): number[] {
  const step = (hi - lo) / bins;
  return Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * step));
}

export interface ScoreHistogram {
  /** bins + 1 edges over the score range. */
  edges: number[];
  /** Counts of same pairs (label 1) per bin. */
  same: number[];
  /** Counts of different pairs (label 0) per bin. */
  different: number[];
}

/**
 * Fixed-bin histograms of the scores of same and of different pairs over `range` (e.g. [−1, 1] for
 * cosine). Scores are clamped into the range first (a float32 cosine can read 1.0000001), so every
 * pair is counted.
 */
export function scoreHistogram(
  split: SplitScores,
  range: readonly [number, number],
  bins = 20,
): ScoreHistogram {
  checkSplit(split);
  const same: number[] = [],
    different: number[] = [];
  for (let i = 0; i < split.scores.length; i++) {
    const v = Math.min(range[1], Math.max(range[0], split.scores[i]));
    (Number(split.labels[i]) === 1 ? same : different).push(v);
  }
  return {
    edges: histogramEdges(range[0], range[1], bins),
    same: histogram(same, range[0], range[1], bins),
    different: histogram(different, range[0], range[1], bins),
  };
}

/** Median of the scores of same pairs and of different pairs (NaN for an empty group). */
export function scoreMedians(split: SplitScores): { same: number; different: number } {
  checkSplit(split);
  const same: number[] = [],
    different: number[] = [];
  for (let i = 0; i < split.scores.length; i++)
    (Number(split.labels[i]) === 1 ? same : different).push(split.scores[i]);
  return { same: median(same), different: median(different) };
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function checkSplit(s: SplitScores): void {
  if (s.scores.length !== s.labels.length)
    throw new Error(`scores (${s.scores.length}) and labels (${s.labels.length}) differ in length`);
}

export interface SplitCurve {
  curve: PrCurve;
  /** Best-F1 threshold on this split, with its precision and recall. */
  best: BestF1;
}

/** PR curve (sklearn precision_recall_curve) and best-F1 threshold of one split. */
export function splitCurve(split: SplitScores): SplitCurve {
  checkSplit(split);
  const curve = precisionRecallCurve(split.scores, split.labels);
  return { curve, best: bestF1Threshold(curve) };
}

export interface ThresholdTransfer {
  /** Best-F1 threshold of the split it was chosen on. */
  threshold: number;
  chosenOn: BestF1;
  /** P/R/F1 of each target split at that threshold. */
  applied: Record<string, PrfAt>;
}

/** Chooses the best-F1 threshold on `chooseOn` (the colour validation split) and applies it to each of `targets`. */
export function transferThreshold(
  chooseOn: SplitScores,
  targets: Record<string, SplitScores>,
): ThresholdTransfer {
  const { best } = splitCurve(chooseOn);
  const applied: Record<string, PrfAt> = {};
  for (const [name, s] of Object.entries(targets)) {
    checkSplit(s);
    applied[name] = precisionRecallAt(s.scores, s.labels, best.threshold);
  }
  return { threshold: best.threshold, chosenOn: best, applied };
}

export interface GalleryItem {
  /** Index of the pair in its split. */
  index: number;
  score: number;
  label: 0 | 1;
}

export interface FailureGallery {
  /** Different pairs with the highest scores (the closest different pairs), highest first. */
  closestDifferent: GalleryItem[];
  /** Same pairs with the lowest scores (the farthest same pairs), lowest first. */
  farthestSame: GalleryItem[];
  /** Correctly classified pairs (at `threshold`) farthest from it, most confident first. */
  confidentCorrect: GalleryItem[];
}

/** Sorted by key, ties by index ascending (a stable sort of the indices). */
function topBy(items: GalleryItem[], key: (g: GalleryItem) => number, k: number): GalleryItem[] {
  return [...items].sort((a, b) => key(a) - key(b) || a.index - b.index).slice(0, k);
}

/** The lab's three galleries of one split, k pairs each (ties broken by lower index). */
export function failureGallery(split: SplitScores, threshold: number, k = 8): FailureGallery {
  checkSplit(split);
  const all: GalleryItem[] = Array.from({ length: split.scores.length }, (_, i) => ({
    index: i,
    score: split.scores[i],
    label: Number(split.labels[i]) === 1 ? 1 : 0,
  }));
  const same = all.filter((g) => g.label === 1),
    diff = all.filter((g) => g.label === 0);
  const correct = all.filter((g) => (g.score >= threshold ? 1 : 0) === g.label);
  return {
    closestDifferent: topBy(diff, (g) => -g.score, k),
    farthestSame: topBy(same, (g) => g.score, k),
    confidentCorrect: topBy(correct, (g) => -Math.abs(g.score - threshold), k),
  };
}

export interface CentreItem {
  /** Image index (row of pred/truth). */
  index: number;
  /** Squared error averaged over (cx, cy). */
  error: number;
  pred: [number, number];
  truth: [number, number];
}

export interface CentreReport {
  /** Mean squared error over all images and both coordinates (sklearn mean_squared_error). */
  mse: number;
  /** k lowest-error images, best first. */
  best: CentreItem[];
  /** k highest-error images, worst first. */
  worst: CentreItem[];
}

/** Centre-head report from predictions and true centres, both [n·2] row-major (cx, cy). */
export function centreReport(
  pred: ArrayLike<number>,
  truth: ArrayLike<number>,
  k = 8,
): CentreReport {
  if (pred.length !== truth.length || pred.length % 2 !== 0) {
    throw new Error(
      `centre predictions (${pred.length}) and truths (${truth.length}) must be equal-length [n·2]`,
    );
  }
  const n = pred.length / 2;
  const items: CentreItem[] = [];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = ((pred[2 * i] - truth[2 * i]) ** 2 + (pred[2 * i + 1] - truth[2 * i + 1]) ** 2) / 2;
    sum += e;
    items.push({
      index: i,
      error: e,
      pred: [pred[2 * i], pred[2 * i + 1]],
      truth: [truth[2 * i], truth[2 * i + 1]],
    });
  }
  const byErr =
    (s: number) =>
    (a: CentreItem, b: CentreItem): number =>
      s * (a.error - b.error) || a.index - b.index;
  return {
    mse: n > 0 ? sum / n : NaN,
    best: [...items].sort(byErr(1)).slice(0, k),
    worst: [...items].sort(byErr(-1)).slice(0, k),
  };
}

/** The three splits of the comparison table. */
export type ComparedSplit = 'test' | 'colour' | 'texture';
export const COMPARED_SPLITS: readonly ComparedSplit[] = ['test', 'colour', 'texture'];

export interface ComparisonRow extends PrfAt {
  model: string;
  split: ComparedSplit;
  /** The threshold used: best F1 on the model's colour validation split. */
  threshold: number;
  /** Best F1 reachable on this split with its own threshold (an oracle, for reference). */
  bestF1: number;
}

/**
 * Comparison table of several models: for each model and split (test, colour, texture), P/R/F1 at
 * the threshold chosen on that model's colour validation split, plus the split's own best F1.
 */
export function comparisonTable(
  models: { model: string; splits: Record<ComparedSplit, SplitScores> }[],
): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  for (const m of models) {
    const t = transferThreshold(m.splits.colour, m.splits);
    for (const split of COMPARED_SPLITS) {
      rows.push({
        model: m.model,
        split,
        threshold: t.threshold,
        ...t.applied[split],
        bestF1: splitCurve(m.splits[split]).best.f1,
      });
    }
  }
  return rows;
}

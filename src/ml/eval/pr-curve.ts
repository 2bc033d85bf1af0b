/**
 * Precision–recall curve for a binary score (e.g. a siamese pair similarity), computed exactly as
 * sklearn.metrics.precision_recall_curve (sklearn 1.2): one threshold per distinct score, in
 * increasing order; precision and recall have one more entry than thresholds, ending at (1, 0).
 * A sample is predicted positive when score >= threshold.
 */

export interface PrCurve {
  /** precision[i] at thresholds[i]; last entry 1 (no thresholds), length thresholds.length + 1. */
  precision: number[];
  /** recall[i] at thresholds[i]; decreasing, last entry 0. */
  recall: number[];
  /** The distinct scores, increasing. */
  thresholds: number[];
}

export interface BestF1 {
  threshold: number;
  f1: number;
  precision: number;
  recall: number;
}

/** PR curve from scores [n] and binary labels [n] (1/true = positive), as sklearn's precision_recall_curve. */
export function precisionRecallCurve(
  scores: ArrayLike<number>,
  labels: ArrayLike<number | boolean>,
): PrCurve {
  const n = scores.length;
  if (labels.length !== n)
    throw new Error(`scores (${n}) and labels (${labels.length}) differ in length`);
  if (n === 0) throw new Error('precisionRecallCurve needs at least one sample');
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(scores[i])) throw new Error(`score ${i} is not finite: ${scores[i]}`);
  }
  // sklearn sorts descending; tie order does not matter because only the last index of each run
  // of equal scores is used.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const tps: number[] = [],
    fps: number[] = [],
    thr: number[] = [];
  let tp = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r];
    if (Number(labels[i]) === 1) tp++;
    const last = r === n - 1 || scores[order[r + 1]] !== scores[i];
    if (last) {
      tps.push(tp);
      fps.push(r + 1 - tp);
      thr.push(scores[i]);
    }
  }
  const m = tps.length;
  const totalPos = tps[m - 1];
  const precision: number[] = [],
    recall: number[] = [],
    thresholds: number[] = [];
  for (let k = m - 1; k >= 0; k--) {
    const ps = tps[k] + fps[k];
    precision.push(ps !== 0 ? tps[k] / ps : 0);
    // sklearn warns and sets recall to 1 everywhere when there are no positives.
    recall.push(totalPos === 0 ? 1 : tps[k] / totalPos);
    thresholds.push(thr[k]);
  }
  precision.push(1);
  recall.push(0);
  return { precision, recall, thresholds };
}

/** Threshold with the highest F1 on a PR curve (the highest such threshold on ties), with its P and R. */
export function bestF1Threshold(curve: PrCurve): BestF1 {
  let best: BestF1 | null = null;
  for (let i = 0; i < curve.thresholds.length; i++) {
    const p = curve.precision[i],
      r = curve.recall[i];
    const f1 = p + r > 0 ? (2 * p * r) / (p + r) : 0;
    if (best === null || f1 >= best.f1)
      best = { threshold: curve.thresholds[i], f1, precision: p, recall: r };
  }
  if (best === null) throw new Error('empty PR curve');
  return best;
}

/** Binary predictions [n] (1 when score >= threshold, else 0), the rule the PR curve uses. */
export function applyThreshold(scores: ArrayLike<number>, threshold: number): Uint8Array {
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] >= threshold ? 1 : 0;
  return out;
}

/** Precision, recall and F1 of thresholded scores against binary labels (zero_division = 0). */
export function precisionRecallAt(
  scores: ArrayLike<number>,
  labels: ArrayLike<number | boolean>,
  threshold: number,
): { precision: number; recall: number; f1: number } {
  let tp = 0,
    fp = 0,
    fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const pos = Number(labels[i]) === 1,
      pred = scores[i] >= threshold;
    if (pred && pos) tp++;
    else if (pred) fp++;
    else if (pos) fn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

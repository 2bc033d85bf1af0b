/**
 * Classification metrics on integer labels (plain JS, no tensors), with sklearn's conventions:
 * confusion matrix rows are true classes and columns predicted classes; a class that is never
 * predicted has precision 0 and a class with no true samples has recall 0 (sklearn's
 * `zero_division=0`), and F1 is 0 whenever precision + recall is 0.
 */

export type Labels = ArrayLike<number>;

export interface ClassReport {
  precision: number;
  recall: number;
  f1: number;
  /** Number of true samples of this class. */
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  /** confusion[t][p]: samples of true class t predicted as p; numClasses × numClasses. */
  confusion: number[][];
  perClass: ClassReport[];
  /** Unweighted mean of the per-class F1 over all numClasses classes (sklearn average='macro'). */
  macroF1: number;
}

function checkSameLength(yTrue: Labels, yPred: Labels): void {
  if (yTrue.length !== yPred.length) {
    throw new Error(`labels differ in length: ${yTrue.length} true vs ${yPred.length} predicted`);
  }
}

/** Fraction of positions where yPred equals yTrue; [n], [n] → scalar in [0, 1] (0 for n = 0). */
export function accuracy(yTrue: Labels, yPred: Labels): number {
  checkSameLength(yTrue, yPred);
  if (yTrue.length === 0) return 0;
  let hit = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hit++;
  return hit / yTrue.length;
}

/** Confusion matrix [numClasses][numClasses] (rows true, columns predicted) from labels in [0, numClasses). */
export function confusionMatrix(yTrue: Labels, yPred: Labels, numClasses: number): number[][] {
  checkSameLength(yTrue, yPred);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const t = yTrue[i],
      p = yPred[i];
    if (!(t >= 0 && t < numClasses && p >= 0 && p < numClasses) || t % 1 !== 0 || p % 1 !== 0) {
      throw new Error(`label out of range [0, ${numClasses}) at ${i}: true ${t}, predicted ${p}`);
    }
    m[t][p]++;
  }
  return m;
}

/** Per-class precision/recall/F1/support from a confusion matrix (rows true); zero_division = 0. */
export function perClassMetrics(confusion: number[][]): ClassReport[] {
  const c = confusion.length;
  const out: ClassReport[] = [];
  for (let k = 0; k < c; k++) {
    const tp = confusion[k][k];
    let predicted = 0,
      support = 0;
    for (let j = 0; j < c; j++) {
      predicted += confusion[j][k];
      support += confusion[k][j];
    }
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    out.push({ precision, recall, f1, support });
  }
  return out;
}

/** Accuracy, confusion matrix, per-class metrics and macro-F1 for labels in [0, numClasses). */
export function classificationReport(
  yTrue: Labels,
  yPred: Labels,
  numClasses: number,
): ClassificationReport {
  const confusion = confusionMatrix(yTrue, yPred, numClasses);
  const perClass = perClassMetrics(confusion);
  const macroF1 = numClasses > 0 ? perClass.reduce((s, r) => s + r.f1, 0) / numClasses : 0;
  return { accuracy: accuracy(yTrue, yPred), confusion, perClass, macroF1 };
}

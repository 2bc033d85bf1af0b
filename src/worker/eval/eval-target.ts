/**
 * What every classifier evaluation shares: the target (the run's classes, the dataset and split
 * evaluated, the class map onto the run's classes), the labelled rows of an embedding set, and the
 * result record with its classification report.
 */
import { classificationReport } from '../../ml/eval/metrics';
import type { ClassifierKind, ClassifierResult, EvalTarget } from '../../common/eval-types';
import type { EmbeddingCache, EmbeddingSet } from './embeddings';

/** Embeddings and labels of one evaluation (the bank is empty for the run's own classifier). */
export interface Prepared {
  classes: string[];
  datasetId: string;
  querySplit: NonNullable<EvalTarget['querySplit']>;
  /** Labelled bank rows (run's train split). */
  bankX: Float32Array;
  bankY: Int32Array;
  /** Kept query rows and their mapped labels. */
  queryX: Float32Array;
  queryY: Int32Array;
  queryIndices: Int32Array;
  dim: number;
  epoch: number;
  step: number;
}

export /** Rows of `set` whose (mapped) label is ≥ 0: their embeddings, labels and dataset indices. */
function keepLabelled(
  set: EmbeddingSet,
  map: (label: number) => number,
): { x: Float32Array; y: Int32Array; idx: Int32Array } {
  const rows: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < set.n; i++) {
    const l = set.labels[i] >= 0 ? map(set.labels[i]) : -1;
    if (l >= 0) {
      rows.push(i);
      y.push(l);
    }
  }
  const x = new Float32Array(rows.length * set.dim);
  rows.forEach((r, k) => x.set(set.x.subarray(r * set.dim, (r + 1) * set.dim), k * set.dim));
  return { x, y: Int32Array.from(y), idx: Int32Array.from(rows, (r) => set.indices[r]) };
}

/** The run's classes, the dataset and split evaluated, and its class index → the run's (or -1). */
export async function resolveEvalTarget(cache: EmbeddingCache, t: EvalTarget) {
  const { config } = await cache.checkpoint(t.runId, t.slot);
  const runData = await cache.dataset(config.dataset.id);
  const classes = runData.meta.classes;
  if (classes.length < 2)
    throw new Error(
      `dataset “${runData.meta.name}” has ${classes.length} classes: evaluation needs labelled classes`,
    );
  const datasetId = t.datasetId ?? config.dataset.id;
  const querySplit = t.querySplit ?? 'test';
  const evalData = datasetId === config.dataset.id ? runData : await cache.dataset(datasetId);
  let map: (l: number) => number = (l) => l;
  if (t.classMap) {
    const cm = t.classMap;
    if (cm.length !== evalData.meta.classes.length)
      throw new Error(
        `class map has ${cm.length} entries, dataset “${evalData.meta.name}” ${evalData.meta.classes.length} classes`,
      );
    for (const c of cm)
      if (!(Number.isInteger(c) && c >= -1 && c < classes.length))
        throw new Error(
          `class map entry ${c} is not a class of the run (0..${classes.length - 1}) or -1`,
        );
    map = (l) => cm[l];
  } else if (
    datasetId !== config.dataset.id &&
    evalData.meta.classes.join('\n') !== classes.join('\n')
  ) {
    throw new Error(
      `dataset “${evalData.meta.name}” has other classes than the run's: give a class map`,
    );
  }
  return { config, classes, datasetId, querySplit, evalData, map };
}

/** The result of `kind` on the prepared queries (figures, confusion matrix, rows for the CSV). */
export function classifierResult(
  kind: ClassifierKind,
  req: EvalTarget,
  p: Prepared,
  predictions: Int32Array,
  probs: Float32Array,
  t0: number,
): ClassifierResult {
  const rep = classificationReport(p.queryY, predictions, p.classes.length);
  const init = req.init ?? 'ssl';
  return {
    kind,
    runId: req.runId,
    slot: req.slot,
    init,
    ...(init === 'imported' && req.initRunId ? { initRunId: req.initRunId } : {}),
    datasetId: p.datasetId,
    querySplit: p.querySplit,
    classes: p.classes,
    accuracy: rep.accuracy,
    macroF1: rep.macroF1,
    confusion: rep.confusion,
    perClass: rep.perClass,
    queryIndices: p.queryIndices,
    trueLabels: p.queryY,
    predictions,
    probs,
    bankSize: p.bankY.length,
    epoch: p.epoch,
    step: p.step,
    ms: performance.now() - t0,
  };
}

/**
 * A supervised or fine-tuned run's own classifier: its checkpoint's backbone gives the embeddings
 * (the evaluation cache, eval mode, no augmentation) and its linear head — the SupervisedMethod's
 * `classifier` Dense layer, stored as method tensors 'classifier.0' (kernel [dim, classes]) and
 * 'classifier.1' (bias) — gives the class probabilities, on any split of any stored dataset,
 * labelled (scored like kNN / probes) or not (predictions only, one row per image).
 */
import type { TrainCheckpoint } from '../../ml/train/checkpoint-types';
import { toCsv } from '../../common/csv';
import type {
  ClassifierResult,
  EvalProgress,
  OwnClassifierRequest,
  PredictRequest,
  PredictResult,
} from '../../common/eval-types';
import type { EmbeddingCache, EmbeddingSet } from './embeddings';
import { classifierResult, keepLabelled, resolveEvalTarget, type Prepared } from './eval-target';
import { parseOwnClassifierRequest, parsePredictRequest } from './request-schema';

export interface LinearHead {
  /** Row-major kernel [dim × classes]. */
  kernel: Float32Array;
  bias: Float32Array;
  dim: number;
  classes: number;
}

/** The linear head a checkpoint carries, or an Error saying why it has none (self-supervised run, …). */
export function headOf(ckpt: TrainCheckpoint, runName: string): LinearHead {
  const k = ckpt.method.tensors['classifier.0'];
  const b = ckpt.method.tensors['classifier.1'];
  if (ckpt.method.method !== 'supervised' || !k || !b)
    throw new Error(
      `“${runName}” has no classifier of its own (a ${ckpt.method.method} run learns embeddings only): evaluate it with kNN or a linear probe, or fine-tune it`,
    );
  if (k.shape.length !== 2 || b.shape.length !== 1 || k.shape[1] !== b.shape[0])
    throw new Error(`“${runName}”: its classifier has shapes [${k.shape}] and [${b.shape}]`);
  return {
    kernel: k.data as Float32Array,
    bias: b.data as Float32Array,
    dim: k.shape[0],
    classes: k.shape[1],
  };
}

/**
 * Softmax(x·W + b) for every row of `set` (float64 accumulation): probabilities [n × classes] and
 * the arg-max class per row (ties → the lower class).
 */
export function applyHead(
  head: LinearHead,
  set: Pick<EmbeddingSet, 'x' | 'n' | 'dim'>,
): { probs: Float32Array; predictions: Int32Array } {
  if (set.dim !== head.dim)
    throw new Error(`the embeddings have ${set.dim} dimensions, the classifier ${head.dim}`);
  const { classes: c, dim, kernel, bias } = head;
  const probs = new Float32Array(set.n * c);
  const predictions = new Int32Array(set.n);
  const z = new Float64Array(c);
  for (let i = 0; i < set.n; i++) {
    for (let j = 0; j < c; j++) z[j] = bias[j];
    const row = i * dim;
    for (let d = 0; d < dim; d++) {
      const x = set.x[row + d];
      if (x === 0) continue;
      const kr = d * c;
      for (let j = 0; j < c; j++) z[j] += x * kernel[kr + j];
    }
    let best = 0;
    for (let j = 1; j < c; j++) if (z[j] > z[best]) best = j;
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(z[j] - z[best]);
    for (let j = 0; j < c; j++) probs[i * c + j] = Math.exp(z[j] - z[best]) / s;
    predictions[i] = best;
  }
  return { probs, predictions };
}

/**
 * The run's own classifier on the query split: the same figures, confusion matrix and CSV rows as
 * kNN and probes, with no bank.
 */
export async function evaluateOwnClassifier(
  cache: EmbeddingCache,
  raw: OwnClassifierRequest,
  onProgress?: (p: EvalProgress) => void,
): Promise<ClassifierResult> {
  const t0 = performance.now();
  const req = parseOwnClassifierRequest(raw);
  const { ckpt } = await cache.checkpoint(req.runId, req.slot);
  const { config, classes, datasetId, querySplit, evalData, map } = await resolveEvalTarget(
    cache,
    req,
  );
  const head = headOf(ckpt, config.name);
  if (head.classes !== classes.length)
    throw new Error(
      `the classifier has ${head.classes} outputs, the run's dataset ${classes.length} classes`,
    );
  const queries = await cache.get(
    { runId: req.runId, slot: req.slot, datasetId, split: querySplit },
    (done, total) => onProgress?.({ phase: 'embed-queries', done, total }),
  );
  const q = keepLabelled(queries, map);
  if (q.y.length === 0)
    throw new Error(`no labelled ${querySplit} images to evaluate in “${evalData.meta.name}”`);
  onProgress?.({ phase: 'classify', done: 0, total: q.y.length });
  const { probs, predictions } = applyHead(head, { x: q.x, n: q.y.length, dim: queries.dim });
  const p: Prepared = {
    classes,
    datasetId,
    querySplit,
    bankX: new Float32Array(0),
    bankY: new Int32Array(0),
    queryX: q.x,
    queryY: q.y,
    queryIndices: q.idx,
    dim: queries.dim,
    epoch: queries.epoch,
    step: queries.step,
  };
  return classifierResult('classifier', req, p, predictions, probs, t0);
}

/**
 * The run's own classifier on every image of a split (default 'all'), labelled or not: a CSV in the
 * form contests take (`file,label`, optionally one `p_<class>` column each) and the predictions
 * for a gallery grouped by class.
 */
export async function predictImages(
  cache: EmbeddingCache,
  raw: PredictRequest,
  onProgress?: (p: EvalProgress) => void,
): Promise<PredictResult> {
  const t0 = performance.now();
  const req = parsePredictRequest(raw);
  const { ckpt, config } = await cache.checkpoint(req.runId, req.slot);
  const head = headOf(ckpt, config.name);
  const classes = (await cache.dataset(config.dataset.id)).meta.classes;
  const { index } = await cache.dataset(req.datasetId);
  const set = await cache.get(
    { runId: req.runId, slot: req.slot, datasetId: req.datasetId, split: req.split ?? 'all' },
    (done, total) => onProgress?.({ phase: 'embed-queries', done, total }),
  );
  const { probs, predictions } = applyHead(head, set);
  const c = head.classes;
  const confidence = Float32Array.from(predictions, (k, i) => probs[i * c + k]);
  const header = ['file', 'label'];
  if (req.probabilities) header.push(...classes.map((n) => `p_${n}`));
  const rows = Array.from(set.indices, (img, i) => {
    const cells: (string | number)[] = [index.paths[img], classes[predictions[i]]];
    if (req.probabilities) for (let j = 0; j < c; j++) cells.push(probs[i * c + j]);
    return cells;
  });
  return {
    csv: toCsv(header, rows),
    classes,
    indices: set.indices,
    predictions,
    confidence,
    datasetId: req.datasetId,
    ms: performance.now() - t0,
  };
}

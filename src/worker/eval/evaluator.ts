/**
 * The worker side of the Evaluate panel: weighted kNN and linear-probe evaluation of a run's
 * checkpoint on a stored dataset (its own test split, or another dataset through a class map),
 * embeddings for the explorer, and the predictions CSV of the latest kNN / probe result. Each
 * request is checked against its schema (request-schema.ts) as it enters.
 */
import * as tf from '@tensorflow/tfjs';
import { knnClassify } from '../../ml/eval/knn';
import { trainLinearProbe } from '../../ml/eval/linear-probe';
import { classificationReport } from '../../ml/eval/metrics';
import { toCsv, topK } from '../../common/csv';
import {
  fineTune,
  type FineTuneEpoch,
  type FineTuneRequest,
  type FineTuneResult,
} from './finetune';
import { recordFineTuneRun, recordProbeRun, type EvalRecorder } from './record-eval-run';
import {
  parseEmbeddingsRequest,
  parseFineTuneRequest,
  parseKnnRequest,
  parseProbeRequest,
} from './request-schema';
import { evaluateOwnClassifier, predictImages } from './own-classifier';
import { classifierResult, keepLabelled, resolveEvalTarget, type Prepared } from './eval-target';
import type { EmbeddingCache, EmbeddingSet } from './embeddings';
import type {
  ClassifierKind,
  ClassifierResult,
  OwnClassifierRequest,
  PredictRequest,
  PredictResult,
  EmbeddingsRequest,
  EmbeddingsResult,
  EvalProgress,
  EvalTarget,
  KnnEvalRequest,
  ProbeEvalRequest,
  ProbeResult,
} from '../../common/eval-types';

export class Evaluator {
  readonly #cache: EmbeddingCache;
  readonly #recorder: EvalRecorder | null;
  #last: Record<ClassifierKind, ClassifierResult | null> = {
    knn: null,
    probe: null,
    classifier: null,
  };

  #stopFineTune = false;

  /** With a recorder, every linear probe and fine-tune is stored as a run (record-eval-run.ts). */
  constructor(cache: EmbeddingCache, recorder: EvalRecorder | null = null) {
    this.#cache = cache;
    this.#recorder = recorder;
  }

  async #prepare(t: EvalTarget, onProgress?: (p: EvalProgress) => void): Promise<Prepared> {
    const { config, classes, datasetId, querySplit, evalData, map } = await resolveEvalTarget(
      this.#cache,
      t,
    );
    const init = { init: t.init, initRunId: t.initRunId };
    const bank = await this.#cache.get(
      { runId: t.runId, slot: t.slot, datasetId: config.dataset.id, split: 'train', ...init },
      (done, total) => onProgress?.({ phase: 'embed-bank', done, total }),
    );
    const queries = await this.#cache.get(
      { runId: t.runId, slot: t.slot, datasetId, split: querySplit, ...init },
      (done, total) => onProgress?.({ phase: 'embed-queries', done, total }),
    );
    const b = keepLabelled(bank, (l) => l);
    const q = keepLabelled(queries, map);
    if (b.y.length === 0)
      throw new Error("the run's train split has no labelled images for the bank");
    if (q.y.length === 0)
      throw new Error(`no labelled ${querySplit} images to evaluate in “${evalData.meta.name}”`);
    return {
      classes,
      datasetId,
      querySplit,
      bankX: b.x,
      bankY: b.y,
      queryX: q.x,
      queryY: q.y,
      queryIndices: q.idx,
      dim: bank.dim,
      epoch: bank.epoch,
      step: bank.step,
    };
  }

  /** Weighted kNN (Wu et al. 2018) of the query split against the run's train-split embeddings. */
  async knn(
    raw: KnnEvalRequest,
    onProgress?: (p: EvalProgress) => void,
  ): Promise<ClassifierResult> {
    const t0 = performance.now();
    const req = parseKnnRequest(raw);
    const p = await this.#prepare(req, onProgress);
    const c = p.classes.length;
    const nb = p.bankY.length,
      nq = p.queryY.length;
    onProgress?.({ phase: 'classify', done: 0, total: nq });
    const bank = tf.tensor2d(p.bankX, [nb, p.dim]);
    const queries = tf.tensor2d(p.queryX, [nq, p.dim]);
    let r;
    try {
      r = await knnClassify(bank, p.bankY, queries, p.queryY, {
        k: req.k,
        temperature: req.temperature,
        numClasses: c,
      });
    } finally {
      tf.dispose([bank, queries]);
    }
    const probs = new Float32Array(nq * c);
    for (let i = 0; i < nq; i++) {
      let s = 0;
      for (let j = 0; j < c; j++) s += r.scores[i * c + j];
      for (let j = 0; j < c; j++) probs[i * c + j] = s > 0 ? r.scores[i * c + j] / s : 0;
    }
    const out = classifierResult('knn', req, p, r.predictions, probs, t0);
    this.#last.knn = out;
    return out;
  }

  /** Linear probe (ml/eval/linear-probe.ts) on standardised run-train embeddings, scored on the query split. */
  async probe(raw: ProbeEvalRequest, onProgress?: (p: EvalProgress) => void): Promise<ProbeResult> {
    const t0 = performance.now();
    const req = parseProbeRequest(raw);
    const startedAt = Date.now();
    const p = await this.#prepare(req, onProgress);
    const c = p.classes.length;
    const train = { x: p.bankX, y: p.bankY },
      test = { x: p.queryX, y: p.queryY };
    const r = await trainLinearProbe(train, test, p.dim, c, {
      maxIterations: req.maxIterations,
      C: req.C,
      onIteration: (e) =>
        onProgress?.({ phase: 'probe', done: e.epoch, total: req.maxIterations, epoch: e }),
    });
    // Softmax of the fitted weights on the query split, on the standardisation the probe fitted.
    const base = classifierResult('probe', req, p, r.testPredictions, r.testProbabilities, t0);
    this.#last.probe = base;
    const out: ProbeResult = { ...base, curves: r.curves, trainAccuracy: r.trainAccuracy };
    if (this.#recorder) {
      const { config } = await this.#cache.checkpoint(req.runId, req.slot);
      out.recordedRunId = (await recordProbeRun(this.#recorder, req, out, config, startedAt)).id;
    }
    return out;
  }

  /** The run's own classifier (a supervised or fine-tuned run's head) on the query split; see own-classifier.ts. */
  async classifier(
    raw: OwnClassifierRequest,
    onProgress?: (p: EvalProgress) => void,
  ): Promise<ClassifierResult> {
    const out = await evaluateOwnClassifier(this.#cache, raw, onProgress);
    this.#last.classifier = out;
    return out;
  }

  /** The run's own classifier on every image of a split, labelled or not: the contest CSV and a gallery's predictions. */
  predict(raw: PredictRequest, onProgress?: (p: EvalProgress) => void): Promise<PredictResult> {
    return predictImages(this.#cache, raw, onProgress);
  }

  /** Predictions CSV of the latest kNN, probe or own-classifier result: path, true and predicted class, probability, top-3. */
  async predictionsCsv(kind: ClassifierKind): Promise<string> {
    const r = this.#last[kind];
    const what = { knn: 'kNN', probe: 'linear probe', classifier: 'classifier' }[kind];
    if (!r) throw new Error(`no ${what} result yet: evaluate first`);
    const { index } = await this.#cache.dataset(r.datasetId);
    const n = r.queryIndices.length,
      c = r.classes.length;
    const top = topK(r.probs, n, c, 3);
    const rows = Array.from({ length: n }, (_, i) => {
      const t3 = top[i];
      const cells: (string | number)[] = [
        index.paths[r.queryIndices[i]],
        r.classes[r.trueLabels[i]],
        r.classes[r.predictions[i]],
        r.probs[i * c + r.predictions[i]],
      ];
      for (let k = 0; k < 3; k++)
        cells.push(t3[k] ? r.classes[t3[k].cls] : '', t3[k] ? t3[k].p : '');
      return cells;
    });
    return toCsv(
      [
        'path',
        'true_class',
        'predicted_class',
        'probability',
        'top1_class',
        'top1_prob',
        'top2_class',
        'top2_prob',
        'top3_class',
        'top3_prob',
      ],
      rows,
    );
  }

  /**
   * Fine-tunes the run's backbone (SSL init from the checkpoint, random init, or imported weights)
   * with a linear head, see finetune.ts; recorded as a 'fine-tune' run with its weights when a recorder is set.
   */
  async fineTune(
    raw: FineTuneRequest,
    onEpoch?: (e: FineTuneEpoch) => void,
  ): Promise<FineTuneResult> {
    const req = parseFineTuneRequest(raw);
    const rec = this.#recorder;
    this.#stopFineTune = false;
    const startedAt = Date.now();
    let recordedRunId: string | undefined;
    const r = await fineTune(
      this.#cache,
      req,
      onEpoch,
      rec
        ? async (parts, result) => {
            const { config } = await this.#cache.checkpoint(req.runId, req.slot);
            recordedRunId = (await recordFineTuneRun(rec, parts, result, config, startedAt)).id;
          }
        : undefined,
      () => this.#stopFineTune,
    );
    return recordedRunId ? { ...r, recordedRunId } : r;
  }

  /** Asks the running fine-tune to end after its current step (its partial epoch is scored and recorded). */
  stopFineTune(): void {
    this.#stopFineTune = true;
  }

  /** Embeddings of some splits of a dataset (default: the run's), rows in storage order, for the explorer. */
  async embeddings(
    raw: EmbeddingsRequest,
    onProgress?: (p: EvalProgress) => void,
  ): Promise<EmbeddingsResult> {
    const req = parseEmbeddingsRequest(raw);
    const { config } = await this.#cache.checkpoint(req.runId, req.slot);
    const datasetId = req.datasetId ?? config.dataset.id;
    const { meta, index } = await this.#cache.dataset(datasetId);
    const sets: EmbeddingSet[] = [];
    for (const split of req.splits) {
      sets.push(
        await this.#cache.get(
          { runId: req.runId, slot: req.slot, datasetId, split },
          (done, total) => onProgress?.({ phase: 'embed-queries', done, total }),
        ),
      );
    }
    const n = sets.reduce((s, e) => s + e.n, 0);
    const dim = sets[0]?.dim ?? 0;
    const x = new Float32Array(n * dim);
    const indices = new Int32Array(n),
      labels = new Int32Array(n);
    let o = 0;
    for (const s of sets) {
      x.set(s.x, o * dim);
      indices.set(s.indices, o);
      labels.set(s.labels, o);
      o += s.n;
    }
    return {
      x,
      n,
      dim,
      indices,
      labels,
      splits: Uint8Array.from(indices, (i) => index.splits[i]),
      paths: Array.from(indices, (i) => index.paths[i]),
      classes: meta.classes,
      datasetId,
    };
  }
}

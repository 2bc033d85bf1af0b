/**
 * The selected run's own classifier (a supervised or fine-tuned run's trained head): scored on the
 * chosen split like kNN and probes, and run on every image of any stored dataset — a folder of new,
 * unlabelled images — for the contest CSV (`file,label`) and a gallery grouped by predicted class.
 */
import type { ClassifierResult, PredictResult } from '../../worker/api';
import type { EngineClient } from '../../worker/client';
import type { EvalContext } from './context';
import { latestRequest } from './request';

export class OwnClassifier {
  readonly #ctx: EvalContext;
  readonly #client: EngineClient;

  result = $state.raw<ClassifierResult | null>(null);
  predicted = $state.raw<PredictResult | null>(null);
  /** Dataset to predict on (null = the evaluated one). */
  predictDatasetId = $state<string | null>(null);
  /** One probability column per class in the CSV. */
  withProbabilities = $state(false);

  constructor(ctx: EvalContext, client: EngineClient) {
    this.#ctx = ctx;
    this.#client = client;
  }

  /** Whether the selected run has a head of its own (supervised training or a fine-tune). */
  get available(): boolean {
    return this.#ctx.run?.config.method.method === 'supervised';
  }

  async run(): Promise<void> {
    const latest = this.#ctx.requests.next();
    await latestRequest(
      this.#ctx,
      latest,
      'classifier',
      (onProgress) => this.#client.evaluateClassifier(this.#ctx.evalTarget(), onProgress),
      (r, isLatest) => {
        if (isLatest) this.result = r;
      },
    );
  }

  async predict(): Promise<void> {
    const target = this.#ctx.evalTarget();
    const datasetId = this.predictDatasetId ?? target.datasetId ?? this.#ctx.run?.config.dataset.id;
    if (!datasetId) return;
    const latest = this.#ctx.requests.next();
    await latestRequest(
      this.#ctx,
      latest,
      'classifier',
      (onProgress) =>
        this.#client.predictImages(
          {
            runId: target.runId,
            slot: target.slot,
            datasetId,
            split: 'all',
            probabilities: this.withProbabilities,
          },
          onProgress,
        ),
      (r, isLatest) => {
        if (isLatest) this.predicted = r;
      },
    );
  }

  predictionsCsv(): Promise<string> {
    return this.#client.remote.predictionsCsv('classifier');
  }
}

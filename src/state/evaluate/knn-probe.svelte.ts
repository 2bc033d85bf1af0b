/**
 * kNN and linear-probe evaluation of the selected checkpoint: their settings, the latest results and
 * the probe's training curve. A probe on the run's own test split also fills the comparison's
 * "self-supervised init" probe cell.
 */
import {
  compareKey,
  type ClassifierResult,
  type ComparisonCell,
  type ComparisonRow,
  type ProbeEvalRequest,
  type ProbeResult,
} from '../../worker/api';
import type { EngineClient } from '../../worker/client';
import type { Comparison } from './comparison.svelte';
import type { EvalContext } from './context';
import { latestRequest } from './request';

/** One probe iteration: `epoch` is the L-BFGS iteration (one full pass over the training set). */
export type ProbeCurvePoint = { epoch: number; loss: number; trainAccuracy: number };

/** A probe result as a comparison cell computed with `budget`. */
export function probeCell(r: ProbeResult, budget: string): ComparisonCell {
  return {
    accuracy: r.accuracy,
    macroF1: r.macroF1,
    ms: r.ms,
    budget,
    recordedRunId: r.recordedRunId,
  };
}

export class KnnProbe {
  readonly #ctx: EvalContext;
  readonly #client: EngineClient;
  readonly #comparison: Comparison;

  k = $state(20);
  temperature = $state(0.1);
  /** Most L-BFGS iterations of the linear probe (it stops earlier once converged). */
  probeMaxIterations = $state(100);
  /** The probe's inverse L2 strength, sklearn's C (the L2 term is ‖W‖²/(2·C·n)). */
  probeC = $state(1);

  knn = $state.raw<ClassifierResult | null>(null);
  probe = $state.raw<ProbeResult | null>(null);
  probeCurve = $state.raw<ProbeCurvePoint[]>([]);

  constructor(ctx: EvalContext, client: EngineClient, comparison: Comparison) {
    this.#ctx = ctx;
    this.#client = client;
    this.#comparison = comparison;
  }

  /** The budget a probe cell must have been computed with to count as done. */
  get probeBudget(): string {
    return `L-BFGS ≤ ${this.probeMaxIterations} iterations · C ${this.probeC}`;
  }

  #probeRequest(target: Omit<ProbeEvalRequest, 'maxIterations' | 'C'>): ProbeEvalRequest {
    return { ...target, maxIterations: this.probeMaxIterations, C: this.probeC };
  }

  async runKnn(): Promise<void> {
    const latest = this.#ctx.requests.next();
    await latestRequest(
      this.#ctx,
      latest,
      'knn',
      (onProgress) =>
        this.#client.evaluateKnn(
          { ...this.#ctx.evalTarget(), k: this.k, temperature: this.temperature },
          onProgress,
        ),
      (r, isLatest) => {
        if (isLatest) this.knn = r;
      },
    );
  }

  async runProbe(): Promise<void> {
    const latest = this.#ctx.requests.next();
    this.probeCurve = [];
    await latestRequest(
      this.#ctx,
      latest,
      'probe',
      (onProgress) =>
        this.#client.evaluateProbe(this.#probeRequest(this.#ctx.evalTarget()), onProgress),
      (r, isLatest) => {
        if (isLatest) this.probe = r;
        if (r.datasetId === this.#ctx.run?.config.dataset.id && r.querySplit === 'test')
          this.#comparison.setCell(
            compareKey(r.runId, r.slot, 'ssl'),
            'probe',
            probeCell(r, this.probeBudget),
          );
      },
      (p) => {
        if (p.epoch) this.probeCurve = [...this.probeCurve, p.epoch];
      },
    );
  }

  /** Linear probe of one comparison row (own dataset, test split, the probe settings); fills its cell. */
  async probeRow(row: ComparisonRow): Promise<boolean> {
    const ctx = this.#ctx;
    if (!ctx.runId) return false;
    const budget = this.probeBudget;
    ctx.busy = 'probe';
    try {
      const r = await this.#client.evaluateProbe(
        this.#probeRequest({
          runId: ctx.runId,
          slot: ctx.slot,
          init: row.init,
          initRunId: row.initRunId,
          querySplit: 'test',
        }),
        (p) => (ctx.progress = p),
      );
      this.#comparison.setCell(row.key, 'probe', probeCell(r, budget));
      return true;
    } catch (e) {
      ctx.error = (e as Error).message;
      return false;
    } finally {
      ctx.busy = null;
      ctx.progress = null;
    }
  }

  predictionsCsv(kind: 'knn' | 'probe'): Promise<string> {
    return this.#client.remote.predictionsCsv(kind);
  }
}

/**
 * Fine-tuning (backbone + linear head, end to end) of the selected run from its checkpoint, from
 * scratch or from an imported run's weights: settings, the live curve and the results; a finished
 * fine-tune fills its comparison cell and hands its embedding snapshots to the evolution maps.
 */
import {
  compareKey,
  type FineTuneEpoch,
  type FineTuneResult,
  type WeightsInit,
} from '../../worker/api';
import type { EngineClient } from '../../worker/client';
import type { Comparison } from './comparison.svelte';
import type { EvalContext } from './context';
import type { EvolutionSource } from './types';

export class FineTune {
  readonly #ctx: EvalContext;
  readonly #client: EngineClient;
  readonly #comparison: Comparison;
  readonly #keepSnapshots: (src: EvolutionSource) => void;

  epochs = $state(5);
  lr = $state(0.001);
  batch = $state(32);
  /** Head learning rate (the backbone's is lr); 10× by default, as fine-tuning recipes do for a fresh head. */
  headLr = $state(0.01);
  /** Keep embedding snapshots every this many epochs (0 = none) of at most snapshotPoints images. */
  snapshotEvery = $state(1);
  snapshotPoints = $state(2000);
  /** Results (one per run, slot and start; the latest replaces), snapshots stripped. */
  results = $state.raw<(FineTuneResult & { slot: string })[]>([]);
  live = $state.raw<{ init: WeightsInit; curve: FineTuneEpoch[] } | null>(null);

  constructor(
    ctx: EvalContext,
    client: EngineClient,
    comparison: Comparison,
    keepSnapshots: (src: EvolutionSource) => void,
  ) {
    this.#ctx = ctx;
    this.#client = client;
    this.#comparison = comparison;
    this.#keepSnapshots = keepSnapshots;
  }

  /** The budget a fine-tune cell must have been computed with to count as done. */
  get budget(): string {
    return `${this.epochs} epochs · batch ${this.batch} · lr ${this.lr} / head ${this.headLr}`;
  }

  /**
   * Fine-tunes the run's backbone from its checkpoint ('ssl'), from scratch ('random') or from the
   * chosen imported run's weights ('imported'); fills its comparison cell, keeps its snapshots for
   * the evolution, and lists the recorded fine-tune run. Resolves false when it failed.
   */
  async run(init: WeightsInit): Promise<boolean> {
    const ctx = this.#ctx;
    if (!ctx.runId) return false;
    const initRunId = init === 'imported' ? (ctx.importedRunId ?? undefined) : undefined;
    if (init === 'imported' && !initRunId) {
      ctx.error = 'choose an imported run (same architecture) first';
      return false;
    }
    const latest = ctx.requests.next();
    const slot = ctx.slot;
    const budget = this.budget;
    ctx.error = null;
    ctx.busy = 'finetune';
    this.live = { init, curve: [] };
    try {
      const r = await this.#client.fineTune(
        {
          runId: ctx.runId,
          slot,
          init,
          initRunId,
          epochs: this.epochs,
          learningRate: this.lr,
          headLearningRate: this.headLr,
          batchSize: this.batch,
          seed: 0,
          snapshotEvery: this.snapshotEvery,
          snapshotPoints: this.snapshotPoints,
        },
        (e) => {
          if (latest() && this.live) this.live = { init, curve: [...this.live.curve, e] };
        },
      );
      const key = compareKey(r.runId, slot, init, initRunId);
      // A stopped fine-tune had a smaller budget: it is kept in the list and the runs, not in the comparison.
      if (r.stoppedAtEpoch === undefined)
        this.#comparison.setCell(key, 'fineTune', {
          accuracy: r.final.testAccuracy,
          macroF1: r.final.testMacroF1,
          ms: r.ms,
          budget,
          recordedRunId: r.recordedRunId,
        });
      const same = (f: FineTuneResult & { slot: string }) =>
        f.runId === r.runId && f.slot === slot && f.init === init && f.initRunId === r.initRunId;
      this.results = [...this.results.filter((f) => !same(f)), { ...r, slot, snapshots: null }];
      if (r.snapshots) {
        const start =
          init === 'imported' && initRunId
            ? ctx.importLabel(initRunId)
            : init === 'ssl'
              ? 'SSL init'
              : 'random init';
        this.#keepSnapshots({
          key,
          label: `${start} · ${ctx.run?.name ?? ''}`,
          snapshots: r.snapshots,
        });
      }
      await ctx.refreshRuns();
      return true;
    } catch (e) {
      if (latest()) ctx.error = (e as Error).message;
      return false;
    } finally {
      if (latest()) ctx.busy = null;
    }
  }

  /** Ends the running fine-tune after its current step; its epochs so far are scored, listed and recorded. */
  stop(): void {
    void this.#client.remote.stopFineTune();
  }
}

/**
 * The Evaluate panel's state: which run checkpoint and dataset are evaluated (and the OOD class
 * map), composed with its parts in src/state/evaluate/: kNN and linear probe, fine-tuning, the
 * comparison table, the embedding explorer and the fine-tuning evolution player. The parts share
 * this selection and one busy / progress / error line. Latest request wins.
 */
import {
  sameArchitecture,
  type CheckpointSlot,
  type DatasetMeta,
  type EvalProgress,
  type EvalSplit,
  type RunImportNote,
  type RunRecord,
} from '../worker/api';
import type { EngineClient } from '../worker/client';
import { defaultClassMap } from './evaluate/class-map';
import { Comparison } from './evaluate/comparison.svelte';
import type { EvalContext, EvalTargetRequest } from './evaluate/context';
import { Explorer } from './evaluate/explorer.svelte';
import { FineTune } from './evaluate/fine-tune.svelte';
import { KnnProbe } from './evaluate/knn-probe.svelte';
import { Latest } from './evaluate/latest';
import { OwnClassifier } from './evaluate/own-classifier.svelte';
import { Playback } from './evaluate/playback.svelte';
import type { Busy } from './evaluate/types';

export { defaultClassMap } from './evaluate/class-map';
export type { ComparisonCell, ComparisonRow } from '../worker/api';
export type { Evolution, EvolutionSource, ExplorerPoints, MapMethod } from './evaluate/types';

export class EvaluateState implements EvalContext {
  readonly #client: EngineClient;
  readonly requests = new Latest();

  runs = $state.raw<RunRecord[]>([]);
  runId = $state<string | null>(null);
  slot = $state<CheckpointSlot>('latest');
  /** Dataset whose images are classified; null = the run's own. */
  datasetId = $state<string | null>(null);
  querySplit = $state<EvalSplit>('test');
  /** OOD: eval class → run class (-1 left out), and where unmatched names go. */
  classMap = $state<number[]>([]);
  unmappedTo = $state(-1);
  /** Import notes of imported runs (Runs panel), by run id; and the imported run chosen as the third start. */
  imports = $state.raw<Record<string, RunImportNote>>({});
  importedRunId = $state<string | null>(null);

  busy = $state<Busy>(null);
  progress = $state.raw<EvalProgress | null>(null);
  error = $state<string | null>(null);

  readonly comparison: Comparison;
  readonly knnProbe: KnnProbe;
  readonly ownClassifier: OwnClassifier;
  readonly explorer: Explorer;
  readonly playback: Playback;
  readonly fineTune: FineTune;

  constructor(client: EngineClient) {
    this.#client = client;
    this.comparison = new Comparison(this, () => ({
      probe: this.knnProbe.probeBudget,
      fineTune: this.fineTune.budget,
    }));
    this.knnProbe = new KnnProbe(this, client, this.comparison);
    this.ownClassifier = new OwnClassifier(this, client);
    this.explorer = new Explorer(this, client);
    this.playback = new Playback(this, this.explorer);
    this.fineTune = new FineTune(this, client, this.comparison, (src) =>
      this.playback.addSource(src),
    );
  }

  get run(): RunRecord | null {
    return this.runs.find((r) => r.id === this.runId) ?? null;
  }

  /** Runs with at least one stored checkpoint, newest first (and the import notes). */
  async refreshRuns(): Promise<void> {
    const all = await this.#client.remote.listRuns();
    this.runs = all.filter((r) => r.storage.latest > 0 || r.storage.best > 0).reverse();
    if (!this.runs.some((r) => r.id === this.runId)) this.runId = this.runs[0]?.id ?? null;
    this.imports = await this.#client.remote.runImports();
    if (this.importedRunId && !this.importCandidates.some((r) => r.id === this.importedRunId))
      this.importedRunId = null;
  }

  /** Selects a run in the panel (its best checkpoint when stored, else latest), e.g. from the Runs panel's "evaluate" / "fine-tune". */
  openRun(runId: string): void {
    const select = () => {
      const r = this.runs.find((x) => x.id === runId);
      if (!r) return false;
      this.runId = runId;
      this.slot = r.storage.best > 0 ? 'best' : 'latest';
      this.datasetId = null;
      this.classMap = [];
      this.error = null;
      return true;
    };
    if (select()) return;
    void this.refreshRuns().then(
      () => {
        if (!select()) this.error = `run ${runId} has no stored checkpoint to evaluate`;
      },
      (e) => (this.error = (e as Error).message),
    );
  }

  /** Imported runs whose backbone has the selected run's architecture (the comparison's "imported weights" start). */
  get importCandidates(): RunRecord[] {
    const run = this.run;
    if (!run) return [];
    return this.runs.filter(
      (r) =>
        r.id !== run.id &&
        this.imports[r.id] &&
        sameArchitecture(r.config.backbone, run.config.backbone),
    );
  }

  /** "imported weights (file name)" for an imported run. */
  importLabel(runId: string): string {
    const note = this.imports[runId];
    return `imported weights (${note?.fileName ?? this.runs.find((r) => r.id === runId)?.name ?? runId})`;
  }

  /** Sets the OOD dataset (null = the run's own) and its default class map. */
  chooseDataset(id: string | null, datasets: DatasetMeta[]): void {
    this.datasetId = id;
    this.resetClassMap(datasets);
  }

  resetClassMap(datasets: DatasetMeta[]): void {
    const run = this.run;
    const ev = datasets.find((d) => d.id === this.datasetId);
    const own = datasets.find((d) => d.id === run?.config.dataset.id);
    this.classMap =
      ev && own && ev.id !== own.id
        ? defaultClassMap(ev.classes, own.classes, this.unmappedTo)
        : [];
  }

  /** The selected run, slot and images as an engine request names them. */
  evalTarget(): EvalTargetRequest {
    if (!this.runId) throw new Error('pick a run first');
    const ood = this.datasetId !== null && this.datasetId !== this.run?.config.dataset.id;
    return {
      runId: this.runId,
      slot: this.slot,
      datasetId: this.datasetId ?? undefined,
      querySplit: this.querySplit,
      classMap: ood ? $state.snapshot(this.classMap) : undefined,
    };
  }

  /** Runs the missing cells of the comparison one after another (linear probe, then fine-tune, per row). */
  runComparison(): Promise<void> {
    return this.comparison.run((row, kind) =>
      kind === 'probe' ? this.knnProbe.probeRow(row) : this.fineTune.run(row.init),
    );
  }

  /** Ends the running fine-tune after its current step (and a running comparison with it). */
  stopFineTune(): void {
    this.comparison.stop();
    this.fineTune.stop();
  }

  images(datasetId: string, indices: number[]): Promise<Uint8Array> {
    return this.#client.remote.getImages(datasetId, indices);
  }

  dispose(): void {
    this.playback.pause();
    this.explorer.dispose();
  }
}

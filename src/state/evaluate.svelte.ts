/**
 * The Evaluate panel's state: which run checkpoint and dataset are evaluated, kNN and linear-probe
 * results from the engine, the OOD class map, and the embedding explorer (maps from the explorer
 * worker, updated while they optimise). Latest request wins.
 */
import type {
  ClassifierResult,
  DatasetMeta,
  EvalProgress,
  FineTuneEpoch,
  FineTuneResult,
  FineTuneSnapshots,
  ProbeResult,
  RunImportNote,
  RunRecord,
  WeightsInit,
} from '../worker/api';
import type { EngineClient } from '../worker/client';
import { toCsv } from '../worker/eval/csv';
import {
  createProjectorClient,
  type Layout,
  type ProjectorClient,
} from '../worker/eval/projector-client';
import type { CheckpointSlot, EvalSplit } from '../worker/eval/types';
import {
  compareKey,
  normalizeLayout,
  sameArchitecture,
  type ComparisonCell,
  type ComparisonRow,
} from '../worker/eval/comparison';

export type { ComparisonCell, ComparisonRow };

export type MapMethod = 'tsne' | 'pca' | 'umap';

/** What the explorer shows: one row per embedded image. */
export interface ExplorerPoints {
  /** run/slot/dataset the embeddings come from (a different choice re-embeds). */
  key: string;
  runId: string;
  datasetId: string;
  n: number;
  paths: string[];
  labels: Int32Array;
  /** 0 train, 1 val, 2 test. */
  splits: Uint8Array;
  indices: Int32Array;
  classes: string[];
}

/** Explorer points of a fine-tune's snapshot rows. */
function snapshotPoints(src: EvolutionSource): ExplorerPoints {
  const s: FineTuneSnapshots = src.snapshots;
  return {
    key: src.key,
    runId: src.key,
    datasetId: s.datasetId,
    n: s.n,
    paths: s.paths,
    labels: s.labels,
    splits: s.splits,
    indices: s.indices,
    classes: s.classes,
  };
}

/** A fine-tune's embedding snapshots, for the evolution maps. */
export interface EvolutionSource {
  key: string;
  label: string;
  snapshots: FineTuneSnapshots;
}

/** The evolution: one (normalised) t-SNE layout per snapshot, in epoch order; layouts arrive as they finish. */
export interface Evolution {
  key: string;
  label: string;
  epochs: number[];
  layouts: Float32Array[];
  points: ExplorerPoints;
}

/** Default class map: exact names matched, the rest → `unmapped` (a run class index, or -1 = left out). */
export function defaultClassMap(
  evalClasses: string[],
  runClasses: string[],
  unmapped: number,
): number[] {
  return evalClasses.map((c) => {
    const k = runClasses.indexOf(c);
    return k >= 0 ? k : unmapped;
  });
}

export class EvaluateState {
  readonly #client: EngineClient;
  #projector: ProjectorClient | null = null;
  runs = $state.raw<RunRecord[]>([]);
  runId = $state<string | null>(null);
  slot = $state<CheckpointSlot>('latest');
  /** Dataset whose images are classified; null = the run's own. */
  datasetId = $state<string | null>(null);
  querySplit = $state<EvalSplit>('test');
  k = $state(20);
  temperature = $state(0.1);
  probeEpochs = $state(50);
  probeLr = $state(0.01);
  /** OOD: eval class → run class (-1 left out), and where unmatched names go. */
  classMap = $state<number[]>([]);
  unmappedTo = $state(-1);

  knn = $state.raw<ClassifierResult | null>(null);
  probe = $state.raw<ProbeResult | null>(null);
  probeCurve = $state.raw<{ epoch: number; loss: number; trainAccuracy: number }[]>([]);
  progress = $state.raw<EvalProgress | null>(null);
  busy = $state<'knn' | 'probe' | 'embed' | 'finetune' | null>(null);
  #stopComparison = false;
  ftEpochs = $state(5);
  ftLr = $state(0.001);
  ftBatch = $state(32);
  /** Head learning rate (the backbone's is ftLr); 10× by default, as fine-tuning recipes do for a fresh head. */
  ftHeadLr = $state(0.01);
  /** Keep embedding snapshots every this many epochs (0 = none) of at most ftSnapshotPoints images. */
  ftSnapshotEvery = $state(1);
  ftSnapshotPoints = $state(2000);
  /** Fine-tuning results (one per run, slot and start; the latest replaces), snapshots stripped. */
  fineTunes = $state.raw<(FineTuneResult & { slot: string })[]>([]);
  ftLive = $state.raw<{ init: WeightsInit; curve: FineTuneEpoch[] } | null>(null);
  error = $state<string | null>(null);

  /** Import notes of imported runs (Runs panel), by run id; and the imported run chosen as the third start. */
  imports = $state.raw<Record<string, RunImportNote>>({});
  importedRunId = $state<string | null>(null);
  /** Comparison cells by compareKey(run, slot, init, imported run). */
  comparison = $state.raw<Record<string, { probe?: ComparisonCell; fineTune?: ComparisonCell }>>(
    {},
  );
  compareProgress = $state.raw<{ done: number; total: number; label: string } | null>(null);

  /** Fine-tunes with embedding snapshots (latest 3), and the evolution maps made from one of them. */
  evolutionSources = $state.raw<EvolutionSource[]>([]);
  evolution = $state.raw<Evolution | null>(null);
  evolutionFrame = $state(0);
  evolving = $state(false);
  playing = $state(false);
  evoIterations = $state(500);
  evoFrameIterations = $state(150);
  #playTimer: ReturnType<typeof setInterval> | null = null;
  #evoSeq = 0;

  points = $state.raw<ExplorerPoints | null>(null);
  layout = $state.raw<Layout | null>(null);
  mapMethod = $state<MapMethod>('tsne');
  perplexity = $state(30);
  tsneLr = $state<number | 'auto'>('auto');
  iterations = $state(1000);
  mapping = $state(false);
  #seq = 0;
  #mapSeq = 0;

  constructor(client: EngineClient) {
    this.#client = client;
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

  /** The comparison table's rows for the selected run and slot: random init, its checkpoint, and imported weights when chosen. */
  get comparisonRows(): ComparisonRow[] {
    if (!this.runId) return [];
    const rows: Omit<ComparisonRow, 'key'>[] = [
      { init: 'random', label: 'random init' },
      // An imported run opened from the Runs panel: its own checkpoint is the imported weights.
      {
        init: 'ssl',
        label: this.imports[this.runId]
          ? `${this.importLabel(this.runId)}, this run`
          : `self-supervised init (${this.run?.config.method.method ?? 'checkpoint'}, ${this.slot})`,
      },
    ];
    if (this.importedRunId)
      rows.push({
        init: 'imported',
        initRunId: this.importedRunId,
        label: this.importLabel(this.importedRunId),
      });
    return rows.map((r) => ({
      ...r,
      key: compareKey(this.runId as string, this.slot, r.init, r.initRunId),
    }));
  }

  /** The budget a cell must have been computed with to count as done. */
  get probeBudget(): string {
    return `${this.probeEpochs} epochs · lr ${this.probeLr}`;
  }
  get fineTuneBudget(): string {
    return `${this.ftEpochs} epochs · batch ${this.ftBatch} · lr ${this.ftLr} / head ${this.ftHeadLr}`;
  }

  #setCell(key: string, kind: 'probe' | 'fineTune', cell: ComparisonCell): void {
    this.comparison = { ...this.comparison, [key]: { ...this.comparison[key], [kind]: cell } };
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

  #target() {
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

  async runKnn(): Promise<void> {
    const seq = ++this.#seq;
    this.error = null;
    this.busy = 'knn';
    try {
      const r = await this.#client.evaluateKnn(
        { ...this.#target(), k: this.k, temperature: this.temperature },
        (p) => {
          if (seq === this.#seq) this.progress = p;
        },
      );
      if (seq === this.#seq) this.knn = r;
    } catch (e) {
      if (seq === this.#seq) this.error = (e as Error).message;
    } finally {
      if (seq === this.#seq) {
        this.busy = null;
        this.progress = null;
      }
    }
  }

  async runProbe(): Promise<void> {
    const seq = ++this.#seq;
    this.error = null;
    this.busy = 'probe';
    this.probeCurve = [];
    try {
      const r = await this.#client.evaluateProbe(
        { ...this.#target(), epochs: this.probeEpochs, learningRate: this.probeLr },
        (p) => {
          if (seq !== this.#seq) return;
          this.progress = p;
          if (p.epoch) this.probeCurve = [...this.probeCurve, p.epoch];
        },
      );
      if (seq === this.#seq) this.probe = r;
      if (r.datasetId === this.run?.config.dataset.id && r.querySplit === 'test') {
        this.#setCell(compareKey(r.runId, r.slot, 'ssl'), 'probe', {
          accuracy: r.accuracy,
          macroF1: r.macroF1,
          ms: r.ms,
          budget: this.probeBudget,
          recordedRunId: r.recordedRunId,
        });
      }
    } catch (e) {
      if (seq === this.#seq) this.error = (e as Error).message;
    } finally {
      if (seq === this.#seq) {
        this.busy = null;
        this.progress = null;
      }
    }
  }

  /**
   * Fine-tunes the run's backbone from its checkpoint ('ssl'), from scratch ('random') or from the
   * chosen imported run's weights ('imported'); fills its comparison cell, keeps its snapshots for
   * the evolution, and lists the recorded fine-tune run. Resolves false when it failed.
   */
  async runFineTune(init: WeightsInit): Promise<boolean> {
    if (!this.runId) return false;
    const initRunId = init === 'imported' ? (this.importedRunId ?? undefined) : undefined;
    if (init === 'imported' && !initRunId) {
      this.error = 'choose an imported run (same architecture) first';
      return false;
    }
    const seq = ++this.#seq;
    const slot = this.slot;
    const budget = this.fineTuneBudget;
    this.error = null;
    this.busy = 'finetune';
    this.ftLive = { init, curve: [] };
    try {
      const r = await this.#client.fineTune(
        {
          runId: this.runId,
          slot,
          init,
          initRunId,
          epochs: this.ftEpochs,
          learningRate: this.ftLr,
          headLearningRate: this.ftHeadLr,
          batchSize: this.ftBatch,
          seed: 0,
          snapshotEvery: this.ftSnapshotEvery,
          snapshotPoints: this.ftSnapshotPoints,
        },
        (e) => {
          if (seq === this.#seq && this.ftLive)
            this.ftLive = { init, curve: [...this.ftLive.curve, e] };
        },
      );
      const key = compareKey(r.runId, slot, init, initRunId);
      // A stopped fine-tune had a smaller budget: it is kept in the list and the runs, not in the comparison.
      if (r.stoppedAtEpoch === undefined)
        this.#setCell(key, 'fineTune', {
          accuracy: r.final.testAccuracy,
          macroF1: r.final.testMacroF1,
          ms: r.ms,
          budget,
          recordedRunId: r.recordedRunId,
        });
      const row = { ...r, slot, snapshots: null };
      this.fineTunes = [
        ...this.fineTunes.filter(
          (f) =>
            !(
              f.runId === r.runId &&
              f.slot === slot &&
              f.init === init &&
              f.initRunId === r.initRunId
            ),
        ),
        row,
      ];
      if (r.snapshots) {
        const label = `${init === 'imported' && initRunId ? this.importLabel(initRunId) : init === 'ssl' ? 'SSL init' : 'random init'} · ${this.run?.name ?? ''}`;
        this.evolutionSources = [
          ...this.evolutionSources.filter((s) => s.key !== key),
          { key, label, snapshots: r.snapshots },
        ].slice(-3);
      }
      await this.refreshRuns();
      return true;
    } catch (e) {
      if (seq === this.#seq) this.error = (e as Error).message;
      return false;
    } finally {
      if (seq === this.#seq) this.busy = null;
    }
  }

  /** Ends the running fine-tune after its current step; its epochs so far are scored, listed and recorded. */
  stopFineTune(): void {
    this.#stopComparison = true;
    void this.#client.remote.stopFineTune();
  }

  /** Linear probe of one comparison row (own dataset, test split, the probe settings); fills its cell. */
  async #probeCell(row: ComparisonRow): Promise<boolean> {
    if (!this.runId) return false;
    const budget = this.probeBudget;
    this.busy = 'probe';
    try {
      const r = await this.#client.evaluateProbe(
        {
          runId: this.runId,
          slot: this.slot,
          init: row.init,
          initRunId: row.initRunId,
          querySplit: 'test',
          epochs: this.probeEpochs,
          learningRate: this.probeLr,
        },
        (p) => (this.progress = p),
      );
      this.#setCell(row.key, 'probe', {
        accuracy: r.accuracy,
        macroF1: r.macroF1,
        ms: r.ms,
        budget,
        recordedRunId: r.recordedRunId,
      });
      return true;
    } catch (e) {
      this.error = (e as Error).message;
      return false;
    } finally {
      this.busy = null;
      this.progress = null;
    }
  }

  /** Cells of the comparison still missing (or computed with another budget), in table order. */
  get missingCells(): { row: ComparisonRow; kind: 'probe' | 'fineTune' }[] {
    const out: { row: ComparisonRow; kind: 'probe' | 'fineTune' }[] = [];
    for (const row of this.comparisonRows) {
      const c = this.comparison[row.key];
      if (c?.probe?.budget !== this.probeBudget) out.push({ row, kind: 'probe' });
      if (c?.fineTune?.budget !== this.fineTuneBudget) out.push({ row, kind: 'fineTune' });
    }
    return out;
  }

  /** Runs the missing cells of the comparison one after another (linear probe, then fine-tune, per row). */
  async runComparison(): Promise<void> {
    const todo = this.missingCells;
    this.error = null;
    this.#stopComparison = false;
    for (let i = 0; i < todo.length && !this.#stopComparison; i++) {
      const { row, kind } = todo[i];
      this.compareProgress = {
        done: i,
        total: todo.length,
        label: `${kind === 'probe' ? 'linear probe' : 'fine-tune'} · ${row.label}`,
      };
      const ok = kind === 'probe' ? await this.#probeCell(row) : await this.runFineTune(row.init);
      if (!ok) break;
    }
    this.compareProgress = null;
  }

  /** t-SNE maps of a fine-tune's snapshots, each started from the previous one's layout; the slider then switches between them. */
  async computeEvolution(key?: string): Promise<void> {
    const src = this.evolutionSources.find((s) => s.key === key) ?? this.evolutionSources.at(-1);
    if (!src) return;
    const seq = ++this.#evoSeq;
    this.pause();
    const s = src.snapshots;
    this.evolution = {
      key: src.key,
      label: src.label,
      epochs: s.epochs,
      layouts: [],
      points: snapshotPoints(src),
    };
    this.evolutionFrame = 0;
    this.evolving = true;
    this.error = null;
    try {
      await this.#proj.evolution(
        s.x,
        s.n,
        s.dim,
        {
          perplexity: this.perplexity,
          learningRate: this.tsneLr,
          iterations: this.evoIterations,
          iterationsPerFrame: this.evoFrameIterations,
          seed: 0,
        },
        (f) => {
          if (seq !== this.#evoSeq || !this.evolution) return;
          this.evolution = {
            ...this.evolution,
            layouts: [...this.evolution.layouts, normalizeLayout(f.xy)],
          };
        },
      );
    } catch (e) {
      if (seq === this.#evoSeq) this.error = (e as Error).message;
    } finally {
      if (seq === this.#evoSeq) this.evolving = false;
    }
  }

  /** Plays the evolution from the current frame (wrapping to the start at the end), one frame per `ms`. */
  play(ms = 700): void {
    const ev = this.evolution;
    if (!ev || ev.layouts.length < 2) return;
    this.pause();
    if (this.evolutionFrame >= ev.layouts.length - 1) this.evolutionFrame = 0;
    this.playing = true;
    this.#playTimer = setInterval(() => {
      const n = this.evolution?.layouts.length ?? 0;
      if (this.evolutionFrame >= n - 1) this.pause();
      else this.evolutionFrame++;
    }, ms);
  }

  pause(): void {
    if (this.#playTimer) clearInterval(this.#playTimer);
    this.#playTimer = null;
    this.playing = false;
  }

  predictionsCsv(kind: 'knn' | 'probe'): Promise<string> {
    return this.#client.remote.predictionsCsv(kind);
  }

  images(datasetId: string, indices: number[]): Promise<Uint8Array> {
    return this.#client.remote.getImages(datasetId, indices);
  }

  get #proj(): ProjectorClient {
    this.#projector ??= createProjectorClient();
    return this.#projector;
  }

  /** Embeds train + test of the run's dataset (or the chosen one) and hands them to the explorer worker. */
  async embed(): Promise<void> {
    const seq = ++this.#mapSeq;
    if (!this.runId) return;
    this.error = null;
    this.busy = 'embed';
    try {
      const r = await this.#client.embeddings(
        {
          runId: this.runId,
          slot: this.slot,
          datasetId: this.datasetId ?? undefined,
          splits: ['train', 'test'],
        },
        (p) => {
          if (seq === this.#mapSeq) this.progress = p;
        },
      );
      if (seq !== this.#mapSeq) return;
      await this.#proj.load(r.x, r.n, r.dim);
      this.points = {
        key: this.#pointsKey(),
        runId: this.runId,
        datasetId: r.datasetId,
        n: r.n,
        paths: r.paths,
        labels: r.labels,
        splits: r.splits,
        indices: r.indices,
        classes: r.classes,
      };
      this.layout = null;
    } catch (e) {
      if (seq === this.#mapSeq) this.error = (e as Error).message;
    } finally {
      if (seq === this.#mapSeq) {
        this.busy = null;
        this.progress = null;
      }
    }
  }

  #pointsKey(): string {
    return `${this.runId}/${this.slot}/${this.datasetId ?? ''}`;
  }

  /** Computes the chosen map; t-SNE and UMAP update `layout` while they optimise. */
  async map(warmStart = false): Promise<void> {
    if (!this.points || this.points.key !== this.#pointsKey()) await this.embed();
    if (!this.points) return;
    const seq = ++this.#mapSeq;
    const onLayout = (l: Layout) => {
      if (seq === this.#mapSeq) this.layout = l;
    };
    this.mapping = true;
    this.error = null;
    try {
      let l: Layout;
      if (this.mapMethod === 'pca') l = await this.#proj.pca();
      else if (this.mapMethod === 'umap')
        l = await this.#proj.umap(
          { nNeighbors: 15, minDist: 0.1, epochs: 200, every: 10, seed: 0 },
          onLayout,
        );
      else
        l = await this.#proj.tsne(
          {
            perplexity: this.perplexity,
            learningRate: this.tsneLr,
            iterations: this.iterations,
            every: 10,
            seed: 0,
            warmStart,
          },
          onLayout,
        );
      onLayout(l);
    } catch (e) {
      if (seq === this.#mapSeq) this.error = (e as Error).message;
    } finally {
      if (seq === this.#mapSeq) this.mapping = false;
    }
  }

  async stopMap(): Promise<void> {
    await this.#proj.stop();
  }

  neighbours(i: number, k = 8): Promise<{ index: number; similarity: number }[]> {
    return this.#proj.neighbours(i, k);
  }

  /** The current map as CSV: one row per embedded image. */
  layoutCsv(): string {
    const p = this.points,
      l = this.layout;
    if (!p || !l) throw new Error('compute a map first');
    const split = ['train', 'val', 'test'];
    const rows = Array.from({ length: p.n }, (_, i) => [
      p.paths[i],
      p.labels[i] >= 0 ? p.classes[p.labels[i]] : '',
      split[p.splits[i]],
      l.xy[2 * i],
      l.xy[2 * i + 1],
    ]);
    return toCsv(['path', 'class', 'split', `${l.method}_x`, `${l.method}_y`], rows);
  }

  dispose(): void {
    this.pause();
    this.#projector?.terminate();
  }
}

/**
 * The Evaluate panel's state: which run checkpoint and dataset are evaluated, kNN and linear-probe
 * results from the engine, the OOD class map, and the embedding explorer (maps from the explorer
 * worker, updated while they optimise). Latest request wins.
 */
import type { ClassifierResult, DatasetMeta, EvalProgress, FineTuneEpoch, FineTuneResult, ProbeResult, RunRecord } from '../worker/api';
import type { EngineClient } from '../worker/client';
import { toCsv } from '../worker/eval/csv';
import { createProjectorClient, type Layout, type ProjectorClient } from '../worker/eval/projector-client';
import type { CheckpointSlot, EvalSplit } from '../worker/eval/types';

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

/** Default class map: exact names matched, the rest → `unmapped` (a run class index, or -1 = left out). */
export function defaultClassMap(evalClasses: string[], runClasses: string[], unmapped: number): number[] {
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
  ftEpochs = $state(5);
  ftLr = $state(0.001);
  ftBatch = $state(32);
  /** Fine-tuning rows of the comparison table (one per run, slot and init; the latest replaces). */
  fineTunes = $state.raw<(FineTuneResult & { slot: string })[]>([]);
  ftLive = $state.raw<{ init: 'ssl' | 'random'; curve: FineTuneEpoch[] } | null>(null);
  error = $state<string | null>(null);

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

  /** Runs with at least one stored checkpoint, newest first. */
  async refreshRuns(): Promise<void> {
    const all = await this.#client.remote.listRuns();
    this.runs = all.filter((r) => r.storage.latest > 0 || r.storage.best > 0).reverse();
    if (!this.runs.some((r) => r.id === this.runId)) this.runId = this.runs[0]?.id ?? null;
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
    this.classMap = ev && own && ev.id !== own.id ? defaultClassMap(ev.classes, own.classes, this.unmappedTo) : [];
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
      const r = await this.#client.evaluateKnn({ ...this.#target(), k: this.k, temperature: this.temperature }, (p) => {
        if (seq === this.#seq) this.progress = p;
      });
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
      const r = await this.#client.evaluateProbe({ ...this.#target(), epochs: this.probeEpochs, learningRate: this.probeLr }, (p) => {
        if (seq !== this.#seq) return;
        this.progress = p;
        if (p.epoch) this.probeCurve = [...this.probeCurve, p.epoch];
      });
      if (seq === this.#seq) this.probe = r;
    } catch (e) {
      if (seq === this.#seq) this.error = (e as Error).message;
    } finally {
      if (seq === this.#seq) {
        this.busy = null;
        this.progress = null;
      }
    }
  }

  /** Fine-tunes the run's backbone from its checkpoint ('ssl') or from scratch ('random'); adds a comparison row. */
  async runFineTune(init: 'ssl' | 'random'): Promise<void> {
    if (!this.runId) return;
    const seq = ++this.#seq;
    const slot = this.slot;
    this.error = null;
    this.busy = 'finetune';
    this.ftLive = { init, curve: [] };
    try {
      const r = await this.#client.fineTune({ runId: this.runId, slot, init, epochs: this.ftEpochs, learningRate: this.ftLr, batchSize: this.ftBatch, seed: 0 }, (e) => {
        if (seq === this.#seq && this.ftLive) this.ftLive = { init, curve: [...this.ftLive.curve, e] };
      });
      const row = { ...r, slot };
      this.fineTunes = [...this.fineTunes.filter((f) => !(f.runId === r.runId && f.slot === slot && f.init === init)), row];
    } catch (e) {
      if (seq === this.#seq) this.error = (e as Error).message;
    } finally {
      if (seq === this.#seq) this.busy = null;
    }
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
      const r = await this.#client.embeddings({ runId: this.runId, slot: this.slot, datasetId: this.datasetId ?? undefined, splits: ['train', 'test'] }, (p) => {
        if (seq === this.#mapSeq) this.progress = p;
      });
      if (seq !== this.#mapSeq) return;
      await this.#proj.load(r.x, r.n, r.dim);
      this.points = { key: this.#pointsKey(), runId: this.runId, datasetId: r.datasetId, n: r.n, paths: r.paths, labels: r.labels, splits: r.splits, indices: r.indices, classes: r.classes };
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
      else if (this.mapMethod === 'umap') l = await this.#proj.umap({ nNeighbors: 15, minDist: 0.1, epochs: 200, every: 10, seed: 0 }, onLayout);
      else l = await this.#proj.tsne({ perplexity: this.perplexity, learningRate: this.tsneLr, iterations: this.iterations, every: 10, seed: 0, warmStart }, onLayout);
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
    const p = this.points, l = this.layout;
    if (!p || !l) throw new Error('compute a map first');
    const split = ['train', 'val', 'test'];
    const rows = Array.from({ length: p.n }, (_, i) => [p.paths[i], p.labels[i] >= 0 ? p.classes[p.labels[i]] : '', split[p.splits[i]], l.xy[2 * i], l.xy[2 * i + 1]]);
    return toCsv(['path', 'class', 'split', `${l.method}_x`, `${l.method}_y`], rows);
  }

  dispose(): void {
    this.#projector?.terminate();
  }
}

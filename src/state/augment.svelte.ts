/**
 * The Augment panel's state: dataset, pipeline being edited, seed, and the latest preview
 * (latest request wins; edits re-run the engine at most once per frame).
 */
import { createRng } from '../worker/api';
import type {
  AugmentOp,
  AugmentPipeline,
  AugmentPreset,
  AugmentPreview,
  DatasetIndex,
  DatasetMeta,
  PipelineIssue,
} from '../worker/api';
import type { EngineClient } from '../worker/client';

export class AugmentState {
  readonly #client: EngineClient;
  presets = $state.raw<AugmentPreset[]>([]);
  opDefaults = $state.raw<AugmentOp[]>([]);
  presetName = $state<string>('simclr');
  pipeline = $state<AugmentPipeline | null>(null);
  seed = $state(1);
  count = $state(12);
  imageSeed = $state(0);
  datasetId = $state<string | null>(null);
  preview = $state.raw<AugmentPreview | null>(null);
  /** The seed and images the shown preview was made with. */
  shown = $state.raw<{ seed: number; indices: number[]; labels: string[]; paths: string[] } | null>(
    null,
  );
  issues = $state.raw<PipelineIssue[]>([]);
  error = $state<string | null>(null);
  busy = $state(false);
  #seq = 0;
  #index: { id: string; index: DatasetIndex } | null = null;

  constructor(client: EngineClient) {
    this.#client = client;
  }

  async load(): Promise<void> {
    const [presets, defaults] = await Promise.all([
      this.#client.remote.augmentPresets(),
      this.#client.remote.augmentOpDefaults(),
    ]);
    this.presets = presets;
    this.opDefaults = defaults;
    if (!this.pipeline) this.applyPreset(this.presetName, 64);
  }

  applyPreset(name: string, outputSize: number): void {
    const p = this.presets.find((x) => x.name === name);
    if (!p) return;
    this.presetName = name;
    this.pipeline = {
      outputSize,
      views: [structuredClone(p.views[0]), structuredClone(p.views[1])],
    };
  }

  reroll(): void {
    this.seed = Math.floor(Math.random() * 1_000_000);
  }

  async #indices(
    meta: DatasetMeta,
  ): Promise<{ indices: number[]; labels: string[]; paths: string[] }> {
    if (!this.#index || this.#index.id !== meta.id) {
      this.#index = { id: meta.id, index: await this.#client.remote.getDatasetIndex(meta.id) };
    }
    const ix = this.#index.index;
    let pool: number[] = [];
    for (let i = 0; i < ix.paths.length; i++) if (ix.splits[i] === 0) pool.push(i);
    if (pool.length === 0) pool = ix.paths.map((_, i) => i);
    const picked = createRng(this.imageSeed)
      .shuffle(pool)
      .slice(0, Math.min(this.count, pool.length));
    return {
      indices: picked,
      labels: picked.map((i) => (ix.labels[i] >= 0 ? meta.classes[ix.labels[i]] : '')),
      paths: picked.map((i) => ix.paths[i]),
    };
  }

  /** Runs the engine for the current dataset, pipeline and seed. */
  async refresh(meta: DatasetMeta | null): Promise<void> {
    if (!meta || !this.pipeline) return;
    const seq = ++this.#seq;
    const pipeline = $state.snapshot(this.pipeline) as AugmentPipeline;
    const seed = this.seed;
    this.busy = true;
    try {
      const v = await this.#client.remote.validatePipeline(pipeline);
      if (seq !== this.#seq) return;
      if (!v.ok) {
        this.issues = v.issues;
        return;
      }
      this.issues = [];
      const sel = await this.#indices(meta);
      const preview = await this.#client.remote.augmentPreview({
        datasetId: meta.id,
        indices: sel.indices,
        pipeline: v.pipeline,
        seed,
      });
      if (seq !== this.#seq) return;
      this.preview = preview;
      this.shown = { seed, ...sel };
      this.error = null;
    } catch (e) {
      if (seq === this.#seq) this.error = (e as Error).message;
    } finally {
      if (seq === this.#seq) this.busy = false;
    }
  }

  exportJson(): string {
    return JSON.stringify($state.snapshot(this.pipeline), null, 2);
  }

  /** Loads a pipeline from JSON text; returns the problems (each with its path) when it is invalid. */
  async importJson(text: string): Promise<PipelineIssue[]> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      return [{ path: '(root)', message: `not JSON: ${(e as Error).message}` }];
    }
    const v = await this.#client.remote.validatePipeline(json);
    if (!v.ok) return v.issues;
    this.pipeline = v.pipeline;
    this.presetName = 'custom';
    return [];
  }
}

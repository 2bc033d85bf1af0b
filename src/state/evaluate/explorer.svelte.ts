/**
 * The embedding explorer: embeds the selected checkpoint's train + test images (of the run's dataset
 * or the chosen one), hands them to the explorer worker and holds the map it computes (t-SNE and
 * UMAP update `layout` while they optimise). Latest request wins.
 */
import { createProjectorClient, type Layout, type ProjectorClient } from '../../worker/api';
import type { EngineClient } from '../../worker/client';
import type { EvalContext } from './context';
import { layoutCsv } from './explorer-points';
import { Latest } from './latest';
import { latestRequest } from './request';
import type { ExplorerPoints, MapMethod } from './types';

export class Explorer {
  readonly #ctx: EvalContext;
  readonly #client: EngineClient;
  #projector: ProjectorClient | null = null;
  /** Shared by embedding and mapping: a new embed or map makes the older one's results ignored. */
  readonly #requests = new Latest();

  points = $state.raw<ExplorerPoints | null>(null);
  layout = $state.raw<Layout | null>(null);
  mapMethod = $state<MapMethod>('tsne');
  perplexity = $state(30);
  tsneLr = $state<number | 'auto'>('auto');
  iterations = $state(1000);
  mapping = $state(false);

  constructor(ctx: EvalContext, client: EngineClient) {
    this.#ctx = ctx;
    this.#client = client;
  }

  /** The explorer worker, started on first use (the evolution maps use it too). */
  get projector(): ProjectorClient {
    this.#projector ??= createProjectorClient();
    return this.#projector;
  }

  #pointsKey(): string {
    const { runId, slot, datasetId } = this.#ctx;
    return `${runId}/${slot}/${datasetId ?? ''}`;
  }

  /** Embeds train + test of the run's dataset (or the chosen one) and hands them to the explorer worker. */
  async embed(): Promise<void> {
    const latest = this.#requests.next();
    const ctx = this.#ctx;
    const runId = ctx.runId;
    if (!runId) return;
    await latestRequest(
      ctx,
      latest,
      'embed',
      (onProgress) =>
        this.#client.embeddings(
          {
            runId,
            slot: ctx.slot,
            datasetId: ctx.datasetId ?? undefined,
            splits: ['train', 'test'],
          },
          onProgress,
        ),
      async (r, isLatest) => {
        if (!isLatest) return;
        await this.projector.load(r.x, r.n, r.dim);
        this.points = {
          key: this.#pointsKey(),
          runId: ctx.runId as string,
          datasetId: r.datasetId,
          n: r.n,
          paths: r.paths,
          labels: r.labels,
          splits: r.splits,
          indices: r.indices,
          classes: r.classes,
        };
        this.layout = null;
      },
    );
  }

  /** Computes the chosen map; t-SNE and UMAP update `layout` while they optimise. */
  async map(warmStart = false): Promise<void> {
    if (!this.points || this.points.key !== this.#pointsKey()) await this.embed();
    if (!this.points) return;
    const latest = this.#requests.next();
    const onLayout = (l: Layout) => {
      if (latest()) this.layout = l;
    };
    this.mapping = true;
    this.#ctx.error = null;
    try {
      let l: Layout;
      if (this.mapMethod === 'pca') l = await this.projector.pca();
      else if (this.mapMethod === 'umap')
        l = await this.projector.umap(
          { nNeighbors: 15, minDist: 0.1, epochs: 200, every: 10, seed: 0 },
          onLayout,
        );
      else
        l = await this.projector.tsne(
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
      if (latest()) this.#ctx.error = (e as Error).message;
    } finally {
      if (latest()) this.mapping = false;
    }
  }

  async stopMap(): Promise<void> {
    await this.projector.stop();
  }

  neighbours(i: number, k = 8): Promise<{ index: number; similarity: number }[]> {
    return this.projector.neighbours(i, k);
  }

  /** The current map as CSV: one row per embedded image. */
  layoutCsv(): string {
    if (!this.points || !this.layout) throw new Error('compute a map first');
    return layoutCsv(this.points, this.layout);
  }

  /** Ends the explorer worker (when it was started). */
  dispose(): void {
    this.#projector?.terminate();
  }
}

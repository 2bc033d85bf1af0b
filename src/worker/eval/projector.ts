/**
 * The embedding explorer's 2-D maps, in plain JS so they run in their own worker while training
 * goes on: t-SNE (ml/eval/tsne.ts: PCA to 50 dims first; exact or Barnes-Hut; can start from the
 * previous layout; a large map's PCA and neighbour search go through `prepare` on tfjs wasm), PCA, and UMAP (McInnes et al. 2018, umap-js), with layouts posted
 * every few iterations; plus nearest neighbours in embedding space (cosine) for a clicked point.
 */
import { UMAP } from 'umap-js';
import { createRng } from '../../ml/rng';
import { pca } from '../../ml/eval/pca';
import { resolveTsneMethod, Tsne, type TsneOptions } from '../../ml/eval/tsne';
import type { TsneThreadPool } from '../../ml/eval/tsne-thread-pool';
import type { PreparedTsneInput } from '../../ml/eval/tsne-prepare';

export type {
  EvolutionFrame,
  EvolutionRequest,
  Layout,
  ProjectorApi,
  TsneRequest,
  UmapRequest,
} from './projector-types';
import type {
  EvolutionFrame,
  EvolutionRequest,
  Layout,
  ProjectorApi,
  TsneRequest,
  UmapRequest,
} from './projector-types';

/**
 * Optional fast set-up for Barnes-Hut t-SNE: PCA to 50 dims and the exact k-NN graph on a tfjs
 * backend (ml/eval/tsne-prepare.ts); null when no backend is available (plain JS is used then).
 */
export type TsnePrepare = (
  x: Float32Array,
  n: number,
  d: number,
  k: number,
) => Promise<PreparedTsneInput | null>;

const yieldToMessages = () => new Promise<void>((r) => setTimeout(r, 0));

function toF32(a: ArrayLike<number>): Float32Array {
  return Float32Array.from(a);
}

/**
 * The projector; `opts.prepare` (the worker passes one on the wasm backend) speeds up large t-SNE
 * set-ups, and `opts.threads` (helper threads over shared memory, tsne-threads.ts; null when the
 * page is not cross-origin isolated) splits the t-SNE gradient.
 */
export function createProjector(
  opts: { prepare?: TsnePrepare; threads?: () => Promise<TsneThreadPool | null> } = {},
): ProjectorApi {
  let x: Float32Array = new Float32Array(0);
  let n = 0,
    dim = 0;
  let norms = new Float64Array(0);
  let run = 0;
  let lastTsne: Float64Array | null = null;

  async function newTsne(
    data: Float32Array,
    rows: number,
    d: number,
    options: TsneOptions,
  ): Promise<{ t: Tsne; setupMs: NonNullable<Layout['setupMs']> }> {
    const sparse = resolveTsneMethod('auto', rows) !== 'exact';
    const threads = (sparse && opts.threads ? await opts.threads() : null) ?? undefined;
    const p =
      opts.prepare && sparse
        ? await opts.prepare(
            data,
            rows,
            d,
            Math.min(rows - 1, Math.floor(3 * (options.perplexity ?? 30) + 1)),
          )
        : null;
    const t = p
      ? new Tsne(p.data, rows, p.dim, { ...options, threads, pcaDims: 0, neighbors: p.neighbors })
      : new Tsne(data, rows, d, { ...options, threads });
    const setupMs = p ? { ...p.ms, affinities: t.setupMs.affinities } : { ...t.setupMs };
    return { t, setupMs };
  }

  function need() {
    if (n < 2) throw new Error('load at least 2 embeddings first');
  }

  return {
    async load(data, rows, d) {
      if (data.length !== rows * d)
        throw new Error(`expected ${rows}×${d} values, got ${data.length}`);
      run++;
      x = data;
      n = rows;
      dim = d;
      lastTsne = null;
      norms = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += x[i * d + j] ** 2;
        norms[i] = Math.sqrt(s) || 1e-12;
      }
    },

    async tsne(req, onLayout) {
      need();
      const me = ++run;
      const perplexity = Math.min(req.perplexity, Math.max(1, Math.floor((n - 1) / 3)));
      const warm = req.warmStart && lastTsne && lastTsne.length === 2 * n;
      const { t, setupMs } = await newTsne(x, n, dim, {
        perplexity,
        learningRate: req.learningRate,
        nIter: req.iterations,
        seed: req.seed,
        ...(warm ? { init: lastTsne as Float64Array, explorationIter: 0 } : {}),
      });
      const every = Math.max(1, req.every);
      let state = { iteration: 0, done: false, klDivergence: NaN };
      try {
        while (!state.done && me === run) {
          state = t.step(every);
          lastTsne = Float64Array.from(t.embedding);
          onLayout({
            xy: toF32(t.embedding),
            iteration: state.iteration,
            total: req.iterations,
            done: state.done,
            kl: state.klDivergence,
            method: 'tsne',
          });
          await yieldToMessages();
        }
      } finally {
        t.close();
      }
      return {
        xy: toF32(t.embedding),
        iteration: state.iteration,
        total: req.iterations,
        done: state.done,
        kl: state.klDivergence,
        method: 'tsne',
        setupMs,
      };
    },

    async umap(req, onLayout) {
      need();
      const me = ++run;
      const rng = createRng(req.seed);
      const u = new UMAP({
        nComponents: 2,
        nNeighbors: Math.min(req.nNeighbors, n - 1),
        minDist: req.minDist,
        nEpochs: req.epochs,
        random: () => rng.next(),
      });
      const rows: number[][] = Array.from({ length: n }, (_, i) =>
        Array.from(x.subarray(i * dim, (i + 1) * dim)),
      );
      const total = u.initializeFit(rows);
      const flat = () => Float32Array.from(u.getEmbedding().flat());
      let i = 0;
      while (i < total && me === run) {
        const stop = Math.min(total, i + Math.max(1, req.every));
        for (; i < stop; i++) u.step();
        onLayout({ xy: flat(), iteration: i, total, done: i >= total, kl: NaN, method: 'umap' });
        await yieldToMessages();
      }
      return { xy: flat(), iteration: i, total, done: i >= total, kl: NaN, method: 'umap' };
    },

    async pca() {
      need();
      run++;
      const { projected } = pca(x, n, dim, Math.min(2, dim));
      const xy = new Float32Array(2 * n);
      const k = Math.min(2, dim);
      for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) xy[2 * i + j] = projected[i * k + j];
      return { xy, iteration: 1, total: 1, done: true, kl: NaN, method: 'pca' };
    },

    async evolution(frames, rows, d, req, onFrame) {
      if (rows < 2) throw new Error('the evolution needs at least 2 points');
      for (const f of frames)
        if (f.length !== rows * d)
          throw new Error(`expected ${rows}×${d} values per snapshot, got ${f.length}`);
      const me = ++run;
      const perplexity = Math.min(req.perplexity, Math.max(1, Math.floor((rows - 1) / 3)));
      const out: Float32Array[] = [];
      let prev: Float64Array | null = null;
      for (let k = 0; k < frames.length && me === run; k++) {
        const { t } = await newTsne(frames[k], rows, d, {
          perplexity,
          learningRate: req.learningRate,
          seed: req.seed,
          ...(prev
            ? { init: prev, explorationIter: 0, nIter: req.iterationsPerFrame }
            : { nIter: req.iterations }),
        });
        let state = { iteration: 0, done: false, klDivergence: NaN };
        try {
          while (!state.done && me === run) {
            state = t.step(50);
            await yieldToMessages();
          }
        } finally {
          t.close();
        }
        if (me !== run) break;
        prev = Float64Array.from(t.embedding);
        const xy = toF32(t.embedding);
        out.push(xy);
        onFrame({ index: k, total: frames.length, xy: xy.slice(), kl: state.klDivergence });
      }
      return out;
    },

    async stop() {
      run++;
    },

    async neighbours(i, k) {
      need();
      if (!(i >= 0 && i < n)) throw new Error(`row ${i} out of range`);
      const sims: { index: number; similarity: number }[] = [];
      for (let r = 0; r < n; r++) {
        if (r === i) continue;
        let s = 0;
        for (let j = 0; j < dim; j++) s += x[i * dim + j] * x[r * dim + j];
        sims.push({ index: r, similarity: s / (norms[i] * norms[r]) });
      }
      sims.sort((a, b) => b.similarity - a.similarity || a.index - b.index);
      return sims.slice(0, k);
    },
  };
}

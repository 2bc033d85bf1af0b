/**
 * t-SNE (van der Maaten & Hinton 2008; Barnes-Hut: van der Maaten 2014) on plain typed arrays,
 * following sklearn 1.2's TSNE step for step: perplexity-calibrated Gaussian affinities
 * (k = ⌊3·perplexity + 1⌋ nearest neighbours for Barnes-Hut, all pairs for exact), early
 * exaggeration 12 for 250 iterations with momentum 0.5, then momentum 0.8 (update and gains reset
 * between the stages, as sklearn's two _gradient_descent calls), delta-bar-delta gains
 * (+0.2 / ×0.8, min 0.01), learning rate 'auto' = max(n / exaggeration / 4, 50), PCA init scaled
 * to std 1e-4, stopping when the error has not improved for 300 iterations or the gradient norm
 * is ≤ 1e-7 (both checked every 50 iterations). Like bhtsne/openTSNE (not sklearn), inputs wider
 * than 50 columns are first reduced to 50 dims by PCA. Neighbours come from an exact
 * vantage-point tree (bhtsne's choice) with bucket leaves and early-abandoned distances: exact
 * like sklearn's, and no tfjs needed, so the whole algorithm is synchronous plain JS. With a
 * TsneThreadPool (`threads`) the sparse gradients split over shared-memory threads
 * (tsne-parallel.ts); method 'fft' replaces the quadtree by FFT-interpolated repulsion (FIt-SNE,
 * tsne-fft.ts), opt-in: see FFT_MIN_N.
 *
 * Runs as a stepper so a worker can post intermediate layouts: `const t = new Tsne(x, n, d);
 * while (!t.step(50).done) post(t.embedding.slice())` (embedding is updated in place: copy it
 * before transferring).
 */
import { createRng } from '../rng';
import { fitPca, transformPca } from './pca';
import { denseJointP, sparseJointP, type SparseP } from './tsne-affinities';
import { FftRepulsion, type FftRepulsionOptions } from './tsne-fft';
import { fftGradient } from './tsne-fft-gradient';
import { ParallelFftGradient, type TsneThreadPool } from './tsne-parallel';
import { ParallelBhGradient } from './tsne-parallel-bh';
import { barnesHutGradient, exactGradient, QuadTree } from './tsne-gradient';
import { type KnnGraph, vpTreeKnn } from './vp-tree';

export type TsneMethod = 'auto' | 'exact' | 'barnes-hut' | 'fft';

export interface TsneOptions {
  /** Effective number of neighbours (default 30). Must be < n. */
  perplexity?: number;
  /** Total iterations including exaggeration (default 1000, sklearn's n_iter). */
  nIter?: number;
  /** Early exaggeration factor (default 12). */
  earlyExaggeration?: number;
  /** Iterations with exaggeration and momentum 0.5 (default 250; 0 skips the stage, e.g. for a warm start). */
  explorationIter?: number;
  /** 'auto' (default) = max(n / earlyExaggeration / 4, 50), or a number. */
  learningRate?: number | 'auto';
  /** Barnes-Hut opening angle θ (default 0.5). */
  theta?: number;
  /**
   * 'auto' (default): exact for n ≤ 500, Barnes-Hut above (measured: BH is already faster than
   * exact at n = 600); 'fft' = FFT-interpolated repulsion (tsne-fft.ts), never chosen by 'auto'.
   */
  method?: TsneMethod;
  /** Grid settings of the 'fft' method. */
  fft?: FftRepulsionOptions;
  /**
   * Shared-memory threads for the Barnes-Hut and FFT gradients (the worker layer's Web Workers;
   * see tsne-parallel.ts). Without one the gradient runs on the calling thread. Call close() after.
   */
  threads?: TsneThreadPool;
  /** 'pca' (default, sklearn ≥ 1.2), 'random' (N(0, 1e-4²)), or a previous layout [n × 2] used as is. */
  init?: 'pca' | 'random' | ArrayLike<number>;
  /** Seed for the random init and the vantage-point tree (default 0). */
  seed?: number;
  /** Inputs wider than this are PCA-reduced to it first (default 50; 0 disables). */
  pcaDims?: number;
  /** Stop when the gradient norm at a check falls to this (default 1e-7). */
  minGradNorm?: number;
  /** Stop when the error has not improved for this many iterations in the second stage (default 300). */
  nIterWithoutProgress?: number;
  /**
   * Precomputed neighbours of the rows of x as given (e.g. from knnGraphTf on the GPU), with at
   * least ⌊3·perplexity + 1⌋ per point; Barnes-Hut and FFT only. Use with pcaDims: 0 when x is already
   * the PCA-reduced input, since the graph must describe the data t-SNE works on.
   */
  neighbors?: KnnGraph;
}

export interface TsneState {
  /** Iterations done so far. */
  iteration: number;
  /** True once nIter is reached or a stopping rule fired. */
  done: boolean;
  /** Latest computed KL divergence (computed every 50 iterations and at the last one), NaN before. */
  klDivergence: number;
}

const N_ITER_CHECK = 50;
const MIN_GAIN = 0.01;

/**
 * From this many points 'auto' would use the FFT method: never, as measured here (Node, 2 loaded
 * cores, CPU ms per repulsion on a 10-blob layout): the group-walk Barnes-Hut takes 12 ms at 10k
 * and 67 ms at 50k points, while the FFT path needs node spacing ≲ 0.5 for KL within 10% of
 * sklearn's (spacing 1: KL +12%, 0.5: +6% on tsne_reference.py's 10k input, from layouts more
 * compact than BH's), i.e. a 256² grid (512² FFTs) at those extents, which costs ~40 ms in JS.
 */
export const FFT_MIN_N = Number.POSITIVE_INFINITY;

/** The method 'auto' stands for at n points: exact ≤ 500, Barnes-Hut < FFT_MIN_N, FFT from there. */
export function resolveTsneMethod(method: TsneMethod, n: number): 'exact' | 'barnes-hut' | 'fft' {
  if (method !== 'auto') return method;
  return n <= 500 ? 'exact' : n < FFT_MIN_N ? 'barnes-hut' : 'fft';
}

/** Stateful t-SNE on x [n × d] (row-major) → embedding [n × 2]; call step() until done. */
export class Tsne {
  readonly n: number;
  readonly method: 'exact' | 'barnes-hut' | 'fft';
  readonly learningRate: number;
  /** Current layout [n × 2], row-major; updated in place by step(). */
  readonly embedding: Float64Array;
  #iteration = 0;
  #done = false;
  #kl = NaN;
  readonly #opts: Required<
    Omit<
      TsneOptions,
      'init' | 'learningRate' | 'method' | 'seed' | 'pcaDims' | 'neighbors' | 'fft' | 'threads'
    >
  >;
  #denseP: Float64Array | null = null;
  #sparseP: SparseP | null = null;
  #grad: Float64Array;
  #update: Float64Array;
  #gains: Float64Array;
  #num: Float64Array | null = null;
  #neg: Float64Array | null = null;
  #stack: Int32Array | null = null;
  #tree: QuadTree | null = null;
  #fft: FftRepulsion | null = null;
  #parallel: ParallelFftGradient | ParallelBhGradient | null = null;
  /** Milliseconds spent in the set-up phases (PCA, neighbour search, affinities). */
  readonly setupMs = { pca: 0, neighbours: 0, affinities: 0 };
  #stageStart = 0;
  #bestError = Number.MAX_VALUE;
  #bestIter = 0;

  constructor(x: ArrayLike<number>, n: number, d: number, options: TsneOptions = {}) {
    if (x.length !== n * d)
      throw new Error(`expected ${n}×${d} = ${n * d} values, got ${x.length}`);
    const perplexity = options.perplexity ?? 30;
    if (!(n >= 2)) throw new Error('t-SNE needs at least 2 points');
    if (!(perplexity > 0 && perplexity < n))
      throw new Error(`perplexity must be in (0, n = ${n}), got ${perplexity}`);
    this.n = n;
    this.#opts = {
      perplexity,
      nIter: options.nIter ?? 1000,
      earlyExaggeration: options.earlyExaggeration ?? 12,
      explorationIter: options.explorationIter ?? 250,
      theta: options.theta ?? 0.5,
      minGradNorm: options.minGradNorm ?? 1e-7,
      nIterWithoutProgress: options.nIterWithoutProgress ?? 300,
    };
    this.method = resolveTsneMethod(options.method ?? 'auto', n);
    const lr = options.learningRate ?? 'auto';
    this.learningRate = lr === 'auto' ? Math.max(n / this.#opts.earlyExaggeration / 4, 50) : lr;
    const seed = options.seed ?? 0;

    // Inputs: PCA to pcaDims when wider (bhtsne / openTSNE); also gives sklearn's PCA init for free.
    const pcaDims = options.pcaDims ?? 50;
    let data: Float64Array, dim: number;
    let t0 = performance.now();
    if (pcaDims > 0 && d > pcaDims) {
      const model = fitPca(x, n, d, pcaDims);
      data = transformPca(model, x, n);
      dim = pcaDims;
    } else {
      data = Float64Array.from(x);
      dim = d;
    }

    const threads = this.method === 'exact' ? undefined : options.threads;
    this.embedding = threads ? threads.f64(2 * n) : new Float64Array(2 * n);
    const init = options.init ?? 'pca';
    if (init === 'pca') {
      // sklearn: PCA(2) of the input, scaled so column 0 has std 1e-4.
      const y = pcaProjection2(data, n, dim);
      let m = 0,
        s = 0;
      for (let i = 0; i < n; i++) m += y[2 * i];
      m /= n;
      for (let i = 0; i < n; i++) s += (y[2 * i] - m) ** 2;
      const std = Math.sqrt(s / n) || 1;
      for (let i = 0; i < 2 * n; i++) this.embedding[i] = (y[i] / std) * 1e-4;
    } else if (init === 'random') {
      const rng = createRng(seed);
      for (let i = 0; i < 2 * n; i++) this.embedding[i] = 1e-4 * rng.normal();
    } else {
      if (init.length !== 2 * n)
        throw new Error(`init layout needs ${2 * n} values, got ${init.length}`);
      for (let i = 0; i < 2 * n; i++) this.embedding[i] = init[i];
    }

    this.setupMs.pca = performance.now() - t0;
    t0 = performance.now();
    if (this.method === 'exact') {
      this.#denseP = denseJointP(data, n, dim, perplexity);
      this.#num = new Float64Array((n * (n - 1)) / 2);
      this.setupMs.affinities = performance.now() - t0;
    } else {
      const k = Math.min(n - 1, Math.floor(3 * perplexity + 1));
      const graph = options.neighbors
        ? truncateGraph(options.neighbors, n, k)
        : vpTreeKnn(data, n, dim, k, seed);
      this.setupMs.neighbours = performance.now() - t0;
      t0 = performance.now();
      this.#sparseP = sparseJointP(graph, n, perplexity);
      this.setupMs.affinities = performance.now() - t0;
      this.#neg = new Float64Array(2 * n);
      const P = this.#sparseP;
      if (threads && this.method === 'fft')
        this.#parallel = new ParallelFftGradient(threads, this.embedding, P, n, options.fft);
      else if (threads)
        this.#parallel = new ParallelBhGradient(threads, this.embedding, P, n, this.#opts.theta);
      else if (this.method === 'fft') this.#fft = new FftRepulsion(options.fft);
      // Depth ≤ 48 and ≤ 4 children per opened cell bound the traversal stack.
      this.#stack = new Int32Array(4 * 49 + 8);
      this.#tree = new QuadTree();
    }
    this.#grad = new Float64Array(2 * n);
    this.#update = new Float64Array(2 * n);
    this.#gains = new Float64Array(2 * n).fill(1);
    if (this.#opts.explorationIter <= 0) this.#startStage(0);
  }

  /** Iterations done, whether finished, and the latest KL divergence. */
  get state(): TsneState {
    return { iteration: this.#iteration, done: this.#done, klDivergence: this.#kl };
  }

  /** Final (or latest) KL divergence, as sklearn's kl_divergence_. */
  get klDivergence(): number {
    return this.#kl;
  }

  /** Runs up to `iterations` optimisation steps (fewer when finished); returns the new state. */
  step(iterations = 1): TsneState {
    const o = this.#opts;
    for (let s = 0; s < iterations && !this.#done; s++) {
      const i = this.#iteration;
      const exploring = i < o.explorationIter;
      const exaggeration = exploring ? o.earlyExaggeration : 1;
      const momentum = exploring ? 0.5 : 0.8;
      const stageEnd = exploring ? o.explorationIter : o.nIter;
      const check = (i + 1) % N_ITER_CHECK === 0;
      const computeError = check || i === stageEnd - 1;
      const error = this.#gradient(exaggeration, computeError);
      const grad = this.#grad,
        update = this.#update,
        gains = this.#gains,
        y = this.embedding;
      let norm2 = 0;
      for (let c = 0; c < grad.length; c++) {
        const g = grad[c];
        const gain = update[c] * g < 0 ? gains[c] + 0.2 : gains[c] * 0.8;
        gains[c] = gain < MIN_GAIN ? MIN_GAIN : gain;
        const gg = g * gains[c];
        norm2 += gg * gg;
        update[c] = momentum * update[c] - this.learningRate * gg;
        y[c] += update[c];
      }
      if (computeError) this.#kl = error;
      this.#iteration = i + 1;
      let stop = false;
      if (check) {
        const patience = exploring ? o.explorationIter : o.nIterWithoutProgress;
        if (error < this.#bestError) {
          this.#bestError = error;
          this.#bestIter = i;
        } else if (i - this.#bestIter > patience) {
          stop = true;
        }
        if (Math.sqrt(norm2) <= o.minGradNorm) stop = true;
      }
      if (exploring && (stop || i + 1 >= o.explorationIter)) {
        // sklearn's second _gradient_descent call: fresh update, gains and progress tracking.
        this.#startStage(i + 1);
        if (this.#iteration >= o.nIter) this.#done = true;
      } else if (!exploring && (stop || i + 1 >= o.nIter)) {
        this.#done = true;
      }
    }
    if (this.#iteration >= o.nIter) this.#done = true;
    return this.state;
  }

  /** Runs to completion; returns the final state. */
  run(): TsneState {
    while (!this.#done) this.step(N_ITER_CHECK);
    return this.state;
  }

  #startStage(it: number): void {
    this.#opts.explorationIter = Math.min(this.#opts.explorationIter, it);
    this.#iteration = it;
    this.#stageStart = it;
    this.#update.fill(0);
    this.#gains.fill(1);
    this.#bestError = Number.MAX_VALUE;
    this.#bestIter = this.#stageStart;
  }

  /** Releases the helper threads, if any (the layout stays readable). */
  close(): void {
    this.#parallel?.close();
    this.#parallel = null;
  }

  #gradient(exaggeration: number, computeError: boolean): number {
    if (this.#parallel !== null)
      return this.#parallel.gradient(exaggeration, computeError, this.#grad);
    if (this.#denseP !== null) {
      return exactGradient(
        this.embedding,
        this.#denseP,
        this.n,
        exaggeration,
        this.#grad,
        this.#num!,
        computeError,
      );
    }
    if (this.#fft !== null) {
      return fftGradient(
        this.embedding,
        this.#sparseP!,
        this.n,
        exaggeration,
        this.#fft,
        this.#grad,
        this.#neg!,
        computeError,
      );
    }
    return barnesHutGradient(
      this.embedding,
      this.#sparseP!,
      this.n,
      exaggeration,
      this.#opts.theta,
      this.#tree!,
      this.#grad,
      this.#neg!,
      this.#stack!,
      computeError,
    );
  }
}

/** Runs t-SNE to completion on x [n × d] → { embedding [n × 2], klDivergence, iterations }. */
export function tsne(
  x: ArrayLike<number>,
  n: number,
  d: number,
  options: TsneOptions = {},
): { embedding: Float64Array; klDivergence: number; iterations: number } {
  const t = new Tsne(x, n, d, options);
  const s = t.run();
  return { embedding: t.embedding, klDivergence: s.klDivergence, iterations: s.iteration };
}

/** The first k neighbours per point of a precomputed graph (which must have at least k). */
function truncateGraph(g: KnnGraph, n: number, k: number): KnnGraph {
  if (g.k < k) throw new Error(`t-SNE needs ${k} neighbours per point, the given graph has ${g.k}`);
  if (g.indices.length !== n * g.k)
    throw new Error(`neighbour graph is for ${g.indices.length / g.k} points, not ${n}`);
  if (g.k === k) return g;
  const indices = new Int32Array(n * k),
    sqDistances = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    indices.set(g.indices.subarray(i * g.k, i * g.k + k), i * k);
    sqDistances.set(g.sqDistances.subarray(i * g.k, i * g.k + k), i * k);
  }
  return { k, indices, sqDistances };
}

function pcaProjection2(data: Float64Array, n: number, dim: number): Float64Array {
  if (dim === 1) {
    const out = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) out[2 * i] = data[i];
    return out;
  }
  return transformPca(fitPca(data, n, dim, 2), data, n);
}

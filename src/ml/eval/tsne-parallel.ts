/**
 * Threads for the FFT t-SNE gradient (tsne-fft.ts, tsne-fft-gradient.ts), behind a small
 * interface the app's worker layer implements with Web Workers over SharedArrayBuffer
 * (src/worker/tsne-threads.ts). src/ml stays DOM-free: it only sees a TsneThreadPool, and
 * `sequentialPool` runs every part on the calling thread (Node tests, no isolation).
 *
 * One gradient is six phases, each split into `size` parts run at once (part 0 on the caller),
 * with a barrier after each: spread the charges into a grid per part + attraction of a row range;
 * sum the grids; first FFT pass + transpose; convolution; transpose back + last inverse pass;
 * interpolation back to a point range. Every part writes only its own ranges.
 */
import { attractiveForces } from './tsne-fft-gradient';
import { createBhPhases, type TsneSharedBh } from './tsne-parallel-bh';
import type { TsneThreadPool } from './tsne-thread-pool';

export type { TsneThreadPool } from './tsne-thread-pool';
import { FftRepulsion, type FftGrid, type FftRepulsionOptions } from './tsne-fft';

/** Everything the parts of a phase read or write; structured-cloneable (views on shared buffers). */
export interface TsneShared {
  kind: 'fft';
  n: number;
  parts: number;
  fft: Required<FftRepulsionOptions>;
  /** Embedding [n × 2]. */
  y: Float64Array;
  rowPtr: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
  /** Attraction and repulsion per point [n × 2]. */
  attr: Float64Array;
  neg: Float64Array;
  base: Int32Array;
  weights: Float64Array;
  /** Four charge grids per part; part 0's are the FFT grids. */
  grids: Float64Array[][];
  work: Float64Array[];
  kernel: Float64Array;
  /** g, gw, hw, h, cx, cy, x0, y0, exaggeration, computeError. */
  params: Float64Array;
  /** Per part: Z share, Σ p log p, Σ p log q, Σ p. */
  results: Float64Array;
}

export const TSNE_PHASES = 6;
const SPREAD = 0,
  SUM = 1,
  FORWARD = 2,
  CONVOLVE = 3,
  INVERSE = 4,
  GATHER = 5;

/** [lo, hi) of part `part` of `parts` over [0, count), boundaries at multiples of `align`. */
function range(count: number, parts: number, part: number, align = 1): [number, number] {
  const chunk = Math.ceil(count / parts / align) * align;
  return [Math.min(count, part * chunk), Math.min(count, (part + 1) * chunk)];
}

function readGrid(p: Float64Array): FftGrid {
  return { g: p[0], gw: p[1], hw: p[2], h: p[3], cx: p[4], cy: p[5], x0: p[6], y0: p[7] };
}

/** A FftRepulsion whose buffers are the shared ones. */
function attach(s: TsneShared): FftRepulsion {
  const rep = new FftRepulsion(s.fft);
  rep.base = s.base;
  rep.weights = s.weights;
  rep.grids = s.grids[0];
  rep.work = s.work;
  rep.kernel = s.kernel;
  return rep;
}

/** The phase runner of one thread: (phase, part) → does that part. Used by helpers and the caller. */
export function createTsnePhases(
  state: TsneShared | TsneSharedBh,
): (phase: number, part: number) => void {
  if (state.kind === 'bh') return createBhPhases(state);
  const s = state;
  const rep = attach(s);
  const P = { n: s.n, rowPtr: s.rowPtr, cols: s.cols, vals: s.vals };
  return (phase, part) => {
    rep.grid = readGrid(s.params);
    const { g, gw } = rep.grid;
    const parts = s.parts,
      n = s.n;
    if (phase === SPREAD) {
      const [lo, hi] = range(n, parts, part);
      const own = s.grids[part];
      if (part > 0) for (const a of own) a.fill(0, 0, g * gw);
      rep.weigh(s.y, lo, hi);
      rep.spread(s.y, lo, hi, own);
      const r = attractiveForces(s.y, P, s.params[8], s.attr, lo, hi, s.params[9] !== 0);
      s.results[4 * part + 1] = r.pLogP;
      s.results[4 * part + 2] = r.pLogQ;
      s.results[4 * part + 3] = r.sumP;
    } else if (phase === SUM) {
      const [r0, r1] = range(g, parts, part);
      const G = s.grids[0];
      for (let k = 1; k < parts; k++) {
        const K = s.grids[k];
        for (let a = 0; a < 4; a++) {
          const dst = G[a],
            src = K[a];
          for (let q = r0 * gw; q < r1 * gw; q++) dst[q] += src[q];
        }
      }
    } else if (phase === FORWARD) {
      const [c0, c1] = range(g, parts, part, 8);
      rep.forwardG(c0, c1);
      rep.transposeToH(c0, c1);
    } else if (phase === CONVOLVE) {
      const [c0, c1] = range(2 * g, parts, part, 16);
      rep.convolveH(c0, c1);
    } else if (phase === INVERSE) {
      const [c0, c1] = range(g, parts, part, 8);
      rep.transposeToG(c0, c1);
      rep.inverseG(c0, c1);
    } else if (phase === GATHER) {
      const [lo, hi] = range(n, parts, part);
      s.results[4 * part] = rep.gather(s.y, s.neg, lo, hi);
    }
  };
}

/**
 * The FFT gradient over a thread pool: same result as fftGradient up to the order of the sums.
 * Owns the shared copies of P and the scratch; `y` must be the pool-allocated embedding.
 */
export class ParallelFftGradient {
  readonly shared: TsneShared;
  readonly #pool: TsneThreadPool;
  readonly #rep: FftRepulsion;
  readonly #local: (phase: number, part: number) => void;

  constructor(
    pool: TsneThreadPool,
    y: Float64Array,
    P: { rowPtr: Int32Array; cols: Int32Array; vals: Float64Array },
    n: number,
    options: FftRepulsionOptions = {},
  ) {
    this.#pool = pool;
    const rep = new FftRepulsion(options);
    const f64 = (len: number) => pool.f64(len),
      i32 = (len: number) => pool.i32(len);
    rep.reserve(n, rep.maxNodes, f64, i32);
    this.#rep = rep;
    const copyF = (a: Float64Array) => {
      const out = f64(a.length);
      out.set(a);
      return out;
    };
    const copyI = (a: Int32Array) => {
      const out = i32(a.length);
      out.set(a);
      return out;
    };
    const parts = pool.size;
    const grids = [rep.grids];
    for (let k = 1; k < parts; k++) grids.push(rep.grids.map((a) => f64(a.length)));
    this.shared = {
      kind: 'fft',
      n,
      parts,
      fft: {
        order: rep.order,
        maxSpacing: rep.maxSpacing,
        maxNodes: rep.maxNodes,
        minNodes: rep.minNodes,
      },
      y,
      rowPtr: copyI(P.rowPtr),
      cols: copyI(P.cols),
      vals: copyF(P.vals),
      attr: f64(2 * n),
      neg: f64(2 * n),
      base: rep.base,
      weights: rep.weights,
      grids,
      work: rep.work,
      kernel: rep.kernel,
      params: f64(10),
      results: f64(4 * parts),
    };
    this.#local = createTsnePhases(this.shared);
    pool.start(this.shared);
  }

  /** grad [n × 2] = 4 (attraction − repulsion / Z) at the shared y; returns KL when asked, else NaN. */
  gradient(exaggeration: number, computeError: boolean, grad: Float64Array): number {
    const s = this.shared;
    const n = s.n;
    const grid = this.#rep.setup(s.y, n);
    const p = s.params;
    p[0] = grid.g;
    p[1] = grid.gw;
    p[2] = grid.hw;
    p[3] = grid.h;
    p[4] = grid.cx;
    p[5] = grid.cy;
    p[6] = grid.x0;
    p[7] = grid.y0;
    p[8] = exaggeration;
    p[9] = computeError ? 1 : 0;
    for (let phase = 0; phase < TSNE_PHASES; phase++) {
      if (phase === SUM && s.parts === 1) continue;
      this.#pool.run(phase, () => this.#local(phase, 0));
    }
    let z = 0,
      pLogP = 0,
      pLogQ = 0,
      sumP = 0;
    for (let k = 0; k < s.parts; k++) {
      z += s.results[4 * k];
      pLogP += s.results[4 * k + 1];
      pLogQ += s.results[4 * k + 2];
      sumP += s.results[4 * k + 3];
    }
    const invZ = 1 / z,
      attr = s.attr,
      neg = s.neg;
    for (let c = 0; c < 2 * n; c++) grad[c] = 4 * (attr[c] - neg[c] * invZ);
    return computeError ? pLogP - pLogQ + Math.log(z) * sumP : NaN;
  }

  /** Releases the helpers. */
  close(): void {
    this.#pool.end();
  }
}

/** A pool of `size` parts run one after another on the calling thread (Node, no isolation). */
export function sequentialPool(size = 1): TsneThreadPool {
  let helpers: ((phase: number, part: number) => void)[] = [];
  return {
    size,
    f64: (len) => new Float64Array(len),
    i32: (len) => new Int32Array(len),
    start(shared) {
      const state = shared as TsneShared | TsneSharedBh;
      helpers = Array.from({ length: size - 1 }, () => createTsnePhases(state));
    },
    run(phase, local) {
      local();
      helpers.forEach((h, k) => h(phase, k + 1));
    },
    end() {
      helpers = [];
    },
  };
}

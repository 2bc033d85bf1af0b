/**
 * t-SNE repulsion by FFT-accelerated interpolation (Linderman et al. 2019, "FIt-SNE"), written
 * from the paper. The Student-t kernel K(y, y') = 1 / (1 + |y − y'|²) appears in the gradient as
 * Σ_j K²(y_i, y_j)(y_i − y_j) and in the normaliser Z = Σ_{i≠j} K(y_i, y_j); both come from four
 * sums φ_c(i) = Σ_j K²(y_i, y_j) q_c(j) with charges q = (1, y_x, y_y, |y|²):
 *   repulsion_i = y_i φ_0(i) − (φ_1(i), φ_2(i)),
 *   Z = Σ_i [(1 + |y_i|²) φ_0(i) − 2 y_i·(φ_1(i), φ_2(i)) + φ_3(i)] − n.
 * Each sum is a 2-d convolution of the charges with K²: the charges are spread onto a square grid
 * of g × g nodes by Lagrange interpolation on the `order` nearest nodes per axis (a sliding
 * stencil on one uniform grid), convolved with K² sampled at the node offsets through zero-padded
 * FFTs of size m = 2g (two charges per complex transform; K² is real and even, so its spectrum is
 * real), and interpolated back to the points with the same weights. Cost per gradient:
 * O(n·order²) + O(g² log g). The node spacing follows the layout's extent: g is the smallest
 * power of two whose spacing is ≤ `maxSpacing` (capped at `maxNodes`), and the spacing is rounded
 * up to a ladder of 2^(1/8) steps so the kernel's spectrum is recomputed only when it moves a step.
 *
 * Layout: the charges sit in `grids` G (m rows × g columns, row = y node, column = x node); the
 * first FFT runs down G's columns, G is transposed into `work` H (m × m), the second FFT, the
 * kernel product and the first inverse run down H's columns, H is transposed back into G and
 * the last inverse runs down G's columns (fft.ts transforms down columns only).
 *
 * The work splits into ranges (points for spreading and interpolation, rows and columns for the
 * FFT passes) so a caller can hand the pieces to threads (tsne-parallel.ts); `compute` runs them
 * all on the calling thread.
 */
import { FftPlan, fftColumnsForward, fftColumnsInverse, transpose } from './fft';

export interface FftRepulsionOptions {
  /** Interpolation nodes per axis per point (default 3). */
  order?: number;
  /** Largest node spacing in embedding units (default 0.5). */
  maxSpacing?: number;
  /** Largest number of nodes per axis, a power of two (default 256). */
  maxNodes?: number;
  /** Smallest number of nodes per axis, a power of two (default 32). */
  minNodes?: number;
}

/** Grid geometry of one gradient evaluation. */
export interface FftGrid {
  /** Nodes per axis (the FFT length is m = 2g). */
  g: number;
  /** Row strides of G (g + PAD) and of H and the kernel (2g + PAD). */
  gw: number;
  hw: number;
  /** Node spacing. */
  h: number;
  /** Embedding coordinates of the grid centre (charges use coordinates relative to it). */
  cx: number;
  cy: number;
  /** Embedding coordinates of node (0, 0). */
  x0: number;
  y0: number;
}

/** Spacing ladder step: h = maxSpacing · 2^(−k / LADDER). */
const LADDER = 8;
/**
 * Row padding (values): power-of-two row strides map every row of a column block to the same
 * cache sets; one extra cache line per row spreads them (measured ~10× on the 512² passes).
 */
const PAD = 8;
/** Columns of H taken through the whole convolution at a time. */
const CONV_BLOCK = 16;

/** Reusable buffers and plans for FFT repulsion over n points. */
export class FftRepulsion {
  readonly order: number;
  readonly maxSpacing: number;
  readonly maxNodes: number;
  readonly minNodes: number;
  /** Per point: base node index (x, y) of its stencil. */
  base: Int32Array = new Int32Array(0);
  /** Per point: order x-weights then order y-weights. */
  weights: Float64Array = new Float64Array(0);
  /**
   * G: [re, im] of the charge pairs (1, x) and (y, |y|²) relative to the grid centre, m × g each;
   * after the convolution, their potentials φ_0 + iφ_1 and φ_2 + iφ_3 (rows < g valid).
   */
  grids: Float64Array[] = [];
  /** H: [re, im] of both pairs transposed, m × m each. */
  work: Float64Array[] = [];
  /** Real spectrum of K² on the current grid, in H's (bit-reversed) order [m × m]. */
  kernel: Float64Array = new Float64Array(0);
  #plans = new Map<number, FftPlan>();
  #denom: Float64Array;
  grid: FftGrid = { g: 0, gw: 0, hw: 0, h: 0, cx: 0, cy: 0, x0: 0, y0: 0 };
  #kernelKey = '';

  constructor(options: FftRepulsionOptions = {}) {
    this.order = options.order ?? 3;
    this.maxSpacing = options.maxSpacing ?? 0.5;
    this.maxNodes = options.maxNodes ?? 256;
    this.minNodes = options.minNodes ?? 32;
    if (!(this.order >= 2 && this.order <= 6)) throw new Error('interpolation order must be 2..6');
    // Lagrange denominators Π_{m≠k} (k − m) for nodes 0..order−1.
    this.#denom = new Float64Array(this.order);
    for (let k = 0; k < this.order; k++) {
      let d = 1;
      for (let q = 0; q < this.order; q++) if (q !== k) d *= k - q;
      this.#denom[k] = d;
    }
  }

  plan(m: number): FftPlan {
    let p = this.#plans.get(m);
    if (!p) {
      p = new FftPlan(m);
      this.#plans.set(m, p);
    }
    return p;
  }

  /**
   * Allocates the buffers for n points and grids of up to `nodes` per axis with the given
   * allocators (shared memory when threads work on them; tsne-parallel.ts), so setup() keeps them.
   */
  reserve(
    n: number,
    nodes: number,
    f64: (len: number) => Float64Array = (len) => new Float64Array(len),
    i32: (len: number) => Int32Array = (len) => new Int32Array(len),
  ): void {
    this.base = i32(2 * n);
    this.weights = f64(2 * this.order * n);
    const m = 2 * nodes,
      gw = nodes + PAD,
      hw = m + PAD;
    this.grids = [f64(m * gw), f64(m * gw), f64(m * gw), f64(m * gw)];
    this.work = [f64(m * hw), f64(m * hw), f64(m * hw), f64(m * hw)];
    this.kernel = f64(m * hw);
    this.#kernelKey = '';
  }

  /**
   * Chooses the grid for y [n × 2], grows the buffers when too small, zeroes the charge region
   * and refreshes the kernel spectrum when the spacing moved.
   */
  setup(y: Float64Array, n: number): FftGrid {
    if (this.base.length < 2 * n) {
      this.base = new Int32Array(2 * n);
      this.weights = new Float64Array(2 * this.order * n);
    }
    let minX = Infinity,
      minY = Infinity,
      maxX = -Infinity,
      maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const a = y[2 * i],
        b = y[2 * i + 1];
      if (a < minX) minX = a;
      if (a > maxX) maxX = a;
      if (b < minY) minY = b;
      if (b > maxY) maxY = b;
    }
    const span = Math.max(maxX - minX, maxY - minY, 1e-12);
    const p = this.order;
    // Coordinates u = (y − x0)/h lie in [p/2, g − p/2 − 1]: every stencil fits the grid.
    let g = this.minNodes;
    while (g < this.maxNodes && span / (g - p - 1) > this.maxSpacing) g *= 2;
    const need = span / (g - p - 1);
    // Round h up to the ladder (≤ maxSpacing while g is below the cap).
    const k = Math.floor(LADDER * Math.log2(this.maxSpacing / need));
    const h = this.maxSpacing * 2 ** (-k / LADDER);
    const cx = 0.5 * (minX + maxX),
      cy = 0.5 * (minY + maxY);
    const half = 0.5 * (g - 1) * h;
    const m = 2 * g,
      gw = g + PAD,
      hw = m + PAD;
    this.grid = { g, gw, hw, h, cx, cy, x0: cx - half, y0: cy - half };
    if (this.grids.length === 0 || this.grids[0].length < m * gw || this.work[0].length < m * hw) {
      this.reserve(n, g);
    } else {
      for (const a of this.grids) a.fill(0, 0, g * gw);
    }
    const key = `${g}:${k}`;
    if (key !== this.#kernelKey) {
      this.#prepareKernel();
      this.#kernelKey = key;
    }
    return this.grid;
  }

  /** Stencil bases and Lagrange weights of points [lo, hi). */
  weigh(y: Float64Array, lo: number, hi: number): void {
    const { h, x0, y0 } = this.grid;
    const p = this.order,
      denom = this.#denom,
      base = this.base,
      w = this.weights;
    const invH = 1 / h,
      shift = (p - 1) / 2 - 0.5;
    for (let i = lo; i < hi; i++) {
      for (let axis = 0; axis < 2; axis++) {
        const u = (y[2 * i + axis] - (axis === 0 ? x0 : y0)) * invH;
        const b = Math.floor(u - shift);
        base[2 * i + axis] = b;
        const s = u - b;
        const o = (2 * i + axis) * p;
        for (let k = 0; k < p; k++) {
          let v = 1;
          for (let q = 0; q < p; q++) if (q !== k) v *= s - q;
          w[o + k] = v / denom[k];
        }
      }
    }
  }

  /**
   * Adds the charges of points [lo, hi) to the grids given (default G; threads spreading at the
   * same time need grids of their own, summed afterwards).
   */
  spread(y: Float64Array, lo: number, hi: number, grids: Float64Array[] = this.grids): void {
    const { gw, cx, cy } = this.grid;
    const p = this.order,
      base = this.base,
      w = this.weights;
    const [aRe, aIm, bRe, bIm] = grids;
    for (let i = lo; i < hi; i++) {
      const qx = y[2 * i] - cx,
        qy = y[2 * i + 1] - cy;
      const qr = qx * qx + qy * qy;
      const bx = base[2 * i],
        by = base[2 * i + 1];
      const ox = 2 * i * p,
        oy = ox + p;
      for (let b = 0; b < p; b++) {
        const wy = w[oy + b];
        const row = (by + b) * gw + bx;
        for (let a = 0; a < p; a++) {
          const ww = wy * w[ox + a];
          const idx = row + a;
          aRe[idx] += ww;
          aIm[idx] += ww * qx;
          bRe[idx] += ww * qy;
          bIm[idx] += ww * qr;
        }
      }
    }
  }

  /** K² at the node offsets, circulant-embedded in m × m, → its real spectrum in H's order. */
  #prepareKernel(): void {
    const { g, h, hw } = this.grid;
    const m = 2 * g,
      kr = this.kernel,
      ki = new Float64Array(m * hw),
      tr = new Float64Array(m * hw);
    const h2 = h * h;
    for (let r = 0; r < m; r++) {
      const dr = r < g ? r : r - m;
      for (let c = 0; c < m; c++) {
        const dc = c < g ? c : c - m;
        const q = 1 / (1 + h2 * (dr * dr + dc * dc));
        tr[r * hw + c] = q * q;
      }
    }
    const plan = this.plan(m);
    fftColumnsForward(plan, tr, ki, 0, m, false, hw);
    // K² is even in both axes, so after the first pass the values are real: transpose the real part.
    transpose(tr, hw, kr, hw, 0, m, 0, m);
    ki.fill(0);
    fftColumnsForward(plan, kr, ki, 0, m, false, hw);
    const scale = 1 / (m * m);
    for (let q = 0; q < m * hw; q++) kr[q] *= scale;
  }

  /** First forward pass, down G's columns [c0, c1) ⊂ [0, g). */
  forwardG(c0: number, c1: number): void {
    const { g, gw } = this.grid;
    const plan = this.plan(2 * g);
    const G = this.grids;
    fftColumnsForward(plan, G[0], G[1], c0, c1, true, gw);
    fftColumnsForward(plan, G[2], G[3], c0, c1, true, gw);
  }

  /** H rows [c0, c1) ⊂ [0, g) = G columns [c0, c1), transposed. */
  transposeToH(c0: number, c1: number): void {
    const { g, gw, hw } = this.grid;
    const m = 2 * g;
    for (let a = 0; a < 4; a++) transpose(this.grids[a], gw, this.work[a], hw, 0, m, c0, c1);
  }

  /**
   * Second forward pass, kernel product and first inverse pass down H's columns [c0, c1) ⊂
   * [0, m), a cache block of columns at a time through all three.
   */
  convolveH(c0: number, c1: number): void {
    const { g, hw } = this.grid;
    const m = 2 * g;
    const plan = this.plan(m);
    const [aRe, aIm, bRe, bIm] = this.work;
    const kernel = this.kernel;
    for (let k0 = c0; k0 < c1; k0 += CONV_BLOCK) {
      const k1 = Math.min(c1, k0 + CONV_BLOCK);
      fftColumnsForward(plan, aRe, aIm, k0, k1, true, hw);
      fftColumnsForward(plan, bRe, bIm, k0, k1, true, hw);
      for (let r = 0; r < m; r++) {
        const o = r * hw;
        for (let c = o + k0; c < o + k1; c++) {
          const k = kernel[c];
          aRe[c] *= k;
          aIm[c] *= k;
          bRe[c] *= k;
          bIm[c] *= k;
        }
      }
      fftColumnsInverse(plan, aRe, aIm, k0, k1, true, hw);
      fftColumnsInverse(plan, bRe, bIm, k0, k1, true, hw);
    }
  }

  /** G columns [c0, c1) ⊂ [0, g) = H rows [c0, c1), transposed back. */
  transposeToG(c0: number, c1: number): void {
    const { g, gw, hw } = this.grid;
    const m = 2 * g;
    for (let a = 0; a < 4; a++) transpose(this.work[a], hw, this.grids[a], gw, c0, c1, 0, m);
  }

  /** Last inverse pass, down G's columns [c0, c1) ⊂ [0, g): potentials at the nodes. */
  inverseG(c0: number, c1: number): void {
    const { g, gw } = this.grid;
    const plan = this.plan(2 * g);
    const G = this.grids;
    fftColumnsInverse(plan, G[0], G[1], c0, c1, true, gw);
    fftColumnsInverse(plan, G[2], G[3], c0, c1, true, gw);
  }

  /**
   * Interpolates the potentials to points [lo, hi) and writes their repulsion Σ_j K²(y_i − y_j)
   * into neg [n × 2]; returns their share of Z. The grid also carries each point's interaction
   * with itself: its force part cancels exactly (x φ_0 − φ_1 = x S − x S), and its Z part is the
   * point's interpolated kernel at offset 0, S_i = Σ w w' K²(node − node') (≈ 0.66 at spacing 1,
   * not the exact 1), which is computed here from the weights' autocorrelations and removed.
   */
  gather(y: Float64Array, neg: Float64Array, lo: number, hi: number): number {
    const { gw, cx, cy } = this.grid;
    const p = this.order,
      base = this.base,
      w = this.weights;
    const [aRe, aIm, bRe, bIm] = this.grids;
    const self = this.#selfKernel(),
      span = 2 * p - 1,
      cxs = new Float64Array(span),
      cys = new Float64Array(span);
    let z = 0;
    for (let i = lo; i < hi; i++) {
      const bx = base[2 * i],
        by = base[2 * i + 1];
      const ox = 2 * i * p,
        oy = ox + p;
      // S_i = Σ_{dx, dy} K²(h·(dx, dy)) · Ax[dx] · Ay[dy], A = autocorrelation of the weights.
      cxs.fill(0);
      cys.fill(0);
      for (let a = 0; a < p; a++)
        for (let b = 0; b < p; b++) {
          cxs[a - b + p - 1] += w[ox + a] * w[ox + b];
          cys[a - b + p - 1] += w[oy + a] * w[oy + b];
        }
      let selfZ = 0;
      for (let dx = 0; dx < span; dx++) {
        let t = 0;
        for (let dy = 0; dy < span; dy++) t += self[dx * span + dy] * cys[dy];
        selfZ += t * cxs[dx];
      }
      let p0 = 0,
        p1 = 0,
        p2 = 0,
        p3 = 0;
      for (let b = 0; b < p; b++) {
        const wy = w[oy + b];
        const row = (by + b) * gw + bx;
        for (let a = 0; a < p; a++) {
          const ww = wy * w[ox + a];
          const idx = row + a;
          p0 += ww * aRe[idx];
          p1 += ww * aIm[idx];
          p2 += ww * bRe[idx];
          p3 += ww * bIm[idx];
        }
      }
      const qx = y[2 * i] - cx,
        qy = y[2 * i + 1] - cy;
      neg[2 * i] = qx * p0 - p1;
      neg[2 * i + 1] = qy * p0 - p2;
      z += (1 + qx * qx + qy * qy) * p0 - 2 * (qx * p1 + qy * p2) + p3 - selfZ;
    }
    return z;
  }

  /** K² at node offsets (dx, dy) ∈ [−(p−1), p−1]², row-major. */
  #selfKernel(): Float64Array {
    const p = this.order,
      span = 2 * p - 1,
      h2 = this.grid.h * this.grid.h;
    const t = new Float64Array(span * span);
    for (let a = 0; a < span; a++)
      for (let b = 0; b < span; b++) {
        const dx = a - p + 1,
          dy = b - p + 1;
        const q = 1 / (1 + h2 * (dx * dx + dy * dy));
        t[a * span + b] = q * q;
      }
    return t;
  }

  /** All steps on this thread: repulsion of every point into neg [n × 2]; returns Z. */
  compute(y: Float64Array, n: number, neg: Float64Array): number {
    const { g } = this.setup(y, n);
    this.weigh(y, 0, n);
    this.spread(y, 0, n);
    this.forwardG(0, g);
    this.transposeToH(0, g);
    this.convolveH(0, 2 * g);
    this.transposeToG(0, g);
    this.inverseG(0, g);
    return this.gather(y, neg, 0, n);
  }
}

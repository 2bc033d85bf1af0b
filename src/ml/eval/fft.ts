/**
 * Radix-2 complex FFTs for 2-d circular convolution on Float64Array (split real / imaginary
 * arrays), written for the t-SNE interpolation grid (tsne-fft.ts). No bit-reversal passes: the
 * forward transform is decimation-in-frequency (natural order in, bit-reversed out) and the
 * inverse is decimation-in-time (bit-reversed in, natural out), so a pointwise product between
 * them, with both spectra in the same scrambled order, is a circular convolution.
 *
 * A 2-d grid is m × m row-major. The passes transform down columns, running every butterfly across
 * a block of BLOCK adjacent columns at once: contiguous inner loops, and a block (m × BLOCK values
 * per array) stays in cache through all log2(m) stages. The other axis is reached by transposing.
 */

/** Columns per cache block. */
const BLOCK = 16;

/** Twiddle tables for transforms of length m (a power of two ≥ 2). */
export class FftPlan {
  readonly m: number;
  /** cos(2πk/m), sin(2πk/m) for k < m/2. */
  readonly cos: Float64Array;
  readonly sin: Float64Array;

  constructor(m: number) {
    if (!(m >= 2 && (m & (m - 1)) === 0))
      throw new Error(`FFT length must be a power of 2, got ${m}`);
    this.m = m;
    this.cos = new Float64Array(m / 2);
    this.sin = new Float64Array(m / 2);
    for (let k = 0; k < m / 2; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / m);
      this.sin[k] = Math.sin((2 * Math.PI * k) / m);
    }
  }
}

/** fftColumnsForward on one cache block of columns; w = values per row. */
function forwardBlock(
  plan: FftPlan,
  re: Float64Array,
  im: Float64Array,
  c0: number,
  c1: number,
  halfZero: boolean,
  w: number,
): void {
  const m = plan.m,
    cs = plan.cos,
    sn = plan.sin;
  let h = m >> 1;
  if (halfZero) {
    for (let j = 0; j < h; j++) {
      const c = cs[j],
        s = sn[j];
      const oa = j * w,
        ob = (j + h) * w;
      for (let k = c0; k < c1; k++) {
        const ar = re[oa + k],
          ai = im[oa + k];
        re[ob + k] = ar * c + ai * s;
        im[ob + k] = ai * c - ar * s;
      }
    }
    h >>= 1;
  }
  for (; h >= 1; h >>= 1) {
    const step = (m / (2 * h)) | 0;
    for (let s0 = 0; s0 < m; s0 += 2 * h) {
      for (let j = 0, t = 0; j < h; j++, t += step) {
        const c = cs[t],
          s = sn[t];
        const oa = (s0 + j) * w,
          ob = (s0 + j + h) * w;
        for (let k = c0; k < c1; k++) {
          const ar = re[oa + k],
            ai = im[oa + k],
            br = re[ob + k],
            bi = im[ob + k];
          re[oa + k] = ar + br;
          im[oa + k] = ai + bi;
          const dr = ar - br,
            di = ai - bi;
          re[ob + k] = dr * c + di * s;
          im[ob + k] = di * c - dr * s;
        }
      }
    }
  }
}

/** fftColumnsInverse on one cache block of columns; w = values per row. */
function inverseBlock(
  plan: FftPlan,
  re: Float64Array,
  im: Float64Array,
  c0: number,
  c1: number,
  firstHalf: boolean,
  w: number,
): void {
  const m = plan.m,
    cs = plan.cos,
    sn = plan.sin;
  const last = m >> 1;
  for (let h = 1; h < (firstHalf ? last : m); h <<= 1) {
    const step = (m / (2 * h)) | 0;
    for (let s0 = 0; s0 < m; s0 += 2 * h) {
      for (let j = 0, t = 0; j < h; j++, t += step) {
        const c = cs[t],
          s = sn[t];
        const oa = (s0 + j) * w,
          ob = (s0 + j + h) * w;
        for (let k = c0; k < c1; k++) {
          const br = re[ob + k],
            bi = im[ob + k];
          const tr = br * c - bi * s,
            ti = bi * c + br * s;
          const ar = re[oa + k],
            ai = im[oa + k];
          re[oa + k] = ar + tr;
          im[oa + k] = ai + ti;
          re[ob + k] = ar - tr;
          im[ob + k] = ai - ti;
        }
      }
    }
  }
  if (firstHalf) {
    for (let j = 0; j < last; j++) {
      const c = cs[j],
        s = sn[j];
      const oa = j * w,
        ob = (j + last) * w;
      for (let k = c0; k < c1; k++) {
        const br = re[ob + k],
          bi = im[ob + k];
        re[oa + k] += br * c - bi * s;
        im[oa + k] += bi * c + br * s;
      }
    }
  }
}

/**
 * Forward DIF FFT down columns [c0, c1) of an m-row grid with w values per row (default m) (e^{-2πi jk/m}), in place; the row order
 * of the output is bit-reversed. With `halfZero`, rows m/2.. are taken as zero (zero padding: they
 * are not read, and the first stage overwrites them).
 */
export function fftColumnsForward(
  plan: FftPlan,
  re: Float64Array,
  im: Float64Array,
  c0: number,
  c1: number,
  halfZero: boolean,
  w = plan.m,
): void {
  for (let c = c0; c < c1; c += BLOCK)
    forwardBlock(plan, re, im, c, Math.min(c1, c + BLOCK), halfZero, w);
}

/**
 * Inverse DIT FFT down columns [c0, c1) (e^{+2πi jk/m}, unscaled), in place: bit-reversed rows in,
 * natural order out. With `firstHalf`, only rows 0..m/2−1 are made valid.
 */
export function fftColumnsInverse(
  plan: FftPlan,
  re: Float64Array,
  im: Float64Array,
  c0: number,
  c1: number,
  firstHalf: boolean,
  w = plan.m,
): void {
  for (let c = c0; c < c1; c += BLOCK)
    inverseBlock(plan, re, im, c, Math.min(c1, c + BLOCK), firstHalf, w);
}

/** dst[c·dw + r] = src[r·sw + c] for r ∈ [r0, r1), c ∈ [c0, c1), in 32 × 32 tiles. */
export function transpose(
  src: Float64Array,
  sw: number,
  dst: Float64Array,
  dw: number,
  r0: number,
  r1: number,
  c0: number,
  c1: number,
): void {
  const T = 32;
  for (let rb = r0; rb < r1; rb += T) {
    const re = Math.min(r1, rb + T);
    for (let cb = c0; cb < c1; cb += T) {
      const ce = Math.min(c1, cb + T);
      for (let r = rb; r < re; r++) {
        const so = r * sw;
        for (let c = cb; c < ce; c++) dst[c * dw + r] = src[so + c];
      }
    }
  }
}

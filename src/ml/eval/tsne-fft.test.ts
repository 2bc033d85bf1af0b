import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { denseJointP } from './tsne-affinities';
import { FftRepulsion } from './tsne-fft';
import { fftGradient } from './tsne-fft-gradient';
import { exactGradient } from './tsne-gradient';

/** Σ_{j≠i} K²(y_i − y_j)(y_i − y_j) into neg, and Z = Σ_{i≠j} K, by the O(n²) loop. */
function directRepulsion(y: Float64Array, n: number, neg: Float64Array): number {
  let z = 0;
  neg.fill(0);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const dx = y[2 * i] - y[2 * j],
        dy = y[2 * i + 1] - y[2 * j + 1];
      const q = 1 / (1 + dx * dx + dy * dy);
      z += q;
      neg[2 * i] += q * q * dx;
      neg[2 * i + 1] += q * q * dy;
    }
  return z;
}

/** 10 blobs on a circle of radius `scale`, n points (a t-SNE-like layout). */
function blobs(n: number, scale: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const y = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const c = i % 10;
    y[2 * i] = scale * (Math.cos(c) + 0.25 * rng.normal());
    y[2 * i + 1] = scale * (Math.sin(c) + 0.25 * rng.normal()) + 3;
  }
  return y;
}

function relErr(a: Float64Array, b: Float64Array, sa: number, sb: number): number {
  let e = 0,
    t = 0;
  for (let c = 0; c < a.length; c++) {
    e += (a[c] / sa - b[c] / sb) ** 2;
    t += (b[c] / sb) ** 2;
  }
  return Math.sqrt(e / t);
}

describe('FFT-interpolated t-SNE repulsion', () => {
  const n = 1500;
  for (const [scale, maxErr, zErr] of [
    [0.5, 1e-4, 1e-5],
    [8, 2e-2, 1e-3],
    [30, 3e-2, 5e-3],
  ] as const) {
    it(`matches the O(n²) sums on blobs of radius ${scale} (force error < ${maxErr})`, () => {
      const y = blobs(n, scale, 1);
      const ref = new Float64Array(2 * n),
        got = new Float64Array(2 * n);
      const z = directRepulsion(y, n, ref);
      const rep = new FftRepulsion();
      const zf = rep.compute(y, n, got);
      expect(Math.abs(zf - z) / z).toBeLessThan(zErr);
      expect(relErr(got, ref, zf, z)).toBeLessThan(maxErr);
    });
  }

  it('gets more accurate with a finer grid and a higher order', () => {
    const y = blobs(n, 8, 2);
    const ref = new Float64Array(2 * n),
      got = new Float64Array(2 * n);
    const z = directRepulsion(y, n, ref);
    const errs = [
      { order: 3, maxSpacing: 1 },
      { order: 3, maxSpacing: 0.25 },
      { order: 5, maxSpacing: 0.25 },
    ].map((o) => {
      const zf = new FftRepulsion(o).compute(y, n, got);
      return relErr(got, ref, zf, z);
    });
    expect(errs[1]).toBeLessThan(errs[0] / 4);
    expect(errs[2]).toBeLessThan(errs[1] / 4);
    expect(errs[2]).toBeLessThan(1e-3);
  });

  it('fftGradient equals the exact gradient and KL on a dense P (fine grid)', () => {
    const m = 60;
    const rng = createRng(3);
    const x = Float64Array.from({ length: m * 5 }, () => rng.normal());
    const P = denseJointP(x, m, 5, 8);
    const rowPtr = new Int32Array(m + 1),
      cols = new Int32Array(m * (m - 1)),
      vals = new Float64Array(m * (m - 1));
    let e = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++)
        if (j !== i) {
          cols[e] = j;
          vals[e++] = P[i * m + j];
        }
      rowPtr[i + 1] = e;
    }
    const y = Float64Array.from({ length: 2 * m }, () => rng.normal());
    const gExact = new Float64Array(2 * m),
      gFft = new Float64Array(2 * m);
    const klExact = exactGradient(y, P, m, 4, gExact, new Float64Array((m * (m - 1)) / 2), true);
    const klFft = fftGradient(
      y,
      { n: m, rowPtr, cols, vals },
      m,
      4,
      new FftRepulsion({ order: 5, maxSpacing: 0.05 }),
      gFft,
      new Float64Array(2 * m),
      true,
    );
    const err = Math.hypot(...gFft.map((g, c) => g - gExact[c])) / Math.hypot(...gExact);
    expect(err).toBeLessThan(1e-6);
    expect(klFft).toBeCloseTo(klExact, 6);
  });
});

/**
 * t-SNE gradient with FFT-interpolated repulsion (tsne-fft.ts) and exact attraction over the
 * sparse P, with sklearn's KL estimate (as the Barnes-Hut path: Σ p log(p / (q / Z))) on request.
 * The attraction is split by rows so threads can share it (tsne-parallel.ts).
 */
import type { SparseP } from './tsne-affinities';
import type { FftRepulsion } from './tsne-fft';

const FLOAT32_TINY = 1.1754943508222875e-38;

/**
 * Attraction of rows [lo, hi): attr[2i..2i+1] = Σ_j exaggeration·p_ij·q_ij·(y_i − y_j) with
 * q = 1/(1 + |y_i − y_j|²). Returns Σ p_ij log p_ij and Σ p_ij log q_ij of those rows when
 * asked (else zeros), so KL = Σ p log p − Σ p log q + log Z · Σ p can be assembled afterwards.
 */
export function attractiveForces(
  y: Float64Array,
  P: SparseP,
  exaggeration: number,
  attr: Float64Array,
  lo: number,
  hi: number,
  computeError: boolean,
): { pLogP: number; pLogQ: number; sumP: number } {
  const { rowPtr, cols, vals } = P;
  let pLogP = 0,
    pLogQ = 0,
    sumP = 0;
  for (let i = lo; i < hi; i++) {
    const yi0 = y[2 * i],
      yi1 = y[2 * i + 1];
    let f0 = 0,
      f1 = 0;
    const end = rowPtr[i + 1];
    for (let e = rowPtr[i]; e < end; e++) {
      const j = cols[e];
      const d0 = yi0 - y[2 * j],
        d1 = yi1 - y[2 * j + 1];
      const q = 1 / (1 + d0 * d0 + d1 * d1);
      const pq = vals[e] * q;
      f0 += pq * d0;
      f1 += pq * d1;
      if (computeError) {
        const p = exaggeration * vals[e];
        sumP += p;
        pLogP += p * Math.log(Math.max(p, FLOAT32_TINY));
        pLogQ += p * Math.log(q);
      }
    }
    attr[2 * i] = exaggeration * f0;
    attr[2 * i + 1] = exaggeration * f1;
  }
  return { pLogP, pLogQ, sumP };
}

/** KL from the attraction's partial sums and Z (sklearn's BH estimate up to its float32 floor). */
export function klFromParts(
  parts: { pLogP: number; pLogQ: number; sumP: number },
  sumQ: number,
): number {
  return parts.pLogP - parts.pLogQ + Math.log(sumQ) * parts.sumP;
}

/**
 * Gradient on one thread: y [n × 2], sparse P (times exaggeration) → grad [n × 2]
 * = 4 (attraction − repulsion / Z); `neg` is scratch [n × 2]. Returns KL when asked, else NaN.
 */
export function fftGradient(
  y: Float64Array,
  P: SparseP,
  n: number,
  exaggeration: number,
  rep: FftRepulsion,
  grad: Float64Array,
  neg: Float64Array,
  computeError: boolean,
): number {
  const sumQ = rep.compute(y, n, neg);
  const parts = attractiveForces(y, P, exaggeration, grad, 0, n, computeError);
  const invZ = 1 / sumQ;
  for (let c = 0; c < 2 * n; c++) grad[c] = 4 * (grad[c] - neg[c] * invZ);
  return computeError ? klFromParts(parts, sumQ) : NaN;
}

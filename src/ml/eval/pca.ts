/**
 * Principal component analysis on plain typed arrays: centre, D × D covariance (denominator n − 1,
 * as sklearn), symmetric eigen-decomposition (tridiagonal QL), project on the top k eigenvectors.
 * Sign convention (deterministic, unlike raw eigen-solvers): each component's entry of largest
 * absolute value is positive. sklearn instead fixes signs from the scores (svd_flip), so results
 * agree with sklearn up to the sign of each component.
 */
import { symmetricEigen } from './symmetric-eigen';

export interface PcaModel {
  /** Input dimension D. */
  dim: number;
  /** Number of components k. */
  k: number;
  /** Column means [D]. */
  mean: Float64Array;
  /** Principal axes as rows, row-major [k × D], unit length. */
  components: Float64Array;
  /** Variance along each axis (eigenvalues of the covariance), decreasing [k]. */
  explainedVariance: Float64Array;
  /** explainedVariance / total variance [k]. */
  explainedVarianceRatio: Float64Array;
}

/** Fits PCA with k components on x [n × d] row-major; needs n ≥ 2. */
export function fitPca(x: ArrayLike<number>, n: number, d: number, k: number): PcaModel {
  if (x.length !== n * d) throw new Error(`expected ${n}×${d} = ${n * d} values, got ${x.length}`);
  if (n < 2) throw new Error('PCA needs at least 2 samples');
  if (!(k >= 1 && k <= d)) throw new Error(`k must be in [1, ${d}], got ${k}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  return pcaFromCovariance(covariance(x, n, d, mean), d, k, mean);
}

/**
 * PCA model from a precomputed covariance [d × d] (e.g. a matmul on the tfjs backend) and the
 * column means [d]: top-k eigenvectors with the sign convention above.
 */
export function pcaFromCovariance(
  cov: ArrayLike<number>,
  d: number,
  k: number,
  mean: Float64Array,
): PcaModel {
  const { values, vectors } = symmetricEigen(cov, d);
  let total = 0;
  for (let j = 0; j < d; j++) total += Math.max(values[j], 0);
  const components = new Float64Array(k * d);
  const explainedVariance = new Float64Array(k),
    explainedVarianceRatio = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let arg = 0;
    for (let j = 1; j < d; j++)
      if (Math.abs(vectors[c * d + j]) > Math.abs(vectors[c * d + arg])) arg = j;
    const sign = vectors[c * d + arg] < 0 ? -1 : 1;
    for (let j = 0; j < d; j++) components[c * d + j] = sign * vectors[c * d + j];
    explainedVariance[c] = Math.max(values[c], 0);
    explainedVarianceRatio[c] = total > 0 ? explainedVariance[c] / total : 0;
  }
  return { dim: d, k, mean, components, explainedVariance, explainedVarianceRatio };
}

/** Projects x [n × D] onto a fitted model's components → [n × k] row-major Float64Array. */
export function transformPca(model: PcaModel, x: ArrayLike<number>, n: number): Float64Array {
  const { dim: d, k, mean, components } = model;
  if (x.length !== n * d) throw new Error(`expected ${n}×${d} values, got ${x.length}`);
  const out = new Float64Array(n * k);
  const row = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) row[j] = x[i * d + j] - mean[j];
    for (let c = 0; c < k; c++) {
      let s = 0;
      const off = c * d;
      for (let j = 0; j < d; j++) s += row[j] * components[off + j];
      out[i * k + c] = s;
    }
  }
  return out;
}

/** Fits PCA and projects in one go: x [n × d] → { projected [n × k], model }. */
export function pca(
  x: ArrayLike<number>,
  n: number,
  d: number,
  k: number,
): { projected: Float64Array; model: PcaModel } {
  const model = fitPca(x, n, d, k);
  return { projected: transformPca(model, x, n), model };
}

/**
 * Sample covariance [d × d] (n − 1) of x [n × d] about mean. Rows are taken in blocks of B,
 * centred and transposed, so each covariance entry gains a length-B dot product of contiguous
 * columns with no stores in the inner loop.
 */
function covariance(x: ArrayLike<number>, n: number, d: number, mean: Float64Array): Float64Array {
  const cov = new Float64Array(d * d);
  const B = 128;
  const colT = new Float64Array(d * B);
  for (let i0 = 0; i0 < n; i0 += B) {
    const nb = Math.min(B, n - i0);
    if (nb < B) colT.fill(0);
    for (let r = 0; r < nb; r++) {
      const off = (i0 + r) * d;
      for (let j = 0; j < d; j++) colT[j * B + r] = x[off + j] - mean[j];
    }
    for (let a = 0; a < d; a++) {
      const oa = a * B;
      for (let b = a; b < d; b++) {
        const ob = b * B;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        for (let r = 0; r < B; r += 4) {
          s0 += colT[oa + r] * colT[ob + r];
          s1 += colT[oa + r + 1] * colT[ob + r + 1];
          s2 += colT[oa + r + 2] * colT[ob + r + 2];
          s3 += colT[oa + r + 3] * colT[ob + r + 3];
        }
        cov[a * d + b] += s0 + s1 + s2 + s3;
      }
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = cov[a * d + b] / (n - 1);
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
  }
  return cov;
}

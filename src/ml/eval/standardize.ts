/**
 * Per-feature standardisation as sklearn's StandardScaler: subtract the mean, divide by the
 * population standard deviation (ddof = 0); constant features get scale 1. Plain typed arrays.
 */

export interface Standardizer {
  dim: number;
  mean: Float64Array;
  /** Divisor per feature (std, or 1 where the std is 0). */
  scale: Float64Array;
}

/** Fits mean and scale on x [n × d] row-major. */
export function fitStandardizer(x: ArrayLike<number>, n: number, d: number): Standardizer {
  if (x.length !== n * d) throw new Error(`expected ${n}×${d} = ${n * d} values, got ${x.length}`);
  if (n < 1) throw new Error('standardisation needs at least one sample');
  const mean = new Float64Array(d),
    scale = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const t = x[i * d + j] - mean[j];
      scale[j] += t * t;
    }
  }
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(scale[j] / n);
    // sklearn treats near-constant features (std below ~10·eps·|mean|) as constant too.
    scale[j] = s > 10 * Number.EPSILON * Math.max(1, Math.abs(mean[j])) ? s : 1;
  }
  return { dim: d, mean, scale };
}

/** Applies a fitted standardizer: x [n × d] → new Float32Array [n × d]. */
export function standardize(s: Standardizer, x: ArrayLike<number>): Float32Array {
  const d = s.dim;
  if (x.length % d !== 0) throw new Error(`length ${x.length} is not a multiple of dim ${d}`);
  const out = new Float32Array(x.length);
  for (let o = 0; o < x.length; o += d) {
    for (let j = 0; j < d; j++) out[o + j] = (x[o + j] - s.mean[j]) / s.scale[j];
  }
  return out;
}

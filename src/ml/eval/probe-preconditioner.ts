/**
 * Preconditioner for the linear probe's L-BFGS: a change of variables that leaves the objective and
 * its minimiser unchanged but makes the Hessian close to the identity, so the quasi-Newton steps
 * need far fewer iterations on correlated, ill-conditioned embeddings (the usual case: real
 * features are strongly correlated and λ = 1/(C·n) is tiny).
 *
 * The softmax cross-entropy's Hessian in W is (1/n)·Σᵢ xᵢxᵢᵀ ⊗ (diag pᵢ − pᵢpᵢᵀ); at W = 0 the
 * class factor is (I − 11ᵀ/c)/c. With Σ = XᵀX/m (standardised features, m ≤ maxRows rows) and
 *   A = Σ/c + λI = L·Lᵀ  (Cholesky),   P = L⁻ᵀ,
 * the parameters are W = P·U and b = √c·β, so the Hessian in (U, β) is PᵀAP = I near the start
 * and stays well scaled after. Gradients map back as ∇_U = Pᵀ·∇_W, ∇_β = √c·∇_b
 * (probe-objective.ts applies both with matmuls). Plain float64 loops except XᵀX (one matmul on
 * the active backend).
 */
import * as tf from '@tensorflow/tfjs';

/**
 * P = L⁻ᵀ [dim × dim] row-major (upper triangular) for standardised features xs [n × dim]
 * row-major, from the first min(n, maxRows) rows. Every tensor made here is disposed. (On
 * random-init ConvNet embeddings of cifar10, 5,000 × 512: Σ from 1,024 / 2,048 / 5,000 rows took
 * L-BFGS 183 / 106 / 67 passes; XᵀX costs about as much as a few passes, so take them all.)
 */
export async function probePreconditioner(
  xs: Float32Array,
  dim: number,
  classes: number,
  lambda: number,
  maxRows = 8192,
): Promise<Float64Array> {
  const d = dim;
  const m = Math.min(xs.length / d, maxRows);
  const covT = tf.tidy(() => {
    const x = tf.tensor2d(xs.subarray(0, m * d), [m, d]);
    // xᵀ·x with x as the right operand untransposed (the wasm backend's fast path).
    return tf.matMul(tf.transpose(x), x);
  });
  const cov = await covT.data();
  covT.dispose();
  const A = new Float64Array(d * d);
  for (let i = 0; i < d * d; i++) A[i] = cov[i] / (m * classes);
  // λ, floored relative to the trace so the factorisation exists even when Σ is singular.
  let trace = 0;
  for (let i = 0; i < d; i++) trace += A[i * d + i];
  const ridge = Math.max(lambda, (1e-8 * trace) / d);
  for (let i = 0; i < d; i++) A[i * d + i] += ridge;
  cholesky(A, d);
  return upperInverseTranspose(A, d);
}

/** In-place Cholesky of a symmetric positive-definite a [d × d] (row-major): lower L, upper zeroed. */
export function cholesky(a: Float64Array, d: number): void {
  for (let j = 0; j < d; j++) {
    const rj = j * d;
    let s = a[rj + j];
    for (let k = 0; k < j; k++) s -= a[rj + k] * a[rj + k];
    if (!(s > 0)) throw new Error(`matrix is not positive definite (pivot ${j}: ${s})`);
    const ljj = Math.sqrt(s);
    a[rj + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      const ri = i * d;
      let t = a[ri + j];
      for (let k = 0; k < j; k++) t -= a[ri + k] * a[rj + k];
      a[ri + j] = t / ljj;
    }
  }
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) a[i * d + j] = 0;
}

/**
 * L⁻ᵀ for lower-triangular L [d × d] row-major → new [d × d] row-major. Row j of the result is
 * column j of L⁻¹, found by forward substitution L·z = e_j (zᵢ = 0 for i < j).
 */
export function upperInverseTranspose(L: Float64Array, d: number): Float64Array {
  const P = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    const z = j * d;
    P[z + j] = 1 / L[j * d + j];
    for (let i = j + 1; i < d; i++) {
      const ri = i * d;
      let s = 0;
      for (let k = j; k < i; k++) s -= L[ri + k] * P[z + k];
      P[z + i] = s / L[ri + i];
    }
  }
  // P holds (L⁻¹)ᵀ row by row: P[j][i] = (L⁻¹)[i][j], i.e. P = L⁻ᵀ.
  return P;
}

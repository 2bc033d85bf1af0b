/**
 * Preconditioner for the linear probe's L-BFGS: a change of variables that leaves the objective and
 * its minimiser unchanged but makes the Hessian close to the identity, so the quasi-Newton steps
 * need far fewer iterations on correlated, ill-conditioned embeddings (the usual case: real
 * features are strongly correlated and λ = 1/(C·n) is tiny).
 *
 * The softmax cross-entropy's Hessian in W is (1/n)·Σᵢ xᵢxᵢᵀ ⊗ (diag pᵢ − pᵢpᵢᵀ); at W = 0 the
 * class factor is (I − 11ᵀ/c)/c. With Σ = XᵀX/m (standardised features, m ≤ maxRows rows) and
 *   A = Σ/c + λI = L·Lᵀ  (Cholesky),
 * the parameters are W = L⁻ᵀ·U and b = √c·β, so the Hessian in (U, β) is ≈ I near the start and
 * stays well scaled after. Gradients map back as ∇_U = L⁻¹·∇_W, ∇_β = √c·∇_b. Plain float64 loops
 * except XᵀX (one matmul on the active backend).
 */
import * as tf from '@tensorflow/tfjs';

export interface ProbePreconditioner {
  /** (U [dim × classes], β [classes]) → (W, b), same layout (W row-major, then b). */
  toParams(u: Float64Array, out: Float64Array): void;
  /** ∇ in (W, b) → ∇ in (U, β), in place. */
  gradToU(g: Float64Array): void;
  /** (W, b) → (U, β): the inverse of toParams. */
  fromParams(p: Float64Array, out: Float64Array): void;
}

/**
 * Builds the preconditioner from standardised features X [n × dim] (read, not disposed); uses the
 * first min(n, maxRows) rows for Σ. Every tensor made here is disposed.
 */
export async function probePreconditioner(
  X: tf.Tensor2D,
  classes: number,
  lambda: number,
  maxRows = 2048,
): Promise<ProbePreconditioner> {
  const [n, d] = X.shape;
  const m = Math.min(n, maxRows);
  const covT = tf.tidy(() => {
    const xs = m < n ? tf.slice(X, [0, 0], [m, d]) : X;
    // Xsᵀ·Xs with Xs as the right operand untransposed (the wasm backend's fast path).
    return tf.matMul(tf.transpose(xs), xs);
  });
  const cov = await covT.data();
  covT.dispose();
  // A = Σ/c + λI, then A = L·Lᵀ in place (lower triangle, row-major).
  const L = new Float64Array(d * d);
  for (let i = 0; i < d * d; i++) L[i] = cov[i] / (m * classes);
  // A relative floor keeps the factorisation defined when Σ is singular and λ is 0-ish.
  let trace = 0;
  for (let i = 0; i < d; i++) trace += L[i * d + i];
  const ridge = Math.max(lambda, (1e-10 * trace) / d);
  for (let i = 0; i < d; i++) L[i * d + i] += ridge;
  cholesky(L, d);
  const c = classes,
    sc = Math.sqrt(c);
  const dc = d * c;
  const acc = new Float64Array(c);
  return {
    toParams(u, out) {
      // W = L⁻ᵀ·U: back substitution Lᵀ·W = U, row by row from the bottom.
      for (let i = d - 1; i >= 0; i--) {
        for (let j = 0; j < c; j++) acc[j] = u[i * c + j];
        for (let k = i + 1; k < d; k++) {
          const l = L[k * d + i],
            o = k * c;
          for (let j = 0; j < c; j++) acc[j] -= l * out[o + j];
        }
        const lii = L[i * d + i];
        for (let j = 0; j < c; j++) out[i * c + j] = acc[j] / lii;
      }
      for (let j = 0; j < c; j++) out[dc + j] = sc * u[dc + j];
    },
    gradToU(g) {
      // ∇_U = L⁻¹·∇_W: forward substitution L·Z = ∇_W.
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < c; j++) acc[j] = g[i * c + j];
        for (let k = 0; k < i; k++) {
          const l = L[i * d + k],
            o = k * c;
          for (let j = 0; j < c; j++) acc[j] -= l * g[o + j];
        }
        const lii = L[i * d + i];
        for (let j = 0; j < c; j++) g[i * c + j] = acc[j] / lii;
      }
      for (let j = 0; j < c; j++) g[dc + j] *= sc;
    },
    fromParams(p, out) {
      // U = Lᵀ·W.
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < c; j++) {
          let s = 0;
          for (let k = i; k < d; k++) s += L[k * d + i] * p[k * c + j];
          out[i * c + j] = s;
        }
      }
      for (let j = 0; j < c; j++) out[dc + j] = p[dc + j] / sc;
    },
  };
}

/** In-place Cholesky of a symmetric positive-definite a [d × d] (row-major): lower L, upper zeroed. */
export function cholesky(a: Float64Array, d: number): void {
  for (let j = 0; j < d; j++) {
    let s = a[j * d + j];
    for (let k = 0; k < j; k++) s -= a[j * d + k] * a[j * d + k];
    if (!(s > 0)) throw new Error(`matrix is not positive definite (pivot ${j}: ${s})`);
    const ljj = Math.sqrt(s);
    a[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = a[i * d + j];
      for (let k = 0; k < j; k++) t -= a[i * d + k] * a[j * d + k];
      a[i * d + j] = t / ljj;
    }
    for (let i = 0; i < j; i++) a[i * d + j] = 0;
  }
}

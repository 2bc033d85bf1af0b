/**
 * The linear probe's objective on standardised features, with its gradient — sklearn's
 * LogisticRegression(multinomial, L2) loss divided by n:
 *   F(W, b) = (1/n)·Σᵢ [logsumexp(xᵢW + b) − (xᵢW + b)_{yᵢ}] + (λ/2)·‖W‖²,   λ = 1 / (C·n)
 * (the bias is not penalised). ∇_W F = Xᵀ(P − Y)/n + λW, ∇_b F = Σᵢ(P − Y)ᵢ/n with P the softmax.
 *
 * Optionally in preconditioned variables (probe-preconditioner.ts): W = P·U, b = s·β with ∇_U =
 * Pᵀ·∇_W, ∇_β = s·∇_b — same F, same minimiser. Parameters are kept transposed (Uᵀ [classes × dim]
 * row-major, then β [classes]) so that every matmul has X, Xᵀ or P as its untransposed right
 * operand: the wasm backend's fast path, where that operand is packed once and reused. One
 * evaluation: Wᵀ = Uᵀ·Pᵀ, logitsᵀ = Wᵀ·Xᵀ (read back), softmax / loss / accuracy in float64 on the
 * host, ∇Wᵀ = Gᵀ·X + λWᵀ, ∇Uᵀ = ∇Wᵀ·P (read back).
 */
import * as tf from '@tensorflow/tfjs';

export interface ProbeObjective {
  /** Parameters: Uᵀ [classes × dim] row-major, then β [classes] (U = W, β = b when unpreconditioned). */
  readonly size: number;
  /** F at params, ∇F written into grad; also records the training accuracy of that point. */
  evaluate(params: Float64Array, grad: Float64Array): Promise<number>;
  /** Training accuracy (argmax, ties → lower class) of every evaluation so far, in order. */
  readonly accuracies: number[];
  /** The probe's W [dim × classes] row-major and b [classes] for parameters (float64, on the host). */
  toWeights(params: Float64Array): { weights: Float64Array; bias: Float64Array };
  /** Frees the tensors it holds. */
  dispose(): void;
}

/** The change of variables W = P·U, b = biasScale·β (probe-preconditioner.ts). */
export interface ProbeVariables {
  /** P [dim × dim] row-major. */
  P: Float64Array;
  biasScale: number;
}

/**
 * xs: standardised features [n × dim] row-major; y: class per row in [0, classes); λ = 1/(C·n).
 * Holds X [n × dim] and Xᵀ (and P, Pᵀ [dim × dim] when preconditioned) until dispose().
 */
export function probeObjective(
  xs: Float32Array,
  y: ArrayLike<number>,
  dim: number,
  classes: number,
  lambda: number,
  variables: ProbeVariables | null = null,
): ProbeObjective {
  const n = y.length;
  if (xs.length !== n * dim)
    throw new Error(`features have ${xs.length} values, expected ${n}×${dim}`);
  for (let i = 0; i < n; i++)
    if (!(Number.isInteger(y[i]) && y[i] >= 0 && y[i] < classes))
      throw new Error(`label ${y[i]} at row ${i} is outside [0, ${classes})`);
  const X = tf.tensor2d(xs, [n, dim]);
  const XT = tf.transpose(X);
  const P = variables ? tf.tensor2d(Float32Array.from(variables.P), [dim, dim]) : null;
  const PT = P ? tf.transpose(P) : null;
  const s = variables?.biasScale ?? 1;
  const dc = dim * classes;
  const u32 = new Float32Array(dc);
  const GT = new Float32Array(classes * n);
  const z = new Float64Array(classes);
  const accuracies: number[] = [];
  return {
    size: dc + classes,
    accuracies,
    async evaluate(params, grad) {
      for (let k = 0; k < dc; k++) u32[k] = params[k];
      const [WT, logitsT] = tf.tidy(() => {
        const ut = tf.tensor2d(u32, [classes, dim]);
        const wt = PT ? tf.matMul(ut, PT) : ut;
        return [wt, tf.matMul(wt, XT)];
      });
      const [logits, wt] = await Promise.all([logitsT.data(), WT.data()]);
      logitsT.dispose();
      let loss = 0,
        hit = 0;
      for (let j = 0; j < classes; j++) grad[dc + j] = 0;
      for (let i = 0; i < n; i++) {
        let m = -Infinity,
          best = 0;
        for (let j = 0; j < classes; j++) {
          z[j] = logits[j * n + i] + s * params[dc + j];
          if (z[j] > m) {
            m = z[j];
            best = j;
          }
        }
        const yi = y[i];
        const zy = z[yi];
        let sum = 0;
        for (let j = 0; j < classes; j++) {
          z[j] = Math.exp(z[j] - m);
          sum += z[j];
        }
        loss += m + Math.log(sum) - zy;
        if (best === yi) hit++;
        for (let j = 0; j < classes; j++) {
          const g = (z[j] / sum - (j === yi ? 1 : 0)) / n;
          GT[j * n + i] = g;
          grad[dc + j] += g;
        }
      }
      for (let j = 0; j < classes; j++) grad[dc + j] *= s;
      accuracies.push(hit / n);
      let sq = 0;
      for (let k = 0; k < dc; k++) sq += wt[k] * wt[k];
      const gUT = tf.tidy(() => {
        const gwt = tf.add(tf.matMul(tf.tensor2d(GT, [classes, n]), X), tf.mul(WT, lambda));
        return P ? tf.matMul(gwt, P) : gwt;
      });
      WT.dispose();
      const gu = await gUT.data();
      gUT.dispose();
      for (let k = 0; k < dc; k++) grad[k] = gu[k];
      return loss / n + 0.5 * lambda * sq;
    },
    toWeights(params) {
      // Wᵀ = Uᵀ·Pᵀ, i.e. W[d][j] = Σₖ P[d][k]·Uᵀ[j][k].
      const weights = new Float64Array(dc);
      for (let j = 0; j < classes; j++)
        for (let d = 0; d < dim; d++) {
          let v = 0;
          if (variables) {
            const p = variables.P;
            for (let k = 0; k < dim; k++) v += p[d * dim + k] * params[j * dim + k];
          } else v = params[j * dim + d];
          weights[d * classes + j] = v;
        }
      const bias = Float64Array.from(params.subarray(dc), (b) => s * b);
      return { weights, bias };
    },
    dispose() {
      tf.dispose([X, XT, ...(P && PT ? [P, PT] : [])]);
    },
  };
}

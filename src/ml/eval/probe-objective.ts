/**
 * The linear probe's objective on standardised features, with its gradient — sklearn's
 * LogisticRegression(multinomial, L2) loss divided by n:
 *   F(W, b) = (1/n)·Σᵢ [logsumexp(xᵢW + b) − (xᵢW + b)_{yᵢ}] + (λ/2)·‖W‖²,   λ = 1 / (C·n)
 * (the bias is not penalised). ∇_W F = Xᵀ(P − Y)/n + λW, ∇_b F = Σᵢ(P − Y)ᵢ/n with P the softmax.
 * One evaluation is two matmuls on the active tfjs backend (X·W and Xᵀ·G, X uploaded once); the
 * softmax, loss and accuracy are float64 loops on the host over the [n × classes] logits.
 */
import * as tf from '@tensorflow/tfjs';

export interface ProbeObjective {
  /** Parameters: W [dim × classes] row-major, then b [classes]. */
  readonly size: number;
  /** The standardised features X [n × dim] it holds (owned by the objective). */
  readonly x: tf.Tensor2D;
  /** F at params, ∇F written into grad; also records the training accuracy of that point. */
  evaluate(params: Float64Array, grad: Float64Array): Promise<number>;
  /** Training accuracy (argmax, ties → lower class) of every evaluation so far, in order. */
  readonly accuracies: number[];
  /** Frees X and Xᵀ. */
  dispose(): void;
}

/**
 * xs: standardised features [n × dim] row-major; y: class per row in [0, classes). λ = 1/(C·n).
 * Owns two tensors (X [n × dim], Xᵀ [dim × n]) until dispose().
 */
export function probeObjective(
  xs: Float32Array,
  y: ArrayLike<number>,
  dim: number,
  classes: number,
  lambda: number,
): ProbeObjective {
  const n = y.length;
  if (xs.length !== n * dim)
    throw new Error(`features have ${xs.length} values, expected ${n}×${dim}`);
  for (let i = 0; i < n; i++)
    if (!(Number.isInteger(y[i]) && y[i] >= 0 && y[i] < classes))
      throw new Error(`label ${y[i]} at row ${i} is outside [0, ${classes})`);
  const X = tf.tensor2d(xs, [n, dim]);
  const XT = tf.transpose(X);
  const dc = dim * classes;
  const w32 = new Float32Array(dc);
  const G = new Float32Array(n * classes);
  const z = new Float64Array(classes);
  const accuracies: number[] = [];
  return {
    size: dc + classes,
    x: X,
    accuracies,
    async evaluate(params, grad) {
      for (let k = 0; k < dc; k++) w32[k] = params[k];
      const logitsT = tf.tidy(() => tf.matMul(X, tf.tensor2d(w32, [dim, classes])));
      const logits = await logitsT.data();
      logitsT.dispose();
      let loss = 0,
        hit = 0;
      for (let j = 0; j < classes; j++) grad[dc + j] = 0;
      for (let i = 0; i < n; i++) {
        const o = i * classes;
        let m = -Infinity,
          best = 0;
        for (let j = 0; j < classes; j++) {
          z[j] = logits[o + j] + params[dc + j];
          if (z[j] > m) {
            m = z[j];
            best = j;
          }
        }
        let s = 0;
        for (let j = 0; j < classes; j++) {
          z[j] = Math.exp(z[j] - m);
          s += z[j];
        }
        const yi = y[i];
        loss += m + Math.log(s) - (logits[o + yi] + params[dc + yi]);
        if (best === yi) hit++;
        for (let j = 0; j < classes; j++) {
          const gij = (z[j] / s - (j === yi ? 1 : 0)) / n;
          G[o + j] = gij;
          grad[dc + j] += gij;
        }
      }
      accuracies.push(hit / n);
      const gWT = tf.tidy(() => tf.matMul(XT, tf.tensor2d(G, [n, classes])));
      const gW = await gWT.data();
      gWT.dispose();
      let sq = 0;
      for (let k = 0; k < dc; k++) {
        sq += params[k] * params[k];
        grad[k] = gW[k] + lambda * params[k];
      }
      return loss / n + 0.5 * lambda * sq;
    },
    dispose() {
      tf.dispose([X, XT]);
    },
  };
}

/**
 * Exact k-nearest-neighbour graph by chunked brute force on the active tfjs backend (webgpu in the
 * browser): squared euclidean distances as ‖a‖² + ‖b‖² − 2a·b from one matmul per query chunk,
 * then tf.topk. Made for t-SNE inputs too large for the CPU vantage-point tree (e.g. 50k × 50):
 * pass the result to `new Tsne(..., { neighbors })`. The chosen neighbours' distances are
 * recomputed in float64 in JS, so only near-ties at the k-th place can differ from vpTreeKnn.
 */
import * as tf from '@tensorflow/tfjs';
import type { KnnGraph } from './vp-tree';

/**
 * k nearest neighbours (excluding self) of every row of x [n × d]. queryChunk defaults to keep the
 * distance block ≤ 2²⁴ floats (64 MB, inside WebGPU's default binding limit). Disposes its tensors.
 */
export async function knnGraphTf(
  x: ArrayLike<number>, n: number, d: number, k: number, queryChunk?: number,
): Promise<KnnGraph> {
  if (!(k >= 1 && k < n)) throw new Error(`k must be in [1, ${n - 1}], got ${k}`);
  if (x.length !== n * d) throw new Error(`expected ${n}×${d} values, got ${x.length}`);
  const chunk = Math.max(1, queryChunk ?? Math.floor(2 ** 24 / n));
  const kk = Math.min(n, k + 1); // one extra: the point itself is normally its own nearest
  const xT = tf.tensor2d(Float32Array.from(x), [n, d]);
  const sq = tf.tidy(() => tf.sum(tf.square(xT), 1));
  const indices = new Int32Array(n * k), sqDistances = new Float64Array(n * k);
  try {
    for (let q0 = 0; q0 < n; q0 += chunk) {
      const q1 = Math.min(n, q0 + chunk);
      const idxT = tf.tidy(() => {
        const q = xT.slice([q0, 0], [q1 - q0, d]);
        const qSq = sq.slice([q0], [q1 - q0]).reshape([q1 - q0, 1]);
        // −‖a − b‖² = 2a·b − ‖a‖² − ‖b‖²; top-k of the negation = k nearest.
        const neg = tf.sub(tf.sub(tf.mul(tf.matMul(q, xT, false, true), 2), qSq), sq.reshape([1, n]));
        return tf.topk(neg, kk, true).indices;
      });
      const idx = (await idxT.data()) as Int32Array;
      idxT.dispose();
      const cand: Array<{ j: number; s: number }> = [];
      for (let i = q0; i < q1; i++) {
        cand.length = 0;
        for (let m = 0; m < kk; m++) {
          const j = idx[(i - q0) * kk + m];
          if (j === i) continue;
          let s = 0;
          for (let c = 0; c < d; c++) {
            const t = x[i * d + c] - x[j * d + c];
            s += t * t;
          }
          cand.push({ j, s });
        }
        cand.sort((a, b) => a.s - b.s || a.j - b.j);
        for (let m = 0; m < k; m++) {
          indices[i * k + m] = cand[m].j;
          sqDistances[i * k + m] = cand[m].s;
        }
      }
    }
  } finally {
    tf.dispose([xT, sq]);
  }
  return { k, indices, sqDistances };
}

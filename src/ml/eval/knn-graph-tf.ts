/**
 * Exact k-nearest-neighbour graph by chunked brute force on the active tfjs backend (wasm with
 * SIMD in the t-SNE worker, webgpu where present): squared euclidean distances as
 * ‖b‖² − 2a·b (+‖a‖², constant per query row) from one matmul per query chunk, computed negated
 * (2a·b − ‖b‖², larger = nearer); the k + margin nearest per row are picked in JS with the bounded
 * heaps of top-k.ts, then their distances are recomputed in float64 and the best k kept.
 * The float32 matmul only has to rank the true k nearest among the k + margin candidates, so only
 * near-ties at the k-th place, below float32 resolution, can differ from the exact vpTreeKnn.
 * Made for t-SNE inputs too large for the CPU vantage-point tree (e.g. 50k × 50): pass the result
 * to `new Tsne(..., { neighbors })`.
 */
import * as tf from '@tensorflow/tfjs';
import { RowTopK } from './top-k';
import type { KnnGraph } from './vp-tree';

/** Extra float32 candidates per point re-ranked in float64. */
const MARGIN = 16;

/**
 * k nearest neighbours (excluding self) of every row of x [n × d]. queryChunk defaults to keep the
 * distance block ≤ 2²² floats (16 MB). Disposes its tensors.
 */
export async function knnGraphTf(
  x: ArrayLike<number>,
  n: number,
  d: number,
  k: number,
  queryChunk?: number,
): Promise<KnnGraph> {
  if (!(k >= 1 && k < n)) throw new Error(`k must be in [1, ${n - 1}], got ${k}`);
  if (x.length !== n * d) throw new Error(`expected ${n}×${d} values, got ${x.length}`);
  const chunk = Math.max(1, queryChunk ?? Math.floor(2 ** 22 / n));
  const kk = Math.min(n - 1, k + MARGIN);
  const xf = Float32Array.from(x);
  const xT = tf.tensor2d(xf, [n, d]);
  // 2·xᵀ once, so each chunk is one matmul plus a broadcast add of −‖b‖² (negation is exact).
  const xT2 = tf.tidy(() => tf.mul(xT, 2).transpose());
  const sq = tf.tidy(() => tf.neg(tf.sum(tf.square(xT), 1)).reshape([1, n]));
  const indices = new Int32Array(n * k),
    sqDistances = new Float64Array(n * k);
  const candIdx = new Int32Array(kk),
    candSq = new Float64Array(kk);
  const xd = x instanceof Float64Array ? x : Float64Array.from(x);
  try {
    let next = tf.tidy(() => tf.add(tf.matMul(rows(xT, 0, Math.min(n, chunk)), xT2), sq));
    for (let q0 = 0; q0 < n; q0 += chunk) {
      const q1 = Math.min(n, q0 + chunk);
      const block = (await next.data()) as Float32Array;
      next.dispose();
      // Queue the next chunk's matmul before selecting in JS (overlaps on async backends).
      if (q1 < n) {
        const r1 = Math.min(n, q1 + chunk);
        next = tf.tidy(() => tf.add(tf.matMul(rows(xT, q1, r1), xT2), sq));
      }
      const top = new RowTopK(q1 - q0, kk);
      for (let i = q0; i < q1; i++) block[(i - q0) * n + i] = -Infinity; // never its own neighbour
      top.offer(block, n, 0);
      top.finish();
      for (let i = q0; i < q1; i++) {
        // Float64 re-ranking: exact distances of the candidates, the k smallest in ascending order.
        for (let m = 0; m < kk; m++) {
          const c = top.indices[(i - q0) * kk + m];
          let s = 0;
          for (let e = 0; e < d; e++) {
            const t = xd[i * d + e] - xd[c * d + e];
            s += t * t;
          }
          candIdx[m] = c;
          candSq[m] = s;
        }
        sortPairs(candSq, candIdx, kk);
        for (let m = 0; m < k; m++) {
          indices[i * k + m] = candIdx[m];
          sqDistances[i * k + m] = candSq[m];
        }
      }
    }
  } finally {
    tf.dispose([xT, xT2, sq]);
  }
  return { k, indices, sqDistances };
}

/**
 * Rows [r0, r1) of x [n, d]. A gather, not a slice: tfjs-backend-wasm 4.22's Slice copies its whole
 * input out of the heap into JS first (one copy of x per query chunk). Call inside tidy.
 */
function rows(x: tf.Tensor2D, r0: number, r1: number): tf.Tensor2D {
  return tf.gather(x, tf.range(r0, r1, 1, 'int32'));
}

/** Insertion sort of (key, idx) pairs by key, then index (ties: smaller index first). */
function sortPairs(key: Float64Array, idx: Int32Array, size: number): void {
  for (let a = 1; a < size; a++) {
    const k = key[a],
      v = idx[a];
    let b = a - 1;
    while (b >= 0 && (key[b] > k || (key[b] === k && idx[b] > v))) {
      key[b + 1] = key[b];
      idx[b + 1] = idx[b];
      b--;
    }
    key[b + 1] = k;
    idx[b + 1] = v;
  }
}

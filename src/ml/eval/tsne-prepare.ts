/**
 * t-SNE's set-up on the tfjs backend (wasm SIMD in the explorer worker, webgpu where present):
 * the PCA to 50 dimensions (covariance and projection as matmuls, eigenvectors in JS) and the
 * exact k-nearest-neighbour graph (knnGraphTf), the two O(n·d²) / O(n²·d) steps that dominate
 * the plain-JS set-up. Feed the result to `new Tsne(data, n, dim, { pcaDims: 0, neighbors })`.
 */
import * as tf from '@tensorflow/tfjs';
import { knnGraphTf } from './knn-graph-tf';
import { pcaFromCovariance } from './pca';
import type { KnnGraph } from './vp-tree';

export interface PreparedTsneInput {
  /** Input reduced to `dim` columns [n × dim] (the input itself when it is no wider). */
  data: Float64Array;
  dim: number;
  neighbors: KnnGraph;
  /** Milliseconds spent in the PCA and the neighbour search. */
  ms: { pca: number; neighbours: number };
}

/**
 * PCA of x [n × d] to pcaDims (when d > pcaDims) and the k nearest neighbours of the reduced rows.
 * Same model as fitPca/transformPca up to float32 rounding of the covariance. Disposes its tensors.
 */
export async function prepareTsneInput(
  x: ArrayLike<number>,
  n: number,
  d: number,
  k: number,
  pcaDims = 50,
): Promise<PreparedTsneInput> {
  if (x.length !== n * d) throw new Error(`expected ${n}×${d} = ${n * d} values, got ${x.length}`);
  let t0 = performance.now();
  let data: Float64Array, dim: number;
  if (pcaDims > 0 && d > pcaDims) {
    const mean = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
    for (let j = 0; j < d; j++) mean[j] /= n;
    const centred = new Float32Array(n * d);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < d; j++) centred[i * d + j] = x[i * d + j] - mean[j];
    const xc = tf.tensor2d(centred, [n, d]);
    try {
      // Explicit transposes: the wasm backend's matMul with transposeA/B set was 5–20× slower here.
      const covT = tf.tidy(() => tf.div(tf.matMul(xc.transpose(), xc), n - 1));
      const cov = Float64Array.from(await covT.data());
      covT.dispose();
      const model = pcaFromCovariance(cov, d, pcaDims, mean);
      const compsT = new Float32Array(d * pcaDims);
      for (let c = 0; c < pcaDims; c++)
        for (let j = 0; j < d; j++) compsT[j * pcaDims + c] = model.components[c * d + j];
      const comps = tf.tensor2d(compsT, [d, pcaDims]);
      const projT = tf.matMul(xc, comps);
      comps.dispose();
      data = Float64Array.from(await projT.data());
      projT.dispose();
      dim = pcaDims;
    } finally {
      xc.dispose();
    }
  } else {
    data = Float64Array.from(x);
    dim = d;
  }
  const pcaMs = performance.now() - t0;
  t0 = performance.now();
  const neighbors = await knnGraphTf(data, n, dim, k);
  return { data, dim, neighbors, ms: { pca: pcaMs, neighbours: performance.now() - t0 } };
}

/**
 * Weighted k-nearest-neighbour classifier on embeddings, the standard self-supervised evaluation
 * (Wu et al. 2018, "Unsupervised Feature Learning via Non-Parametric Instance Discrimination";
 * DINO's eval_knn.py): cosine similarity to a labelled bank, the k most similar bank items vote for
 * their class with weight exp(sim / T), the class with the largest summed weight wins.
 *
 * The heavy part (l2-normalise, query-chunk × bank^T matmul, top-k) runs as tfjs ops on the active
 * backend in chunks, so 10k queries against a 50k bank never materialise a 10k × 50k matrix. On
 * webgpu/webgl/wasm the top-k is `tf.topk` (on the GPU, no block read-back; on wasm it measured
 * 1.3–2× faster than the JS heap, e.g. 0.20 s vs 0.31 s for 1024 × 16384, k 200, and the wasm
 * matmul dominates anyway). On cpu each similarity block is read back and the top-k picked in JS
 * with bounded heaps (top-k.ts), 3× faster than the cpu `tf.topk` (0.08 s vs 0.25 s for
 * 256 × 16384). The vote over the k neighbours is a few million additions and runs in JS on the
 * downloaded top-k, which keeps the tie-breaking identical on every backend (ties go to the lower
 * class index).
 */
import * as tf from '@tensorflow/tfjs';
import { RowTopK } from './top-k';

export interface KnnOptions {
  /** Neighbours that vote (default 200, as DINO); clipped to the bank size. */
  k?: number;
  /** Temperature T of the exp(sim / T) vote weights (default 0.1, as Wu et al. / DINO). */
  temperature?: number;
  /** Number of classes; default max(bankLabels) + 1. */
  numClasses?: number;
  /** Queries per chunk (default 1024). */
  queryChunk?: number;
  /**
   * Bank rows per chunk (default 16384); top-k is taken per bank chunk, then merged. The
   * similarity block is queryChunk × bankChunk floats (64 MB by default, inside WebGPU's default
   * 128 MiB storage-binding limit); in Node + wasm, 2048 × 65536 ran 2.7× faster on 50k × 10k.
   */
  bankChunk?: number;
  /**
   * Where the top-k is taken: 'topk' = tf.topk on the backend, 'js' = similarity blocks read back
   * and selected with bounded heaps in JS; 'auto' (default) = 'js' on cpu, else 'topk'.
   */
  selection?: 'auto' | 'topk' | 'js';
}

export interface KnnResult {
  /** Predicted class per query, [numQueries]. */
  predictions: Int32Array;
  /** Summed vote weights, row-major [numQueries × numClasses]. */
  scores: Float64Array;
  numClasses: number;
  /** Top-1 accuracy when query labels were given, else null. */
  accuracy: number | null;
}

/**
 * Classifies queries [nq, d] by weighted kNN against bank [nb, d] with labels [nb].
 * Inputs stay owned by the caller (not disposed); every tensor made here is disposed.
 */
export async function knnClassify(
  bank: tf.Tensor2D,
  bankLabels: ArrayLike<number>,
  queries: tf.Tensor2D,
  queryLabels: ArrayLike<number> | null = null,
  options: KnnOptions = {},
): Promise<KnnResult> {
  const nb = bank.shape[0],
    nq = queries.shape[0];
  if (bank.shape[1] !== queries.shape[1]) {
    throw new Error(`bank dim ${bank.shape[1]} differs from query dim ${queries.shape[1]}`);
  }
  if (bankLabels.length !== nb)
    throw new Error(`bank has ${nb} rows but ${bankLabels.length} labels`);
  if (queryLabels !== null && queryLabels.length !== nq) {
    throw new Error(`${nq} queries but ${queryLabels.length} query labels`);
  }
  if (nb === 0) throw new Error('knnClassify needs a non-empty bank');
  const temperature = options.temperature ?? 0.1;
  const k = Math.min(options.k ?? 200, nb);
  if (!(k >= 1)) throw new Error(`k must be >= 1, got ${options.k}`);
  let maxLabel = 0;
  for (let i = 0; i < nb; i++) maxLabel = Math.max(maxLabel, bankLabels[i]);
  const numClasses = options.numClasses ?? maxLabel + 1;
  if (maxLabel >= numClasses) throw new Error(`bank label ${maxLabel} >= numClasses ${numClasses}`);
  const qChunk = Math.max(1, options.queryChunk ?? 1024);
  const bChunk = Math.max(k, options.bankChunk ?? 16384);

  // Normalised bank, split into chunks once; disposed at the end.
  const bankChunks: tf.Tensor2D[] = [];
  for (let b0 = 0; b0 < nb; b0 += bChunk) {
    const b1 = Math.min(nb, b0 + bChunk);
    bankChunks.push(tf.tidy(() => l2Normalize(bank.slice([b0, 0], [b1 - b0, -1]))));
  }

  const predictions = new Int32Array(nq);
  const scores = new Float64Array(nq * numClasses);
  const selection = options.selection ?? 'auto';
  const useJs = selection === 'js' || (selection === 'auto' && tf.getBackend() === 'cpu');
  try {
    for (let q0 = 0; q0 < nq; q0 += qChunk) {
      const q1 = Math.min(nq, q0 + qChunk);
      const [vals, idxs] = useJs
        ? await topKJs(queries, q0, q1, bankChunks, k)
        : await topKTf(queries, q0, q1, bankChunks, k);
      vote(
        vals,
        idxs,
        q1 - q0,
        k,
        bankLabels,
        temperature,
        numClasses,
        scores.subarray(q0 * numClasses, q1 * numClasses),
        predictions.subarray(q0, q1),
      );
    }
  } finally {
    for (const t of bankChunks) t.dispose();
  }
  return {
    predictions,
    scores,
    numClasses,
    accuracy: queryLabels === null ? null : top1(predictions, queryLabels),
  };
}

/** Top-k similarities and bank indices of queries[q0:q1] with tf.topk per bank chunk, merged; [rows × k] each. */
async function topKTf(
  queries: tf.Tensor2D,
  q0: number,
  q1: number,
  bankChunks: tf.Tensor2D[],
  k: number,
): Promise<[Float32Array, Int32Array]> {
  const [valT, idxT] = tf.tidy(() => {
    const qn = l2Normalize(queries.slice([q0, 0], [q1 - q0, -1]));
    const vals: tf.Tensor2D[] = [],
      idxs: tf.Tensor2D[] = [];
    let offset = 0;
    for (const bc of bankChunks) {
      const sim = tf.matMul(qn, bc, false, true);
      const kk = Math.min(k, bc.shape[0]);
      const { values, indices } = tf.topk(sim, kk, true);
      vals.push(values as tf.Tensor2D);
      idxs.push(tf.add(indices, tf.scalar(offset, 'int32')) as tf.Tensor2D);
      offset += bc.shape[0];
    }
    if (vals.length === 1) return [vals[0], idxs[0]] as const;
    // Merge per-chunk candidates: top-k of the concatenated candidate similarities.
    const allV = tf.concat(vals, 1),
      allI = tf.concat(idxs, 1);
    const { values, indices } = tf.topk(allV, k, true);
    return [values, gatherRows(allI, indices)] as const;
  });
  try {
    const [vals, idxs] = await Promise.all([valT.data(), idxT.data()]);
    return [vals as Float32Array, idxs as Int32Array];
  } finally {
    valT.dispose();
    idxT.dispose();
  }
}

/**
 * Same as topKTf, but each [rows × bankChunk] similarity block is read back and the top-k chosen
 * in JS with bounded heaps (exact top-k of the same float32 similarities; ties to the lower index).
 */
async function topKJs(
  queries: tf.Tensor2D,
  q0: number,
  q1: number,
  bankChunks: tf.Tensor2D[],
  k: number,
): Promise<[Float32Array, Int32Array]> {
  const qn = tf.tidy(() => l2Normalize(queries.slice([q0, 0], [q1 - q0, -1])));
  const sel = new RowTopK(q1 - q0, k);
  let next: tf.Tensor | null = null;
  try {
    next = tf.matMul(qn, bankChunks[0], false, true);
    let offset = 0;
    for (let c = 0; c < bankChunks.length; c++) {
      const cur = next as tf.Tensor; // queued before the loop or at the end of the previous pass
      next = null;
      let block: Float32Array;
      try {
        block = (await cur.data()) as Float32Array;
      } finally {
        cur.dispose();
      }
      // Queue the next block's matmul before selecting in JS (overlaps on async backends).
      if (c + 1 < bankChunks.length) next = tf.matMul(qn, bankChunks[c + 1], false, true);
      const cols = bankChunks[c].shape[0];
      sel.offer(block, cols, offset);
      offset += cols;
    }
  } finally {
    next?.dispose();
    qn.dispose();
  }
  sel.finish();
  return [sel.keys, sel.indices];
}

/** Rows scaled to unit l2 norm (eps 1e-12 as torch's F.normalize); [n, d] → [n, d]. Call inside tidy. */
function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  const norm = tf.sqrt(tf.sum(tf.square(x), 1, true));
  return tf.div(x, tf.maximum(norm, tf.scalar(1e-12)));
}

/** out[i, j] = src[i, idx[i, j]]; [n, m] and int [n, k] → [n, k]. Call inside tidy. */
function gatherRows(src: tf.Tensor, idx: tf.Tensor): tf.Tensor2D {
  const [n, m] = src.shape;
  const rowBase = tf.mul(tf.range(0, n, 1, 'int32').reshape([n, 1]), tf.scalar(m, 'int32'));
  const flat = tf.add(idx, rowBase).reshape([-1]);
  return tf.gather(src.reshape([-1]), flat).reshape(idx.shape) as tf.Tensor2D;
}

/** Weighted vote over each query's k neighbours (DINO: sum of exp(sim/T) one-hot votes, argmax). */
function vote(
  sims: Float32Array,
  idx: Int32Array,
  nq: number,
  k: number,
  bankLabels: ArrayLike<number>,
  temperature: number,
  numClasses: number,
  scores: Float64Array,
  preds: Int32Array,
): void {
  for (let q = 0; q < nq; q++) {
    const row = q * numClasses;
    for (let j = 0; j < k; j++) {
      const w = Math.exp(sims[q * k + j] / temperature);
      scores[row + bankLabels[idx[q * k + j]]] += w;
    }
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (scores[row + c] > scores[row + best]) best = c;
    preds[q] = best;
  }
}

function top1(pred: Int32Array, labels: ArrayLike<number>): number {
  if (pred.length === 0) return 0;
  let hit = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) hit++;
  return hit / pred.length;
}

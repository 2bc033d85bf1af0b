/**
 * Weighted k-nearest-neighbour classifier on embeddings, the standard self-supervised evaluation
 * (Wu et al. 2018, "Unsupervised Feature Learning via Non-Parametric Instance Discrimination";
 * DINO's eval_knn.py): cosine similarity to a labelled bank, the k most similar bank items vote for
 * their class with weight exp(sim / T), the class with the largest summed weight wins.
 *
 * The heavy part runs as tfjs ops on the active backend: the bank is l2-normalised and transposed
 * once ([d × bankChunk] blocks, resident for the whole call), each block of queries is normalised
 * and multiplied by every bank block, so 10k queries against a 50k bank never materialise a
 * 10k × 50k matrix. The bank is stored transposed because tfjs-backend-wasm 4.22 sends
 * `matMul(a, b, false, true)` to a naive loop (2.2 GFLOP/s measured for 1024 × 16384 × 512) while
 * the plain `matMul(a, bT)` goes to XNNPACK (20–38 GFLOP/s): that alone was most of the 376 s that
 * 10k × 50k × 512 took.
 *
 * Top-k: on wasm and cpu each similarity block is read back and streamed through per-row bounded
 * heaps (top-k.ts) that persist over the bank blocks, so after the first block almost every entry
 * costs one comparison; the next block's matmul is queued before the current one is awaited (on
 * async backends the selection overlaps the matmul; wasm runs kernels synchronously, so there it
 * is just cheap: see bench/knn.bench.ts for the split). On webgpu/webgl the top-k is `tf.topk` per
 * bank block, merged on the backend, so only [rows × k] comes back. The vote over the k neighbours
 * runs in JS on the downloaded top-k, which keeps the tie-breaking identical on every backend
 * (neighbours: larger similarity first, ties to the lower bank index; votes: ties to the lower
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
  /** Queries per block (default 512). */
  queryChunk?: number;
  /**
   * Bank rows per block (default 8192, at least k): the similarity block is queryChunk × bankChunk
   * floats (16 MB by default) and the transposed bank block bankChunk × d (8 MB at d = 512).
   */
  bankChunk?: number;
  /**
   * Where the top-k is taken: 'topk' = tf.topk on the backend, 'js' = similarity blocks read back
   * and selected with bounded heaps in JS; 'auto' (default) = 'js' on wasm and cpu, else 'topk'.
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

/** Top-k of one query block: similarities and bank indices, row-major [rows × k], best first. */
type BlockTopK = { q0: number; q1: number; vals: Float32Array; idxs: Int32Array };

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
  const qChunk = Math.max(1, options.queryChunk ?? 512);
  const bChunk = Math.max(k, options.bankChunk ?? 8192);
  const selection = options.selection ?? 'auto';
  const backend = tf.getBackend();
  const useJs =
    selection === 'js' || (selection === 'auto' && (backend === 'cpu' || backend === 'wasm'));

  const bankT = normalizedBankT(bank, bChunk);
  const predictions = new Int32Array(nq);
  const scores = new Float64Array(nq * numClasses);
  const onBlock = ({ q0, q1, vals, idxs }: BlockTopK) =>
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
  try {
    await (useJs ? topKJs : topKTf)(queries, qChunk, bankT, k, onBlock);
  } finally {
    for (const t of bankT) t.dispose();
  }
  return {
    predictions,
    scores,
    numClasses,
    accuracy: queryLabels === null ? null : top1(predictions, queryLabels),
  };
}

/** The bank l2-normalised and transposed in column blocks: [d × ≤ bChunk] each, caller disposes. */
function normalizedBankT(bank: tf.Tensor2D, bChunk: number): tf.Tensor2D[] {
  const nb = bank.shape[0];
  const out: tf.Tensor2D[] = [];
  for (let b0 = 0; b0 < nb; b0 += bChunk) {
    const b1 = Math.min(nb, b0 + bChunk);
    out.push(tf.tidy(() => l2Normalize(bank.slice([b0, 0], [b1 - b0, -1])).transpose()));
  }
  return out;
}

/**
 * Top-k per query block with tf.topk per bank block, merged on the backend; only [rows × k] is read
 * back. Block i + 1 is queued before block i is awaited. Calls onBlock in query order.
 */
async function topKTf(
  queries: tf.Tensor2D,
  qChunk: number,
  bankT: tf.Tensor2D[],
  k: number,
  onBlock: (b: BlockTopK) => void,
): Promise<void> {
  const nq = queries.shape[0];
  const launch = (q0: number) => {
    const q1 = Math.min(nq, q0 + qChunk);
    const [v, i] = tf.tidy(() => {
      const qn = l2Normalize(queries.slice([q0, 0], [q1 - q0, -1]));
      const vals: tf.Tensor2D[] = [],
        idxs: tf.Tensor2D[] = [];
      let offset = 0;
      for (const bc of bankT) {
        const { values, indices } = tf.topk(tf.matMul(qn, bc), Math.min(k, bc.shape[1]), true);
        vals.push(values as tf.Tensor2D);
        idxs.push(tf.add(indices, tf.scalar(offset, 'int32')) as tf.Tensor2D);
        offset += bc.shape[1];
      }
      if (vals.length === 1) return [vals[0], idxs[0]] as const;
      // Merge per-block candidates: top-k of the concatenated candidate similarities.
      const allV = tf.concat(vals, 1),
        allI = tf.concat(idxs, 1);
      const { values, indices } = tf.topk(allV, k, true);
      return [values, gatherRows(allI, indices)] as const;
    });
    return { q0, q1, v, i };
  };
  let next: ReturnType<typeof launch> | null = nq > 0 ? launch(0) : null;
  try {
    while (next) {
      const cur = next;
      next = null;
      try {
        if (cur.q1 < nq) next = launch(cur.q1);
        const [vals, idxs] = await Promise.all([cur.v.data(), cur.i.data()]);
        onBlock({ q0: cur.q0, q1: cur.q1, vals: vals as Float32Array, idxs: idxs as Int32Array });
      } finally {
        tf.dispose([cur.v, cur.i]);
      }
    }
  } finally {
    if (next) tf.dispose([next.v, next.i]);
  }
}

/**
 * Top-k per query block by reading back each [rows × bankChunk] similarity block and streaming it
 * through bounded heaps in JS (exact top-k of the same float32 similarities; ties to the lower
 * index). The (query block, bank block) products run in order, the next one queued before the
 * current one is awaited. Calls onBlock in query order.
 */
async function topKJs(
  queries: tf.Tensor2D,
  qChunk: number,
  bankT: tf.Tensor2D[],
  k: number,
  onBlock: (b: BlockTopK) => void,
): Promise<void> {
  const nq = queries.shape[0],
    nc = bankT.length;
  // Product p = (query block ⌊p / nc⌋, bank block p mod nc); qn is the current query block, normalised.
  let qn: { q0: number; t: tf.Tensor2D } | null = null;
  const launch = (p: number): tf.Tensor2D => {
    const q0 = Math.floor(p / nc) * qChunk;
    if (qn?.q0 !== q0) {
      qn?.t.dispose(); // its last product is already queued
      const rows = Math.min(nq, q0 + qChunk) - q0;
      qn = { q0, t: tf.tidy(() => l2Normalize(queries.slice([q0, 0], [rows, -1]))) };
    }
    return tf.matMul(qn.t, bankT[p % nc]);
  };
  const total = Math.ceil(nq / qChunk) * nc;
  let next: tf.Tensor2D | null = total > 0 ? launch(0) : null;
  let sel: RowTopK | null = null;
  try {
    for (let p = 0; p < total; p++) {
      const cur = next as tf.Tensor2D; // queued before the loop or in the previous pass
      next = null;
      let block: Float32Array;
      try {
        if (p + 1 < total) next = launch(p + 1);
        block = (await cur.data()) as Float32Array;
      } finally {
        cur.dispose();
      }
      const c = p % nc,
        q0 = Math.floor(p / nc) * qChunk,
        q1 = Math.min(nq, q0 + qChunk);
      if (c === 0) sel = new RowTopK(q1 - q0, k);
      const s = sel as RowTopK;
      s.offer(block, bankT[c].shape[1], c * bankT[0].shape[1]);
      if (c === nc - 1) {
        s.finish();
        onBlock({ q0, q1, vals: s.keys, idxs: s.indices });
      }
    }
  } finally {
    next?.dispose();
    (qn as { t: tf.Tensor2D } | null)?.t.dispose();
  }
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

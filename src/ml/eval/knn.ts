/**
 * Weighted k-nearest-neighbour classifier on embeddings, the standard self-supervised evaluation
 * (Wu et al. 2018, "Unsupervised Feature Learning via Non-Parametric Instance Discrimination";
 * DINO's eval_knn.py): cosine similarity to a labelled bank, the k most similar bank items vote for
 * their class with weight exp(sim / T), the class with the largest summed weight wins.
 *
 * The heavy part runs as tfjs ops on the active backend. The bank is l2-normalised and transposed
 * once and stays resident for the call: on wasm and cpu as one [d × nb] tensor (up to 2²⁶ floats,
 * then blocks of that size), elsewhere in [d × 8192] column blocks. Queries go in blocks (≤ 512 rows, sized so a similarity block is at
 * most 2²⁵ floats), each normalised and multiplied by the bank blocks, so 10k queries against a
 * 50k bank never materialise a 10k × 50k matrix. Why transposed: tfjs-backend-wasm 4.22 sends
 * `matMul(a, b, false, true)` to a naive loop (2.2 GFLOP/s measured at 1024 × 16384 × 512, Node)
 * while `matMul(a, bT)` goes to XNNPACK (20–38 GFLOP/s); that was most of the 376 s that
 * 10k × 50k × 512 took. Why one bank block on wasm: it needs no top-k merge, and cutting blocks
 * costs (see rowsOf).
 *
 * Top-k: `tf.topk` on the backend (webgpu/webgl/wasm), merged over bank blocks there, so only
 * [rows × k] is read back; the next query block is queued before the current one is awaited, which
 * overlaps the read-back and vote with the next matmul on async backends (wasm runs kernels
 * synchronously: nothing overlaps there, the top-k costs ~15% of the matmul, see
 * bench/knn.bench.ts). On wasm tf.topk beat reading the block back and selecting in JS (Node,
 * 1024 × 50000: read-back 0.86 s + heaps 0.29 s vs 0.31 s CPU). On cpu each similarity block is read
 * back and streamed through per-row bounded heaps (top-k.ts), 3× faster than the cpu `tf.topk`.
 * The vote over the k neighbours runs in JS on the downloaded top-k, which keeps the tie-breaking
 * identical on every backend (neighbours: larger similarity first, ties to the lower bank index;
 * votes: ties to the lower class index).
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
  /** Queries per block (default min(512, 2²⁵ / bank block), at least 64). */
  queryChunk?: number;
  /**
   * Bank rows per block (at least k; default the whole bank on wasm and cpu, else 8192): the
   * similarity block is queryChunk × bankChunk floats, the transposed bank block d × bankChunk.
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
  const selection = options.selection ?? 'auto';
  const backend = tf.getBackend();
  const onCpu = backend === 'wasm' || backend === 'cpu';
  const useJs = selection === 'js' || (selection === 'auto' && backend === 'cpu');
  // wasm/cpu: the whole bank as one block up to 2²⁶ floats (256 MB), then blocks of that size.
  const bDefault = onCpu ? Math.max(1, Math.floor(2 ** 26 / Math.max(1, bank.shape[1]))) : 8192;
  const bChunk = Math.max(k, options.bankChunk ?? bDefault);
  const qChunk = Math.max(
    1,
    options.queryChunk ?? Math.min(512, Math.max(64, Math.floor(2 ** 25 / Math.min(nb, bChunk)))),
  );

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

/**
 * The bank l2-normalised and transposed in column blocks [d × ≤ bChunk] (one block when
 * bChunk ≥ nb), each cut from the bank by rowsOf. Caller disposes.
 */
function normalizedBankT(bank: tf.Tensor2D, bChunk: number): tf.Tensor2D[] {
  const nb = bank.shape[0];
  const out: tf.Tensor2D[] = [];
  for (let b0 = 0; b0 < nb; b0 += bChunk) {
    const b1 = Math.min(nb, b0 + bChunk);
    const rows = tf.tidy(() => rowsOf(bank, b0, b1));
    // Norms first, in their own tidy, so the squares are freed before the transpose is made
    // (peak: the block plus two copies); x / max(‖x‖, eps) as l2Normalize, transposed.
    const norm = tf.tidy(() => tf.maximum(tf.sqrt(tf.sum(tf.square(rows), 1)), tf.scalar(1e-12)));
    try {
      out.push(tf.tidy(() => tf.div(rows.transpose(), norm.reshape([1, -1]))));
    } finally {
      norm.dispose();
      if (rows !== bank) rows.dispose();
    }
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
      const qn = l2Normalize(rowsOf(queries, q0, q1));
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
      qn = { q0, t: tf.tidy(() => l2Normalize(rowsOf(queries, q0, q0 + rows))) };
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

/**
 * Rows [r0, r1) of x [n, d] → [r1 - r0, d] (x itself when that is all of it). A gather rather than
 * a slice: tfjs-backend-wasm 4.22's Slice copies the whole input out of the heap into JS first
 * (7 blocks sliced from a 50k × 512 bank took 2.8 s), its Gather reads the rows in place (0.8 s).
 * Call inside tidy.
 */
function rowsOf(x: tf.Tensor2D, r0: number, r1: number): tf.Tensor2D {
  if (r0 === 0 && r1 === x.shape[0]) return x;
  return tf.gather(x, tf.range(r0, r1, 1, 'int32'));
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

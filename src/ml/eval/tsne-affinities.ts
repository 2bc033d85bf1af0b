/**
 * t-SNE input affinities (van der Maaten & Hinton 2008, §2; van der Maaten 2014, §4.1), as sklearn
 * 1.2 computes them: per-point Gaussian conditionals p_{j|i} whose precision is found by binary
 * search so the entropy matches log(perplexity) (tolerance 1e-5, ≤ 100 steps, on squared
 * euclidean distances), then symmetrised P = (P + Pᵀ) / Σ.
 */
import type { KnnGraph } from './vp-tree';

/** Sparse symmetric joint probabilities in CSR form; values sum to 1 over all stored entries. */
export interface SparseP {
  n: number;
  rowPtr: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

const PERPLEXITY_TOLERANCE = 1e-5;
const EPSILON_DBL = 1e-8;
const MACHINE_EPSILON = 2 ** -52;

/**
 * Conditional p_{j|i} for each row of squared distances sq [n × m] (m candidates per row) → out
 * [n × m]; with selfColumn (dense n × n input) column i of row i is excluded.
 */
export function binarySearchPerplexity(
  sq: Float64Array,
  n: number,
  m: number,
  perplexity: number,
  out: Float64Array,
  selfColumn: boolean,
): void {
  const desiredEntropy = Math.log(perplexity);
  for (let i = 0; i < n; i++) {
    const off = i * m;
    let betaMin = -Infinity,
      betaMax = Infinity,
      beta = 1;
    for (let step = 0; step < 100; step++) {
      let sumP = 0;
      for (let j = 0; j < m; j++) {
        if (selfColumn && j === i) {
          out[off + j] = 0;
          continue;
        }
        const p = Math.exp(-sq[off + j] * beta);
        out[off + j] = p;
        sumP += p;
      }
      if (sumP === 0) sumP = EPSILON_DBL;
      let sumDistP = 0;
      for (let j = 0; j < m; j++) {
        out[off + j] /= sumP;
        sumDistP += sq[off + j] * out[off + j];
      }
      const entropy = Math.log(sumP) + beta * sumDistP;
      const diff = entropy - desiredEntropy;
      if (Math.abs(diff) <= PERPLEXITY_TOLERANCE) break;
      if (diff > 0) {
        betaMin = beta;
        beta = betaMax === Infinity ? beta * 2 : (beta + betaMax) / 2;
      } else {
        betaMax = beta;
        beta = betaMin === -Infinity ? beta / 2 : (beta + betaMin) / 2;
      }
    }
  }
}

/** Dense joint P [n × n] from points x [n × d] (sklearn method='exact'); entries floored at machine eps. */
export function denseJointP(
  x: Float64Array,
  n: number,
  d: number,
  perplexity: number,
): Float64Array {
  const sq = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) {
        const t = x[i * d + c] - x[j * d + c];
        s += t * t;
      }
      sq[i * n + j] = s;
      sq[j * n + i] = s;
    }
  }
  const cond = new Float64Array(n * n);
  binarySearchPerplexity(sq, n, n, perplexity, cond, true);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = cond[i * n + j] + cond[j * n + i];
      sq[i * n + j] = v;
      sum += 2 * v;
    }
  }
  sum = Math.max(sum, MACHINE_EPSILON);
  const P = cond; // reuse
  for (let i = 0; i < n; i++) {
    P[i * n + i] = 0;
    for (let j = i + 1; j < n; j++) {
      const v = Math.max(sq[i * n + j] / sum, MACHINE_EPSILON);
      P[i * n + j] = v;
      P[j * n + i] = v;
    }
  }
  return P;
}

/** Sparse joint P from a k-NN graph (sklearn method='barnes_hut': k = min(n − 1, ⌊3·perplexity + 1⌋)). */
export function sparseJointP(graph: KnnGraph, n: number, perplexity: number): SparseP {
  const k = graph.k;
  const cond = new Float64Array(n * k);
  binarySearchPerplexity(graph.sqDistances, n, k, perplexity, cond, false);
  // P + Pᵀ: each stored (i, j, p) contributes to rows i and j; merge duplicates per row.
  const counts = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < k; m++) {
      counts[i + 1]++;
      counts[graph.indices[i * k + m] + 1]++;
    }
  }
  for (let i = 0; i < n; i++) counts[i + 1] += counts[i];
  const fill = counts.slice(0, n);
  const tmpCols = new Int32Array(counts[n]),
    tmpVals = new Float64Array(counts[n]);
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < k; m++) {
      const j = graph.indices[i * k + m],
        p = cond[i * k + m];
      tmpCols[fill[i]] = j;
      tmpVals[fill[i]++] = p;
      tmpCols[fill[j]] = i;
      tmpVals[fill[j]++] = p;
    }
  }
  const rowPtr = new Int32Array(n + 1);
  const cols = new Int32Array(counts[n]),
    vals = new Float64Array(counts[n]);
  // Merge duplicate columns per row in O(nnz) with a position marker (column order is irrelevant).
  const slot = new Int32Array(n).fill(-1);
  let nnz = 0,
    sum = 0;
  for (let i = 0; i < n; i++) {
    const start = nnz;
    for (let q = counts[i]; q < counts[i + 1]; q++) {
      const j = tmpCols[q],
        v = tmpVals[q];
      sum += v;
      if (slot[j] >= 0) {
        vals[slot[j]] += v;
      } else {
        slot[j] = nnz;
        cols[nnz] = j;
        vals[nnz++] = v;
      }
    }
    for (let q = start; q < nnz; q++) slot[cols[q]] = -1;
    rowPtr[i + 1] = nnz;
  }
  sum = Math.max(sum, MACHINE_EPSILON);
  for (let q = 0; q < nnz; q++) vals[q] /= sum;
  return { n, rowPtr, cols: cols.slice(0, nnz), vals: vals.slice(0, nnz) };
}

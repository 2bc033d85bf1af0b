/**
 * t-SNE gradients of KL(P‖Q) for a 2-d Student-t embedding (one degree of freedom), with the KL
 * divergence computed on request the way sklearn 1.2 does:
 * - exact: O(n²) (van der Maaten & Hinton 2008, eq. 5);
 * - Barnes-Hut: attraction over the sparse P, repulsion from a quadtree whose cells are summarised
 *   by their centre of mass when max_width² / dist² < θ² (van der Maaten 2014, §4.2; sklearn's
 *   _barnes_hut_tsne / _quad_tree). Plain Float64Array math.
 */
import type { SparseP } from './tsne-affinities';

const MACHINE_EPSILON = 2 ** -52;
const FLOAT32_TINY = 1.1754943508222875e-38;
/** sklearn's quadtree treats points closer than this (per axis) as duplicates. */
const DUPLICATE_EPS = 1e-6;

/**
 * Exact gradient: y [n × 2], dense P [n × n] (times exaggeration) → grad [n × 2]; num is scratch of
 * n(n−1)/2 Student-t kernels. Returns KL(P‖Q) when asked (sklearn's _kl_divergence), else NaN.
 */
export function exactGradient(
  y: Float64Array, P: Float64Array, n: number, exaggeration: number, grad: Float64Array,
  num: Float64Array, computeError: boolean,
): number {
  let z = 0, t = 0;
  for (let i = 0; i < n; i++) {
    const yi0 = y[2 * i], yi1 = y[2 * i + 1];
    for (let j = i + 1; j < n; j++) {
      const d0 = yi0 - y[2 * j], d1 = yi1 - y[2 * j + 1];
      const q = 1 / (1 + d0 * d0 + d1 * d1);
      num[t++] = q;
      z += q;
    }
  }
  z *= 2;
  const invZ = 1 / z;
  grad.fill(0);
  let kl = 0;
  t = 0;
  for (let i = 0; i < n; i++) {
    const yi0 = y[2 * i], yi1 = y[2 * i + 1];
    const row = i * n;
    let g0 = 0, g1 = 0;
    for (let j = i + 1; j < n; j++) {
      const q = num[t++];
      const p = exaggeration * P[row + j];
      const m = (p - q * invZ) * q;
      const d0 = yi0 - y[2 * j], d1 = yi1 - y[2 * j + 1];
      g0 += m * d0;
      g1 += m * d1;
      grad[2 * j] -= m * d0;
      grad[2 * j + 1] -= m * d1;
      if (computeError) kl += 2 * p * Math.log(Math.max(p, MACHINE_EPSILON) / Math.max(q * invZ, MACHINE_EPSILON));
    }
    grad[2 * i] += g0;
    grad[2 * i + 1] += g1;
  }
  for (let c = 0; c < 2 * n; c++) grad[c] *= 4;
  return computeError ? kl : NaN;
}

/** A quadtree over 2-d points stored in flat arrays, rebuilt every iteration. */
export class QuadTree {
  #cap = 0;
  /** Centre of mass and point count of each cell. */
  comX = new Float64Array(0);
  comY = new Float64Array(0);
  count = new Int32Array(0);
  /** Squared largest side of each cell. */
  width2 = new Float64Array(0);
  /** First child id (children are 4 consecutive ids, -1 for empty ones via count 0) or -1 for a leaf. */
  firstChild = new Int32Array(0);
  size = 0;
  #order = new Int32Array(0);
  #tmp = new Int32Array(0);

  /** Rebuilds the tree over y [n × 2]. */
  build(y: Float64Array, n: number): void {
    if (this.#order.length < n) {
      this.#order = new Int32Array(n);
      this.#tmp = new Int32Array(n);
    }
    this.#ensure(Math.max(64, 4 * n + 1));
    let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      this.#order[i] = i;
      const a = y[2 * i], b = y[2 * i + 1];
      if (a < minX) minX = a;
      if (a > maxX) maxX = a;
      if (b < minY) minY = b;
      if (b > maxY) maxY = b;
    }
    // Small margin so every point is strictly inside (as sklearn's quadtree does).
    const padX = Math.max(1e-3 * Math.abs(maxX - minX), 1e-12), padY = Math.max(1e-3 * Math.abs(maxY - minY), 1e-12);
    this.size = 1;
    this.#node(y, 0, 0, n, minX - padX, minY - padY, maxX + padX, maxY + padY, 0);
  }

  #ensure(cap: number): void {
    if (cap <= this.#cap) return;
    const grow = <T extends Float64Array | Int32Array>(a: T, make: (m: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.comX = grow(this.comX, (m) => new Float64Array(m));
    this.comY = grow(this.comY, (m) => new Float64Array(m));
    this.count = grow(this.count, (m) => new Int32Array(m));
    this.width2 = grow(this.width2, (m) => new Float64Array(m));
    this.firstChild = grow(this.firstChild, (m) => new Int32Array(m));
    this.#cap = cap;
  }

  #node(y: Float64Array, id: number, lo: number, hi: number, x0: number, y0: number, x1: number, y1: number, depth: number): void {
    const order = this.#order;
    let sx = 0, sy = 0;
    for (let p = lo; p < hi; p++) {
      sx += y[2 * order[p]];
      sy += y[2 * order[p] + 1];
    }
    const cnt = hi - lo;
    this.count[id] = cnt;
    this.comX[id] = cnt > 0 ? sx / cnt : 0;
    this.comY[id] = cnt > 0 ? sy / cnt : 0;
    const w = x1 - x0, h = y1 - y0;
    this.width2[id] = Math.max(w * w, h * h);
    this.firstChild[id] = -1;
    if (cnt <= 1 || depth >= 48) return;
    // All points (near-)identical: keep as one leaf holding duplicates.
    let allSame = true;
    const fx = y[2 * order[lo]], fy = y[2 * order[lo] + 1];
    for (let p = lo + 1; p < hi && allSame; p++) {
      allSame = Math.abs(y[2 * order[p]] - fx) <= DUPLICATE_EPS && Math.abs(y[2 * order[p] + 1] - fy) <= DUPLICATE_EPS;
    }
    if (allSame) return;
    const mx = 0.5 * (x0 + x1), my = 0.5 * (y0 + y1);
    // Counting sort of [lo, hi) into quadrants 0:(<mx,<my) 1:(>=mx,<my) 2:(<mx,>=my) 3:(>=mx,>=my).
    const c = [0, 0, 0, 0];
    const tmp = this.#tmp;
    for (let p = lo; p < hi; p++) {
      const i = order[p];
      c[(y[2 * i] >= mx ? 1 : 0) + (y[2 * i + 1] >= my ? 2 : 0)]++;
    }
    const start = [lo, lo + c[0], lo + c[0] + c[1], lo + c[0] + c[1] + c[2]];
    const pos = start.slice();
    for (let p = lo; p < hi; p++) {
      const i = order[p];
      tmp[pos[(y[2 * i] >= mx ? 1 : 0) + (y[2 * i + 1] >= my ? 2 : 0)]++] = i;
    }
    for (let p = lo; p < hi; p++) order[p] = tmp[p];
    const first = this.size;
    this.size += 4;
    this.#ensure(this.size + 1);
    this.firstChild[id] = first;
    for (let q = 0; q < 4; q++) {
      const qx0 = q & 1 ? mx : x0, qx1 = q & 1 ? x1 : mx;
      const qy0 = q & 2 ? my : y0, qy1 = q & 2 ? y1 : my;
      this.#node(y, first + q, start[q], start[q] + c[q], qx0, qy0, qx1, qy1, depth + 1);
    }
  }
}

/**
 * Barnes-Hut gradient: y [n × 2], sparse P (times exaggeration), tree built on y → grad [n × 2].
 * Returns the KL divergence estimate (sklearn's formula with the BH normaliser) when asked, else NaN.
 */
export function barnesHutGradient(
  y: Float64Array, P: SparseP, n: number, exaggeration: number, theta: number, tree: QuadTree,
  grad: Float64Array, neg: Float64Array, stack: Int32Array, computeError: boolean,
): number {
  tree.build(y, n);
  const theta2 = theta * theta;
  const { comX, comY, count, width2, firstChild } = tree;
  let sumQ = 0;
  for (let i = 0; i < n; i++) {
    const yi0 = y[2 * i], yi1 = y[2 * i + 1];
    let f0 = 0, f1 = 0, sp = 0;
    stack[sp++] = 0;
    while (sp > 0) {
      const node = stack[--sp];
      const cnt = count[node];
      if (cnt === 0) continue;
      const d0 = yi0 - comX[node], d1 = yi1 - comY[node];
      const d2 = d0 * d0 + d1 * d1;
      const child = firstChild[node];
      if (child < 0) {
        // Leaf: skip the point itself and exact duplicates of it (as sklearn's summarize).
        if (Math.abs(d0) <= DUPLICATE_EPS && Math.abs(d1) <= DUPLICATE_EPS) continue;
      } else if (width2[node] >= theta2 * d2) {
        stack[sp++] = child;
        stack[sp++] = child + 1;
        stack[sp++] = child + 2;
        stack[sp++] = child + 3;
        continue;
      }
      const q = 1 / (1 + d2);
      const cq = cnt * q;
      sumQ += cq;
      const mult = cq * q;
      f0 += mult * d0;
      f1 += mult * d1;
    }
    neg[2 * i] = f0;
    neg[2 * i + 1] = f1;
  }
  let kl = 0;
  const { rowPtr, cols, vals } = P;
  for (let i = 0; i < n; i++) {
    const yi0 = y[2 * i], yi1 = y[2 * i + 1];
    let f0 = 0, f1 = 0;
    for (let e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
      const j = cols[e];
      const d0 = yi0 - y[2 * j], d1 = yi1 - y[2 * j + 1];
      const q = 1 / (1 + d0 * d0 + d1 * d1);
      const p = exaggeration * vals[e];
      const pq = p * q;
      f0 += pq * d0;
      f1 += pq * d1;
      if (computeError) kl += p * Math.log(Math.max(p, FLOAT32_TINY) / Math.max(q / sumQ, FLOAT32_TINY));
    }
    grad[2 * i] = 4 * (f0 - neg[2 * i] / sumQ);
    grad[2 * i + 1] = 4 * (f1 - neg[2 * i + 1] / sumQ);
  }
  return computeError ? kl : NaN;
}

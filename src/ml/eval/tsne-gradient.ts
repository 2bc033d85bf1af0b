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
  y: Float64Array,
  P: Float64Array,
  n: number,
  exaggeration: number,
  grad: Float64Array,
  num: Float64Array,
  computeError: boolean,
): number {
  let z = 0,
    t = 0;
  for (let i = 0; i < n; i++) {
    const yi0 = y[2 * i],
      yi1 = y[2 * i + 1];
    for (let j = i + 1; j < n; j++) {
      const d0 = yi0 - y[2 * j],
        d1 = yi1 - y[2 * j + 1];
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
    const yi0 = y[2 * i],
      yi1 = y[2 * i + 1];
    const row = i * n;
    let g0 = 0,
      g1 = 0;
    for (let j = i + 1; j < n; j++) {
      const q = num[t++];
      const p = exaggeration * P[row + j];
      const m = (p - q * invZ) * q;
      const d0 = yi0 - y[2 * j],
        d1 = yi1 - y[2 * j + 1];
      g0 += m * d0;
      g1 += m * d1;
      grad[2 * j] -= m * d0;
      grad[2 * j + 1] -= m * d1;
      if (computeError)
        kl += 2 * p * Math.log(Math.max(p, MACHINE_EPSILON) / Math.max(q * invZ, MACHINE_EPSILON));
    }
    grad[2 * i] += g0;
    grad[2 * i + 1] += g1;
  }
  for (let c = 0; c < 2 * n; c++) grad[c] *= 4;
  return computeError ? kl : NaN;
}

/** Leaves hold at most this many points (bucket leaves: shallower tree, cheaper build). */
const LEAF_SIZE = 4;
/** Points that share one interaction list in the group walk (Barnes 1990). */
const GROUP_SIZE = 32;

/**
 * A quadtree over 2-d points in flat arrays, rebuilt every iteration. Node data is interleaved
 * (centre of mass x, y, squared largest side, point count) for cache locality, and each internal
 * node's non-empty children are stored contiguously. Every node covers a contiguous range
 * [lo, hi) of `order`; `groups` lists the largest nodes of ≤ GROUP_SIZE points, which share one
 * interaction list in barnesHutGradient.
 */
export class QuadTree {
  /** [comX, comY, width², count] per node. */
  node: Float64Array = new Float64Array(0);
  /** First child id per node, -1 for a leaf. */
  firstChild: Int32Array = new Int32Array(0);
  /** Number of (non-empty) children per node. */
  childCount: Int32Array = new Int32Array(0);
  /** Range [lo[id], hi[id]) of `order` covered by each node. */
  lo: Int32Array = new Int32Array(0);
  hi: Int32Array = new Int32Array(0);
  size = 0;
  /** Point indices in depth-first leaf order (spatially coherent), valid after build(). */
  order: Int32Array = new Int32Array(0);
  /** Point coordinates in `order` ([x, y] per position). */
  pos: Float64Array = new Float64Array(0);
  /** Node ids of the point groups, in leaf order; groupCount of them are valid. */
  groups: Int32Array = new Int32Array(0);
  groupCount = 0;
  #cap = 0;
  #tmp = new Int32Array(0);
  #y: Float64Array = new Float64Array(0);
  readonly #f64: (len: number) => Float64Array;
  readonly #i32: (len: number) => Int32Array;

  /** Allocators for the node and point arrays (shared memory when threads walk the tree). */
  constructor(
    f64: (len: number) => Float64Array = (len) => new Float64Array(len),
    i32: (len: number) => Int32Array = (len) => new Int32Array(len),
  ) {
    this.#f64 = f64;
    this.#i32 = i32;
  }

  /** Rebuilds the tree over y [n × 2]. */
  build(y: Float64Array, n: number): void {
    if (this.order.length !== n) {
      this.order = this.#i32(n);
      this.#tmp = new Int32Array(n);
      this.pos = this.#f64(2 * n);
      this.groups = this.#i32(n);
    }
    this.#ensure(Math.max(64, n + 8));
    this.#y = y;
    this.groupCount = 0;
    let minX = Infinity,
      minY = Infinity,
      maxX = -Infinity,
      maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      this.order[i] = i;
      const a = y[2 * i],
        b = y[2 * i + 1];
      if (a < minX) minX = a;
      if (a > maxX) maxX = a;
      if (b < minY) minY = b;
      if (b > maxY) maxY = b;
    }
    // Small margin so every point is strictly inside (as sklearn's quadtree does).
    const padX = Math.max(1e-3 * (maxX - minX), 1e-12),
      padY = Math.max(1e-3 * (maxY - minY), 1e-12);
    this.size = 1;
    this.#build(0, 0, n, minX - padX, minY - padY, maxX + padX, maxY + padY, 0, false);
    const order = this.order,
      pos = this.pos;
    for (let p = 0; p < n; p++) {
      const i = order[p];
      pos[2 * p] = y[2 * i];
      pos[2 * p + 1] = y[2 * i + 1];
    }
  }

  #ensure(cap: number): void {
    if (cap <= this.#cap) return;
    cap = Math.max(cap, 2 * this.#cap);
    const node = this.#f64(4 * cap);
    node.set(this.node);
    const fc = this.#i32(cap);
    fc.set(this.firstChild);
    const cc = this.#i32(cap);
    cc.set(this.childCount);
    const lo = this.#i32(cap);
    lo.set(this.lo);
    const hi = this.#i32(cap);
    hi.set(this.hi);
    this.node = node;
    this.firstChild = fc;
    this.childCount = cc;
    this.lo = lo;
    this.hi = hi;
    this.#cap = cap;
  }

  #build(
    id: number,
    lo: number,
    hi: number,
    x0: number,
    y0: number,
    x1: number,
    y1: number,
    depth: number,
    inGroup: boolean,
  ): void {
    const order = this.order,
      y = this.#y;
    let sx = 0,
      sy = 0;
    for (let p = lo; p < hi; p++) {
      const i = order[p];
      sx += y[2 * i];
      sy += y[2 * i + 1];
    }
    const cnt = hi - lo;
    if (!inGroup && cnt <= GROUP_SIZE) {
      this.groups[this.groupCount++] = id;
      inGroup = true;
    }
    const w = x1 - x0,
      h = y1 - y0;
    const o = 4 * id;
    this.node[o] = sx / cnt;
    this.node[o + 1] = sy / cnt;
    this.node[o + 2] = w > h ? w * w : h * h;
    this.node[o + 3] = cnt;
    this.lo[id] = lo;
    this.hi[id] = hi;
    this.firstChild[id] = -1;
    this.childCount[id] = 0;
    if (cnt <= LEAF_SIZE || depth >= 48) return;
    // All points (near-)identical: keep one leaf holding the duplicates.
    const fx = y[2 * order[lo]],
      fy = y[2 * order[lo] + 1];
    let allSame = true;
    for (let p = lo + 1; p < hi; p++) {
      const i = order[p];
      if (Math.abs(y[2 * i] - fx) > DUPLICATE_EPS || Math.abs(y[2 * i + 1] - fy) > DUPLICATE_EPS) {
        allSame = false;
        break;
      }
    }
    if (allSame) return;
    const mx = 0.5 * (x0 + x1),
      my = 0.5 * (y0 + y1);
    // Counting sort of [lo, hi) into quadrants 0:(<mx,<my) 1:(>=mx,<my) 2:(<mx,>=my) 3:(>=mx,>=my).
    let c0 = 0,
      c1 = 0,
      c2 = 0;
    for (let p = lo; p < hi; p++) {
      const i = order[p];
      const q = (y[2 * i] >= mx ? 1 : 0) + (y[2 * i + 1] >= my ? 2 : 0);
      if (q === 0) c0++;
      else if (q === 1) c1++;
      else if (q === 2) c2++;
    }
    let p0 = lo,
      p1 = lo + c0,
      p2 = p1 + c1,
      p3 = p2 + c2;
    const tmp = this.#tmp;
    for (let p = lo; p < hi; p++) {
      const i = order[p];
      const q = (y[2 * i] >= mx ? 1 : 0) + (y[2 * i + 1] >= my ? 2 : 0);
      if (q === 0) tmp[p0++] = i;
      else if (q === 1) tmp[p1++] = i;
      else if (q === 2) tmp[p2++] = i;
      else tmp[p3++] = i;
    }
    for (let p = lo; p < hi; p++) order[p] = tmp[p];
    const s0 = lo,
      s1 = lo + c0,
      s2 = s1 + c1,
      s3 = s2 + c2;
    const nonEmpty = (c0 > 0 ? 1 : 0) + (c1 > 0 ? 1 : 0) + (c2 > 0 ? 1 : 0) + (hi - s3 > 0 ? 1 : 0);
    this.#ensure(this.size + nonEmpty + 1);
    let child = this.size;
    this.size += nonEmpty;
    this.firstChild[id] = child;
    this.childCount[id] = nonEmpty;
    if (c0 > 0) this.#build(child++, s0, s1, x0, y0, mx, my, depth + 1, inGroup);
    if (c1 > 0) this.#build(child++, s1, s2, mx, y0, x1, my, depth + 1, inGroup);
    if (c2 > 0) this.#build(child++, s2, s3, x0, my, mx, y1, depth + 1, inGroup);
    if (hi > s3) this.#build(child, s3, hi, mx, my, x1, y1, depth + 1, inGroup);
  }
}

/** Interaction list of the group walk: [x, y, count] per summarised cell or single point. */
let interactions: Float64Array = new Float64Array(3 * 4096);

/** The tree arrays a repulsion walk reads (a QuadTree, or shared copies of its arrays). */
export type QuadTreeView = Pick<
  QuadTree,
  'node' | 'firstChild' | 'childCount' | 'lo' | 'hi' | 'order' | 'pos' | 'groups'
>;

/**
 * Repulsion of the points of groups [g0, g1) of a built tree (the group walk described at
 * barnesHutGradient): neg[2i..2i+1] = Σ_j q_ij² (y_i − y_j) for those points; returns their
 * share of Σ_{i≠j} q_ij.
 */
export function barnesHutRepulsion(
  tree: QuadTreeView,
  theta: number,
  g0: number,
  g1: number,
  neg: Float64Array,
  stack: Int32Array,
): number {
  const theta2 = theta * theta;
  const { node, firstChild, childCount, order, pos, groups } = tree;
  const nodeLo = tree.lo,
    nodeHi = tree.hi;
  let sumQ = 0;
  let list: Float64Array = interactions;
  for (let g = g0; g < g1; g++) {
    const gid = groups[g];
    const glo = nodeLo[gid],
      ghi = nodeHi[gid];
    let bx0 = Infinity,
      by0 = Infinity,
      bx1 = -Infinity,
      by1 = -Infinity;
    for (let p = glo; p < ghi; p++) {
      const a = pos[2 * p],
        b = pos[2 * p + 1];
      if (a < bx0) bx0 = a;
      if (a > bx1) bx1 = a;
      if (b < by0) by0 = b;
      if (b > by1) by1 = b;
    }
    let len = 0,
      sp = 0;
    stack[sp++] = 0;
    while (sp > 0) {
      const id = stack[--sp];
      const o = 4 * id;
      const cx = node[o],
        cy = node[o + 1];
      const dx = cx < bx0 ? bx0 - cx : cx > bx1 ? cx - bx1 : 0;
      const dy = cy < by0 ? by0 - cy : cy > by1 ? cy - by1 : 0;
      if (node[o + 2] < theta2 * (dx * dx + dy * dy)) {
        if (3 * len + 3 > list.length) list = grow(list);
        list[3 * len] = cx;
        list[3 * len + 1] = cy;
        list[3 * len + 2] = node[o + 3];
        len++;
        continue;
      }
      const child = firstChild[id];
      if (child >= 0) {
        const end = child + childCount[id];
        for (let c = child; c < end; c++) stack[sp++] = c;
        continue;
      }
      const lo = nodeLo[id],
        hi = nodeHi[id];
      if (3 * (len + hi - lo) > list.length) list = grow(list, 3 * (len + hi - lo));
      for (let p = lo; p < hi; p++) {
        list[3 * len] = pos[2 * p];
        list[3 * len + 1] = pos[2 * p + 1];
        list[3 * len + 2] = 1;
        len++;
      }
    }
    const end = 3 * len;
    for (let p = glo; p < ghi; p++) {
      const yi0 = pos[2 * p],
        yi1 = pos[2 * p + 1];
      let f0 = 0,
        f1 = 0,
        sq = 0;
      for (let e = 0; e < end; e += 3) {
        const d0 = yi0 - list[e],
          d1 = yi1 - list[e + 1];
        const q = 1 / (1 + d0 * d0 + d1 * d1);
        const cq = list[e + 2] * q;
        sq += cq;
        const mult = cq * q;
        f0 += mult * d0;
        f1 += mult * d1;
      }
      // The point itself is in the list once (its own leaf is always expanded): q = 1, no force.
      sumQ += sq - 1;
      const i = order[p];
      neg[2 * i] = f0;
      neg[2 * i + 1] = f1;
    }
  }
  interactions = list;
  return sumQ;
}

/**
 * Barnes-Hut gradient: y [n × 2], sparse P (times exaggeration), tree built on y → grad [n × 2].
 * Repulsion by a group walk (Barnes 1990): each group of ≤ 32 spatially close points walks the
 * tree once, summarising a cell by its centre of mass when max_width² < θ² · dist², dist measured
 * from the cell's centre of mass to the group's bounding box (so each point sees at least the
 * accuracy of sklearn's per-point test), then every point of the group sums the shared list in a
 * branch-free loop. Returns the KL divergence estimate (sklearn's formula with the BH normaliser)
 * when asked, else NaN.
 */
export function barnesHutGradient(
  y: Float64Array,
  P: SparseP,
  n: number,
  exaggeration: number,
  theta: number,
  tree: QuadTree,
  grad: Float64Array,
  neg: Float64Array,
  stack: Int32Array,
  computeError: boolean,
): number {
  tree.build(y, n);
  const sumQ = barnesHutRepulsion(tree, theta, 0, tree.groupCount, neg, stack);
  let kl = 0;
  const { rowPtr, cols, vals } = P;
  for (let i = 0; i < n; i++) {
    const yi0 = y[2 * i],
      yi1 = y[2 * i + 1];
    let f0 = 0,
      f1 = 0;
    for (let e = rowPtr[i]; e < rowPtr[i + 1]; e++) {
      const j = cols[e];
      const d0 = yi0 - y[2 * j],
        d1 = yi1 - y[2 * j + 1];
      const q = 1 / (1 + d0 * d0 + d1 * d1);
      const p = exaggeration * vals[e];
      const pq = p * q;
      f0 += pq * d0;
      f1 += pq * d1;
      if (computeError)
        kl += p * Math.log(Math.max(p, FLOAT32_TINY) / Math.max(q / sumQ, FLOAT32_TINY));
    }
    grad[2 * i] = 4 * (f0 - neg[2 * i] / sumQ);
    grad[2 * i + 1] = 4 * (f1 - neg[2 * i + 1] / sumQ);
  }
  return computeError ? kl : NaN;
}

function grow(list: Float64Array, need = 0): Float64Array {
  const next = new Float64Array(Math.max(2 * list.length, need + 3 * 1024));
  next.set(list);
  return next;
}

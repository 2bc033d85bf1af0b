/**
 * Exact k-nearest-neighbour search with a vantage-point tree (Yianilos 1993), as van der Maaten's
 * bhtsne uses for t-SNE's input affinities. Euclidean distance on row-major Float64Array points.
 * For t-SNE's ≤ 50-d PCA inputs it prunes most of the n² distance evaluations on clustered data
 * and never does worse than a brute-force scan by more than the tree overhead.
 */
import { createRng } from '../rng';

export interface KnnGraph {
  /** Neighbours per point. */
  k: number;
  /** indices[i * k + m]: m-th nearest neighbour of i (nearest first, never i itself). */
  indices: Int32Array;
  /** Squared euclidean distances matching indices. */
  sqDistances: Float64Array;
}

/** The k nearest neighbours (excluding self) of every row of x [n × d]; seeded vantage-point choice. */
export function vpTreeKnn(x: Float64Array, n: number, d: number, k: number, seed = 0): KnnGraph {
  if (!(k >= 1 && k < n)) throw new Error(`k must be in [1, ${n - 1}], got ${k}`);
  const tree = buildVpTree(x, n, d, seed);
  const indices = new Int32Array(n * k),
    sqDistances = new Float64Array(n * k);
  const heapIdx = new Int32Array(k),
    heapDist = new Float64Array(k);
  const stack = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const size = searchVpTree(tree, x, d, i, k, heapIdx, heapDist, stack);
    // Heap → ascending order (repeatedly pop the max into the back).
    let s = size;
    while (s > 0) {
      const m = s - 1;
      indices[i * k + m] = heapIdx[0];
      sqDistances[i * k + m] = heapDist[0];
      s--;
      heapIdx[0] = heapIdx[s];
      heapDist[0] = heapDist[s];
      siftDown(heapIdx, heapDist, 0, s);
    }
  }
  return { k, indices, sqDistances };
}

/** Ranges this small become leaf buckets scanned linearly (with early-abandoned distances). */
const LEAF_SIZE = 24;

interface VpTree {
  /** Point index stored at each node; node ids are positions 0..n-1. */
  item: Int32Array;
  /** All points in tree order; a leaf bucket node covers items[node .. node + bucketSize[node]). */
  items: Int32Array;
  /** > 0 for a leaf bucket: how many points it holds (starting with its own). */
  bucketSize: Int32Array;
  /** Median distance from the node's point splitting inner (left) and outer (right) subtrees. */
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  root: number;
}

function sqDist(x: Float64Array, d: number, a: number, b: number): number {
  const oa = a * d,
    ob = b * d;
  let s = 0;
  for (let c = 0; c < d; c++) {
    const t = x[oa + c] - x[ob + c];
    s += t * t;
  }
  return s;
}

function dist(x: Float64Array, d: number, a: number, b: number): number {
  const oa = a * d,
    ob = b * d;
  let s = 0;
  for (let c = 0; c < d; c++) {
    const t = x[oa + c] - x[ob + c];
    s += t * t;
  }
  return Math.sqrt(s);
}

/**
 * Squared distance, abandoned (returning a value ≥ limit) once the partial sum exceeds limit; PCA
 * inputs put the high-variance dimensions first, so far points are rejected after a few.
 */
function sqDistBelow(x: Float64Array, d: number, a: number, b: number, limit: number): number {
  const oa = a * d,
    ob = b * d;
  let s = 0,
    c = 0;
  while (c < d) {
    const end = Math.min(d, c + 8);
    for (; c < end; c++) {
      const t = x[oa + c] - x[ob + c];
      s += t * t;
    }
    if (s >= limit) return s;
  }
  return s;
}

function buildVpTree(x: Float64Array, n: number, d: number, seed: number): VpTree {
  const rng = createRng(seed);
  const items = Int32Array.from({ length: n }, (_, i) => i);
  const dBuf = new Float64Array(n);
  const tree: VpTree = {
    item: new Int32Array(n),
    items,
    bucketSize: new Int32Array(n),
    threshold: new Float64Array(n),
    left: new Int32Array(n).fill(-1),
    right: new Int32Array(n).fill(-1),
    root: -1,
  };
  // Node id = position of its vantage point in `items` (lo of its range), built iteratively.
  const work: Array<[number, number, number, 0 | 1]> = []; // [lo, hi, parent, side]
  work.push([0, n, -1, 0]);
  while (work.length > 0) {
    const [lo, hi, parent, side] = work.pop()!;
    if (hi <= lo) continue;
    const node = lo;
    if (parent < 0) tree.root = node;
    else if (side === 0) tree.left[parent] = node;
    else tree.right[parent] = node;
    if (hi - lo <= LEAF_SIZE) {
      tree.item[node] = items[lo];
      tree.bucketSize[node] = hi - lo;
      continue;
    }
    const r = lo + Math.floor(rng.next() * (hi - lo));
    swap(items, lo, r);
    const vp = items[lo];
    tree.item[node] = vp;
    if (hi - lo > 1) {
      for (let p = lo + 1; p < hi; p++) dBuf[p] = dist(x, d, vp, items[p]);
      const median = (lo + 1 + hi) >> 1;
      quickselect(items, dBuf, lo + 1, hi - 1, median);
      tree.threshold[node] = dBuf[median];
      work.push([lo + 1, median, node, 0]);
      work.push([median, hi, node, 1]);
    }
  }
  return tree;
}

function swap(a: Int32Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Reorders items/keys in [lo, hi] so keys[kth] is in sorted position, smaller keys before it. */
function quickselect(
  items: Int32Array,
  keys: Float64Array,
  lo: number,
  hi: number,
  kth: number,
): void {
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    const pivot = keys[mid];
    let i = lo,
      j = hi;
    while (i <= j) {
      while (keys[i] < pivot) i++;
      while (keys[j] > pivot) j--;
      if (i <= j) {
        const tk = keys[i];
        keys[i] = keys[j];
        keys[j] = tk;
        swap(items, i, j);
        i++;
        j--;
      }
    }
    if (kth <= j) hi = j;
    else if (kth >= i) lo = i;
    else return;
  }
}

/** Max-heap (by distance) sift-down over the first `size` entries. */
function siftDown(idx: Int32Array, dd: Float64Array, pos: number, size: number): void {
  for (;;) {
    const l = 2 * pos + 1,
      r = l + 1;
    let m = pos;
    if (l < size && dd[l] > dd[m]) m = l;
    if (r < size && dd[r] > dd[m]) m = r;
    if (m === pos) return;
    const ti = idx[pos],
      td = dd[pos];
    idx[pos] = idx[m];
    dd[pos] = dd[m];
    idx[m] = ti;
    dd[m] = td;
    pos = m;
  }
}

function heapPush(
  idx: Int32Array,
  dd: Float64Array,
  size: number,
  k: number,
  item: number,
  dv: number,
): number {
  if (size < k) {
    let p = size;
    idx[p] = item;
    dd[p] = dv;
    while (p > 0) {
      const parent = (p - 1) >> 1;
      if (dd[parent] >= dd[p]) break;
      const ti = idx[p],
        td = dd[p];
      idx[p] = idx[parent];
      dd[p] = dd[parent];
      idx[parent] = ti;
      dd[parent] = td;
      p = parent;
    }
    return size + 1;
  }
  idx[0] = item;
  dd[0] = dv;
  siftDown(idx, dd, 0, k);
  return size;
}

/** Fills the heap with the k nearest points to `target`; returns the heap size (k). */
function searchVpTree(
  tree: VpTree,
  x: Float64Array,
  d: number,
  target: number,
  k: number,
  heapIdx: Int32Array,
  heapDist: Float64Array,
  stack: Int32Array,
): number {
  let size = 0,
    tau = Infinity,
    sp = 0;
  stack[sp++] = tree.root;
  while (sp > 0) {
    const node = stack[--sp];
    const bucket = tree.bucketSize[node];
    if (bucket > 0) {
      for (let p = node; p < node + bucket; p++) {
        const item = tree.items[p];
        if (item === target) continue;
        const limit = size === k ? heapDist[0] : Infinity;
        const d2 = sqDistBelow(x, d, target, item, limit);
        if (d2 < limit) {
          size = heapPush(heapIdx, heapDist, size, k, item, d2);
          if (size === k) tau = Math.sqrt(heapDist[0]);
        }
      }
      continue;
    }
    const item = tree.item[node];
    const dv = dist(x, d, target, item);
    if (item !== target && dv < tau) {
      // The heap keeps squared distances (exact values for the caller); tau is a distance.
      size = heapPush(heapIdx, heapDist, size, k, item, sqDist(x, d, target, item));
      if (size === k) tau = Math.sqrt(heapDist[0]);
    }
    const thr = tree.threshold[node],
      left = tree.left[node],
      right = tree.right[node];
    // Push the far side first so the near side is searched first (tightens tau sooner).
    if (dv < thr) {
      if (right >= 0 && dv + tau >= thr) stack[sp++] = right;
      if (left >= 0 && dv - tau <= thr) stack[sp++] = left;
    } else {
      if (left >= 0 && dv - tau <= thr) stack[sp++] = left;
      if (right >= 0 && dv + tau >= thr) stack[sp++] = right;
    }
  }
  return size;
}

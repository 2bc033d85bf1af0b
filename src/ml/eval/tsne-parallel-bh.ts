/**
 * The Barnes-Hut t-SNE gradient over a TsneThreadPool (tsne-parallel.ts): the caller builds the
 * quadtree (in pool memory), then one phase per gradient in which every part computes the
 * attraction of its row range and takes chunks of the tree's point groups off a shared counter
 * for the repulsion walk (dynamic, since groups in dense regions cost more). Same result as
 * barnesHutGradient up to the order of the sums.
 */
import { attractiveForces, klFromParts } from './tsne-fft-gradient';
import { barnesHutRepulsion, QuadTree, type QuadTreeView } from './tsne-gradient';
import type { TsneThreadPool } from './tsne-thread-pool';

/** Groups taken per grab of the shared counter. */
const CHUNK = 16;

export interface TsneSharedBh {
  kind: 'bh';
  n: number;
  parts: number;
  theta: number;
  y: Float64Array;
  rowPtr: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
  attr: Float64Array;
  neg: Float64Array;
  tree: QuadTreeView;
  /** groupCount, exaggeration, computeError. */
  params: Float64Array;
  /** Next group to take. */
  cursor: Int32Array;
  /** Per part: Σ q share, Σ p log p, Σ p log q, Σ p. */
  results: Float64Array;
}

/** The part runner of one thread for the Barnes-Hut phase. */
export function createBhPhases(s: TsneSharedBh): (phase: number, part: number) => void {
  const P = { n: s.n, rowPtr: s.rowPtr, cols: s.cols, vals: s.vals };
  // Depth ≤ 48 and ≤ 4 children per opened cell bound the traversal stack.
  const stack = new Int32Array(4 * 49 + 8);
  return (_phase, part) => {
    const chunk = Math.ceil(s.n / s.parts);
    const lo = Math.min(s.n, part * chunk),
      hi = Math.min(s.n, lo + chunk);
    const r = attractiveForces(s.y, P, s.params[1], s.attr, lo, hi, s.params[2] !== 0);
    const groupCount = s.params[0];
    let sumQ = 0;
    for (;;) {
      const g0 = Atomics.add(s.cursor, 0, CHUNK);
      if (g0 >= groupCount) break;
      sumQ += barnesHutRepulsion(
        s.tree,
        s.theta,
        g0,
        Math.min(groupCount, g0 + CHUNK),
        s.neg,
        stack,
      );
    }
    s.results[4 * part] = sumQ;
    s.results[4 * part + 1] = r.pLogP;
    s.results[4 * part + 2] = r.pLogQ;
    s.results[4 * part + 3] = r.sumP;
  };
}

function view(t: QuadTree): QuadTreeView {
  const { node, firstChild, childCount, lo, hi, order, pos, groups } = t;
  return { node, firstChild, childCount, lo, hi, order, pos, groups };
}

/** Barnes-Hut gradient over a pool; `y` must be the pool-allocated embedding. */
export class ParallelBhGradient {
  readonly shared: TsneSharedBh;
  readonly #pool: TsneThreadPool;
  readonly #tree: QuadTree;
  readonly #local: (phase: number, part: number) => void;

  constructor(
    pool: TsneThreadPool,
    y: Float64Array,
    P: { rowPtr: Int32Array; cols: Int32Array; vals: Float64Array },
    n: number,
    theta: number,
  ) {
    this.#pool = pool;
    const f64 = (len: number) => pool.f64(len),
      i32 = (len: number) => pool.i32(len);
    this.#tree = new QuadTree(f64, i32);
    this.#tree.build(y, n);
    const rowPtr = i32(P.rowPtr.length),
      cols = i32(P.cols.length),
      vals = f64(P.vals.length);
    rowPtr.set(P.rowPtr);
    cols.set(P.cols);
    vals.set(P.vals);
    this.shared = {
      kind: 'bh',
      n,
      parts: pool.size,
      theta,
      y,
      rowPtr,
      cols,
      vals,
      attr: f64(2 * n),
      neg: f64(2 * n),
      tree: view(this.#tree),
      params: f64(3),
      cursor: i32(1),
      results: f64(4 * pool.size),
    };
    this.#local = createBhPhases(this.shared);
    pool.start(this.shared);
  }

  /** grad [n × 2] = 4 (attraction − repulsion / Z) at the shared y; returns KL when asked, else NaN. */
  gradient(exaggeration: number, computeError: boolean, grad: Float64Array): number {
    const s = this.shared,
      n = s.n,
      tree = this.#tree;
    tree.build(s.y, n);
    if (tree.node !== s.tree.node || tree.groups !== s.tree.groups) {
      // The tree outgrew its arrays: hand the helpers the new ones.
      this.#pool.end();
      s.tree = view(tree);
      this.#pool.start(s);
    }
    s.params[0] = tree.groupCount;
    s.params[1] = exaggeration;
    s.params[2] = computeError ? 1 : 0;
    Atomics.store(s.cursor, 0, 0);
    this.#pool.run(0, () => this.#local(0, 0));
    let sumQ = 0;
    const parts = { pLogP: 0, pLogQ: 0, sumP: 0 };
    for (let k = 0; k < s.parts; k++) {
      sumQ += s.results[4 * k];
      parts.pLogP += s.results[4 * k + 1];
      parts.pLogQ += s.results[4 * k + 2];
      parts.sumP += s.results[4 * k + 3];
    }
    const invZ = 1 / sumQ,
      attr = s.attr,
      neg = s.neg;
    for (let c = 0; c < 2 * n; c++) grad[c] = 4 * (attr[c] - neg[c] * invZ);
    return computeError ? klFromParts(parts, sumQ) : NaN;
  }

  close(): void {
    this.#pool.end();
  }
}

/**
 * Per-row top-k selection in JS with bounded heaps, for backends where `tf.topk` is slow (tfjs
 * wasm / cpu): each row keeps a min-heap of its k largest keys, so most entries of a similarity
 * block cost one comparison against the heap's root. Blocks of columns can be offered one after
 * the other (bank chunks); the order is total — larger key first, ties to the smaller column
 * index — so the result equals a stable descending sort truncated to k.
 */

/** Running top-k of `rows` rows; keys/indices are row-major [rows × k], each row a heap until finish(). */
export class RowTopK {
  /** Selected keys, [rows × k]; sorted best-first per row after finish(). */
  readonly keys: Float32Array;
  /** Column indices of the selected keys, [rows × k]. */
  readonly indices: Int32Array;
  private readonly sizes: Int32Array;

  constructor(
    readonly rows: number,
    readonly k: number,
  ) {
    if (!(k >= 1)) throw new Error(`k must be >= 1, got ${k}`);
    this.keys = new Float32Array(rows * k);
    this.indices = new Int32Array(rows * k);
    this.sizes = new Int32Array(rows);
  }

  /**
   * Offers a row-major block [rows × cols] whose column j is global column colOffset + j.
   * Columns must be offered in increasing global order (ties keep the earlier column).
   */
  offer(block: ArrayLike<number>, cols: number, colOffset: number): void {
    const { k, keys, indices, sizes } = this;
    if (block.length < this.rows * cols)
      throw new Error(`block has ${block.length} values, need ${this.rows * cols}`);
    for (let r = 0; r < this.rows; r++) {
      const base = r * k,
        off = r * cols;
      let size = sizes[r],
        j = 0;
      // Fill phase: append, heapify once when full.
      for (; size < k && j < cols; j++, size++) {
        keys[base + size] = block[off + j];
        indices[base + size] = colOffset + j;
        if (size + 1 === k)
          for (let p = (k >> 1) - 1; p >= 0; p--) siftDown(keys, indices, base, k, p);
      }
      sizes[r] = size;
      if (j === cols) continue;
      // Steady state: a later column only enters with a strictly larger key.
      let top = keys[base];
      for (; j < cols; j++) {
        const v = block[off + j];
        if (v > top) {
          keys[base] = v;
          indices[base] = colOffset + j;
          siftDown(keys, indices, base, k, 0);
          top = keys[base];
        }
      }
    }
  }

  /** Sorts every row best-first (heap sort); returns the number kept per row (min(k, columns seen)). */
  finish(): number {
    const { k, keys, indices, sizes } = this;
    let kept = k;
    for (let r = 0; r < this.rows; r++) {
      const base = r * k;
      let size = sizes[r];
      kept = Math.min(kept, size);
      if (size < k)
        for (let p = (size >> 1) - 1; p >= 0; p--) siftDown(keys, indices, base, size, p);
      // Pop the worst to the end: the row ends best-first.
      while (size > 1) {
        size--;
        const tk = keys[base],
          ti = indices[base];
        keys[base] = keys[base + size];
        indices[base] = indices[base + size];
        keys[base + size] = tk;
        indices[base + size] = ti;
        siftDown(keys, indices, base, size, 0);
      }
    }
    return kept;
  }
}

/** a is worse than b: smaller key, or equal key and larger index. */
function worse(ka: number, ia: number, kb: number, ib: number): boolean {
  return ka < kb || (ka === kb && ia > ib);
}

/** Min-heap (worst at the root) sift-down of heap [base, base + size) from position start. */
function siftDown(
  keys: Float32Array,
  idx: Int32Array,
  base: number,
  size: number,
  start: number,
): void {
  let pos = start;
  const tk = keys[base + pos],
    ti = idx[base + pos];
  for (;;) {
    const l = 2 * pos + 1;
    if (l >= size) break;
    const r = l + 1;
    const m =
      r < size && worse(keys[base + r], idx[base + r], keys[base + l], idx[base + l]) ? r : l;
    if (!worse(keys[base + m], idx[base + m], tk, ti)) break;
    keys[base + pos] = keys[base + m];
    idx[base + pos] = idx[base + m];
    pos = m;
  }
  keys[base + pos] = tk;
  idx[base + pos] = ti;
}

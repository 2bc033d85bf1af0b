import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { RowTopK } from './top-k';

/** Reference: stable descending sort of each row (ties to the smaller column), first k. */
function reference(
  block: Float32Array,
  rows: number,
  cols: number,
  k: number,
): { keys: number[]; idx: number[] }[] {
  const out: { keys: number[]; idx: number[] }[] = [];
  for (let r = 0; r < rows; r++) {
    const items = Array.from({ length: cols }, (_, j) => ({ v: block[r * cols + j], j }));
    items.sort((a, b) => b.v - a.v || a.j - b.j);
    const top = items.slice(0, Math.min(k, cols));
    out.push({ keys: top.map((t) => t.v), idx: top.map((t) => t.j) });
  }
  return out;
}

describe('RowTopK bounded-heap selection', () => {
  it('equals a stable sort over blocks offered in several column chunks, with many ties', () => {
    const rng = createRng(11);
    const rows = 7,
      cols = 53;
    const block = new Float32Array(rows * cols);
    // Values from a small set so ties are frequent.
    for (let i = 0; i < block.length; i++) block[i] = rng.int(6) - 2;
    for (const k of [1, 5, 16, 53, 80]) {
      for (const split of [[53], [10, 43], [4, 4, 30, 15], [1, 52]]) {
        const sel = new RowTopK(rows, k);
        let c0 = 0;
        for (const w of split) {
          const sub = new Float32Array(rows * w);
          for (let r = 0; r < rows; r++)
            sub.set(block.subarray(r * cols + c0, r * cols + c0 + w), r * w);
          sel.offer(sub, w, c0);
          c0 += w;
        }
        const kept = sel.finish();
        expect(kept).toBe(Math.min(k, cols));
        const ref = reference(block, rows, cols, k);
        for (let r = 0; r < rows; r++) {
          expect(Array.from(sel.keys.subarray(r * k, r * k + kept))).toEqual(ref[r].keys);
          expect(Array.from(sel.indices.subarray(r * k, r * k + kept))).toEqual(ref[r].idx);
        }
      }
    }
  });

  it('selects the k largest of continuous random values', () => {
    const rng = createRng(5);
    const rows = 3,
      cols = 500,
      k = 40;
    const block = new Float32Array(rows * cols).map(() => rng.normal());
    const sel = new RowTopK(rows, k);
    sel.offer(block, cols, 0);
    sel.finish();
    const ref = reference(block, rows, cols, k);
    for (let r = 0; r < rows; r++)
      expect(Array.from(sel.indices.subarray(r * k, (r + 1) * k))).toEqual(ref[r].idx);
  });

  it('rejects k < 1 and short blocks', () => {
    expect(() => new RowTopK(2, 0)).toThrow();
    expect(() => new RowTopK(2, 3).offer(new Float32Array(5), 3, 0)).toThrow();
  });
});

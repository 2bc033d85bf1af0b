import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { batchAt, batchesPerEpoch, epochBatches } from './epoch-batches';
import { epochOrder } from './seeds';

describe('epoch batches', () => {
  it('counts batches: dropped or kept partial last batch', () => {
    expect(batchesPerEpoch(10, 3, 'drop')).toBe(3);
    expect(batchesPerEpoch(10, 3, 'keep')).toBe(4);
    expect(batchesPerEpoch(9, 3, 'drop')).toBe(3);
    expect(batchesPerEpoch(9, 3, 'keep')).toBe(3);
    expect(batchesPerEpoch(2, 3, 'drop')).toBe(0);
    expect(batchesPerEpoch(2, 3, 'keep')).toBe(1);
    expect(() => batchesPerEpoch(2, 0, 'keep')).toThrow(/batch size/);
  });

  it('keep: every index of the order exactly once, in order, last batch partial', () => {
    const order = createRng(7).shuffle(Array.from({ length: 23 }, (_, i) => i));
    const batches = epochBatches(order, 5, 'keep');
    expect(batches.map((b) => b.length)).toEqual([5, 5, 5, 5, 3]);
    expect(batches.flat()).toEqual(order);
    expect([...batches.flat()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: 23 }, (_, i) => i),
    );
  });

  it('drop: full batches only, the leftover indices are the tail of the order', () => {
    const order = Array.from({ length: 23 }, (_, i) => 22 - i);
    const batches = epochBatches(order, 5, 'drop');
    expect(batches.map((b) => b.length)).toEqual([5, 5, 5, 5]);
    expect(batches.flat()).toEqual(order.slice(0, 20));
    expect(new Set(batches.flat()).size).toBe(20);
  });

  it('a resumed epoch continues with the same batches', () => {
    const order = epochOrder(
      Array.from({ length: 40 }, (_, i) => i),
      3,
      2,
    );
    const all = epochBatches(order, 6, 'drop');
    expect(epochBatches(order, 6, 'drop', 4)).toEqual(all.slice(4));
    expect(batchAt(order, 6, 4)).toEqual(all[4]);
  });

  it('same seed, same batches; another epoch, another order', () => {
    const idx = Array.from({ length: 30 }, (_, i) => i);
    const a = epochBatches(epochOrder(idx, 11, 0), 4, 'keep');
    expect(epochBatches(epochOrder(idx, 11, 0), 4, 'keep')).toEqual(a);
    expect(epochBatches(epochOrder(idx, 11, 1), 4, 'keep')).not.toEqual(a);
  });
});

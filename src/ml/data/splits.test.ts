import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { allocateCounts, splitCounts, stratifiedSplit, validateFractions } from './splits';

const F = { train: 0.7, val: 0.15, test: 0.15 };

describe('validateFractions', () => {
  it('accepts valid fractions and explains invalid ones', () => {
    expect(validateFractions(F)).toBeNull();
    expect(validateFractions({ train: 1, val: 0, test: 0 })).toBeNull();
    expect(validateFractions({ train: 0.7, val: 0.2, test: 0.2 })).toMatch(
      /add up to 1 .*= 1\.1\)/,
    );
    expect(validateFractions({ train: 1.2, val: -0.1, test: -0.1 })).toMatch(
      /train fraction must be between 0 and 1/,
    );
    expect(validateFractions({ train: 0, val: 0.5, test: 0.5 })).toMatch(
      /train fraction must be above 0/,
    );
    expect(validateFractions({ train: NaN, val: 0.5, test: 0.5 })).toMatch(/must be a number/);
    expect(() => stratifiedSplit([0, 1], { train: 0.5, val: 0.5, test: 0.5 }, 1)).toThrow(
      /invalid split fractions/,
    );
  });
});

describe('allocateCounts', () => {
  it('sums to n, stays within one of the target, and gives small classes one val and test image', () => {
    const rng = createRng(3);
    for (let n = 0; n <= 60; n++) {
      const c = allocateCounts(n, F, rng);
      expect(c[0] + c[1] + c[2]).toBe(n);
      if (n >= 3) {
        expect(c[1]).toBeGreaterThanOrEqual(1);
        expect(c[2]).toBeGreaterThanOrEqual(1);
      }
      if (n >= 10)
        [F.train, F.val, F.test].forEach((f, s) => expect(Math.abs(c[s] - n * f)).toBeLessThan(1));
    }
    expect(allocateCounts(3, F, rng)).toEqual([1, 1, 1]);
    expect(allocateCounts(5, { train: 1, val: 0, test: 0 }, rng)).toEqual([5, 0, 0]);
    expect(allocateCounts(2, F, rng)).toEqual([2, 0, 0]);
  });
});

describe('stratifiedSplit', () => {
  // Imbalanced like clothing-small: 795 / 112 / 3 / 1 images, and 40 unlabeled.
  const sizes = [795, 112, 3, 1];
  const labels: number[] = [];
  sizes.forEach((n, c) => {
    for (let i = 0; i < n; i++) labels.push(c);
  });
  for (let i = 0; i < 40; i++) labels.push(-1);
  const shuffled = createRng(9).shuffle(labels.slice());

  it('is deterministic per seed and differs across seeds', () => {
    const a = stratifiedSplit(shuffled, F, 42);
    expect(stratifiedSplit(shuffled, F, 42)).toEqual(a);
    expect(stratifiedSplit(shuffled, F, 43)).not.toEqual(a);
  });

  it('keeps per-class proportions within one image of the fractions', () => {
    const s = stratifiedSplit(shuffled, F, 7);
    const counts = splitCounts(shuffled, s, sizes.length);
    sizes.forEach((n, c) => {
      expect(counts[0][c] + counts[1][c] + counts[2][c]).toBe(n);
      if (n >= 10)
        [F.train, F.val, F.test].forEach((f, k) =>
          expect(Math.abs(counts[k][c] - n * f)).toBeLessThan(1),
        );
    });
    expect(counts.map((row) => row[2])).toEqual([1, 1, 1]);
    expect(counts.map((row) => row[3])).toEqual([1, 0, 0]);
    const unl = [0, 0, 0];
    shuffled.forEach((l, i) => {
      if (l === -1) unl[s[i]]++;
    });
    expect(unl).toEqual([28, 6, 6]);
  });

  it('draws a different random subset for each split, not the first images in order', () => {
    const ordered = new Array<number>(1000).fill(0);
    const s = stratifiedSplit(ordered, { train: 0.5, val: 0.25, test: 0.25 }, 1);
    const firstHalfTrain = Array.from(s.slice(0, 500)).filter((v) => v === 0).length;
    expect(firstHalfTrain).toBeGreaterThan(200);
    expect(firstHalfTrain).toBeLessThan(300);
  });

  it('splitCounts checks its inputs', () => {
    expect(() => splitCounts([0, 5], [0, 0], 3)).toThrow(/not below numClasses/);
    expect(() => splitCounts([0], [0, 1], 3)).toThrow(/differ in length/);
    expect(splitCounts([0, 1, 1, -1], new Uint8Array([0, 2, 2, 1]), 2)).toEqual([
      [1, 0],
      [0, 0],
      [0, 2],
    ]);
  });
});

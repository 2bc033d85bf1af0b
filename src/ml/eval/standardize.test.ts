import { describe, expect, it } from 'vitest';
import { fitStandardizer, standardize } from './standardize';

describe('standardize', () => {
  it('gives zero mean and unit population std per feature; constant features stay finite', () => {
    const x = [1, 5, 2, 3, 5, 2, 5, 5, 2, 7, 5, 2]; // 4 × 3; columns 2 and 3 constant
    const s = fitStandardizer(x, 4, 3);
    expect(Array.from(s.mean)).toEqual([4, 5, 2]);
    expect(s.scale[0]).toBeCloseTo(Math.sqrt(5), 12); // var of 1,3,5,7 (ddof 0) = 5
    expect(Array.from(s.scale.slice(1))).toEqual([1, 1]);
    const z = standardize(s, x);
    expect(z[0]).toBeCloseTo(-3 / Math.sqrt(5), 6);
    expect(z[1]).toBe(0);
    expect(Array.from(standardize(s, [4, 6, 2]))).toEqual([0, 1, 0]);
  });
});

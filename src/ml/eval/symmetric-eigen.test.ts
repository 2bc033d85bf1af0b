import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { symmetricEigen } from './symmetric-eigen';

describe('symmetric eigen-decomposition (tred2 + tql2)', () => {
  it('reconstructs A = V Λ Vᵀ with orthonormal V and decreasing eigenvalues', () => {
    const rng = createRng(11);
    for (const n of [1, 2, 7, 40]) {
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
      const { values, vectors } = symmetricEigen(a, n);
      for (let i = 1; i < n; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let rec = 0,
            dot = 0;
          for (let k = 0; k < n; k++) {
            rec += vectors[k * n + i] * values[k] * vectors[k * n + j];
            dot += vectors[i * n + k] * vectors[j * n + k];
          }
          expect(rec).toBeCloseTo(a[i * n + j], 10);
          expect(dot).toBeCloseTo(i === j ? 1 : 0, 10);
        }
      }
    }
  });

  it('handles a diagonal matrix and repeated eigenvalues', () => {
    const { values } = symmetricEigen([2, 0, 0, 0, 5, 0, 0, 0, 2], 3);
    expect(Array.from(values)).toEqual([5, 2, 2]);
  });
});

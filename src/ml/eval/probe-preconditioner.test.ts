import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../node-backend.testing';
import { createRng } from '../rng';
import { cholesky, probePreconditioner, upperInverseTranspose } from './probe-preconditioner';

describe('probe preconditioner', () => {
  beforeAll(useWasmBackend);

  it('cholesky: L·Lᵀ rebuilds A; L⁻ᵀ times Lᵀ is the identity', () => {
    const d = 9;
    const rng = createRng(2);
    const M = Array.from({ length: d * d }, () => rng.normal());
    const A = new Float64Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        for (let k = 0; k < d; k++) A[i * d + j] += M[k * d + i] * M[k * d + j];
        if (i === j) A[i * d + j] += 0.1;
      }
    const L = Float64Array.from(A);
    cholesky(L, d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        if (j > i) expect(L[i * d + j]).toBe(0);
        let s = 0;
        for (let k = 0; k < d; k++) s += L[i * d + k] * L[j * d + k];
        expect(s).toBeCloseTo(A[i * d + j], 10);
      }
    const P = upperInverseTranspose(L, d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        let s = 0; // (Lᵀ·P)[i][j]
        for (let k = 0; k < d; k++) s += L[k * d + i] * P[k * d + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    expect(() => cholesky(Float64Array.of(1, 2, 2, 1), 2)).toThrow(/not positive definite/);
  });

  it('whitens: Pᵀ(Σ/c + λI)P = I for Σ = XᵀX/n of standardised-like features', async () => {
    const n = 400,
      d = 6,
      c = 4,
      lambda = 1e-3;
    const rng = createRng(8);
    const x = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const a = rng.normal();
      for (let k = 0; k < d; k++) x[i * d + k] = a + 0.3 * rng.normal(); // strongly correlated
    }
    const P = await probePreconditioner(x, d, c, lambda);
    const A = new Float64Array(d * d);
    for (let i = 0; i < n; i++)
      for (let p = 0; p < d; p++)
        for (let q = 0; q < d; q++) A[p * d + q] += (x[i * d + p] * x[i * d + q]) / (n * c);
    for (let p = 0; p < d; p++) A[p * d + p] += lambda;
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let p = 0; p < d; p++)
          for (let q = 0; q < d; q++) s += P[p * d + i] * A[p * d + q] * P[q * d + j];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 4);
      }
  });
});

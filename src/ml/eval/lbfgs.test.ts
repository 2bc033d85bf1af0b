import { describe, expect, it } from 'vitest';
import { minimizeLbfgs, type Objective } from './lbfgs';
import { cholesky } from './probe-preconditioner';
import { createRng } from '../rng';

/** Extended Rosenbrock Σ 100(x₂ᵢ − x₂ᵢ₋₁²)² + (1 − x₂ᵢ₋₁)²: minimum 0 at all ones (analytic). */
const rosenbrock: Objective = (x, g) => {
  let f = 0;
  g.fill(0);
  for (let i = 0; i < x.length; i += 2) {
    const a = x[i + 1] - x[i] * x[i],
      b = 1 - x[i];
    f += 100 * a * a + b * b;
    g[i] += -400 * a * x[i] - 2 * b;
    g[i + 1] += 200 * a;
  }
  return f;
};

describe('L-BFGS', () => {
  it('finds the analytic minimum of the extended Rosenbrock function from the classic start', async () => {
    const x0 = Float64Array.from({ length: 10 }, (_, i) => (i % 2 ? 1 : -1.2));
    const f0 = rosenbrock(x0, new Float64Array(10)) as number;
    const seen: number[] = [];
    const r = await minimizeLbfgs(rosenbrock, x0, {
      maxIterations: 500,
      gradTol: 1e-8,
      fTol: 0,
      onIteration: (it) => {
        seen.push(it.f);
      },
    });
    expect(r.stop).toBe('gradient');
    for (const v of r.x) expect(v).toBeCloseTo(1, 6);
    expect(r.f).toBeLessThan(1e-12);
    // Every accepted step decreases f (sufficient decrease), and x0 is untouched.
    [f0, ...seen].forEach((f, i, a) => i > 0 && expect(f).toBeLessThan(a[i - 1]));
    expect(x0[0]).toBe(-1.2);
    // Quasi-Newton, not gradient descent: well under 100 iterations for 10-d Rosenbrock.
    expect(r.iterations).toBeLessThan(100);
    expect(r.evaluations).toBeLessThan(2 * r.iterations + 10);
  });

  it('solves a convex quadratic ½xᵀAx − bᵀx: x = A⁻¹b by Cholesky; async objectives work', async () => {
    const d = 30;
    const rng = createRng(5);
    const M = Float64Array.from({ length: d * d }, () => rng.normal());
    // A = MᵀM/d + 0.01·I: SPD with condition number in the hundreds.
    const A = new Float64Array(d * d);
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += M[k * d + i] * M[k * d + j];
        A[i * d + j] = s / d + (i === j ? 0.01 : 0);
      }
    const b = Float64Array.from({ length: d }, () => rng.normal());
    const quad: Objective = async (x, g) => {
      let f = 0;
      for (let i = 0; i < d; i++) {
        let ax = 0;
        for (let j = 0; j < d; j++) ax += A[i * d + j] * x[j];
        g[i] = ax - b[i];
        f += 0.5 * x[i] * ax - b[i] * x[i];
      }
      return f;
    };
    const r = await minimizeLbfgs(quad, new Float64Array(d), {
      maxIterations: 1000,
      gradTol: 1e-6,
      fTol: 0,
    });
    // Reference: solve L·Lᵀ·x = b.
    const L = Float64Array.from(A);
    cholesky(L, d);
    const z = new Float64Array(d),
      x = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = b[i];
      for (let k = 0; k < i; k++) s -= L[i * d + k] * z[k];
      z[i] = s / L[i * d + i];
    }
    for (let i = d - 1; i >= 0; i--) {
      let s = z[i];
      for (let k = i + 1; k < d; k++) s -= L[k * d + i] * x[k];
      x[i] = s / L[i * d + i];
    }
    expect(r.stop).toBe('gradient');
    // |x − x*| ≤ |∇f| / λ_min(A) ≈ 1e-6 / 0.01.
    for (let i = 0; i < d; i++) expect(r.x[i]).toBeCloseTo(x[i], 3);
  });

  it('stops at once at a stationary start, and at maxIterations', async () => {
    const r0 = await minimizeLbfgs(rosenbrock, Float64Array.of(1, 1));
    expect([r0.stop, r0.iterations, r0.evaluations]).toEqual(['gradient', 0, 1]);
    const r = await minimizeLbfgs(rosenbrock, Float64Array.of(-1.2, 1), { maxIterations: 4 });
    expect([r.stop, r.iterations]).toEqual(['max-iterations', 4]);
  });
});

import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { trustworthiness } from './trustworthiness';

/** Direct transcription of sklearn's formula with full argsorts (O(n² log n)). */
function reference(x: number[][], y: number[][], k: number): number {
  const n = x.length;
  const d2 = (a: number[], b: number[]) => a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0);
  let t = 0;
  for (let i = 0; i < n; i++) {
    const byX = [...Array(n).keys()]
      .filter((j) => j !== i)
      .sort((a, b) => d2(x[i], x[a]) - d2(x[i], x[b]) || a - b);
    const byY = [...Array(n).keys()]
      .filter((j) => j !== i)
      .sort((a, b) => d2(y[i], y[a]) - d2(y[i], y[b]) || a - b);
    for (const j of byY.slice(0, k)) t += Math.max(0, byX.indexOf(j) + 1 - k);
  }
  return 1 - (t * 2) / (n * k * (2 * n - 3 * k - 1));
}

describe('trustworthiness', () => {
  it('is 1 for an isometric embedding and matches the sklearn formula on a random one', () => {
    const rng = createRng(5);
    const x = Array.from({ length: 40 }, () => [rng.normal(), rng.normal(), rng.normal()]);
    const y = x.map((r) => [r[0] + 0.3 * rng.normal(), r[1]]);
    const xf = x.flat(),
      yf = y.flat();
    expect(trustworthiness(xf, 3, xf, 3, 5)).toBe(1);
    const t = trustworthiness(xf, 3, yf, 2, 5);
    expect(t).toBeLessThan(1);
    expect(t).toBeCloseTo(reference(x, y, 5), 12);
  });
});

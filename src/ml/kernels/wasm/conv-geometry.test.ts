import { describe, expect, it } from 'vitest';
import { phasePlan } from './conv-geometry';

/** Direct 1-D transposed conv: dx[h] = sum over (o, k) with o*s + k - p = h of dy[o] * w[k]. */
function direct(dy: number[], w: number[], s: number, p: number, len: number): number[] {
  const dx = new Array<number>(len).fill(0);
  dy.forEach((d, o) =>
    w.forEach((v, k) => {
      const h = o * s + k - p;
      if (h >= 0 && h < len) dx[h] += d * v;
    }),
  );
  return dx;
}

/** The same through phasePlan: phase r of output s*i + r reads dyPadded[i + m] * w[index[m]]. */
function byPhases(dy: number[], w: number[], s: number, p: number, len: number): number[] {
  const dx = new Array<number>(len).fill(0);
  phasePlan(w.length, s, p).forEach((ph, r) => {
    for (let i = 0; s * i + r < len; i++) {
      for (let m = 0; m < ph.taps; m++) {
        const o = i + m - ph.lead;
        if (o >= 0 && o < dy.length) dx[s * i + r] += dy[o] * w[ph.index[m]];
      }
    }
  });
  return dx;
}

describe('phasePlan', () => {
  it('uses every kernel tap exactly once across the phases', () => {
    for (const k of [1, 2, 3, 4, 5, 7]) {
      for (const s of [1, 2, 3]) {
        for (const p of [0, 1, 2, 4]) {
          const used = phasePlan(k, s, p).flatMap((ph) => ph.index);
          expect(used.sort((a, b) => a - b)).toEqual(Array.from({ length: k }, (_, i) => i));
        }
      }
    }
  });

  it('reproduces a direct 1-D transposed convolution for many k, s, pads, lengths', () => {
    const dy = [0.5, -1, 2, 3, -0.25, 1.5, 4, -2];
    for (const k of [1, 2, 3, 5]) {
      const w = Array.from({ length: k }, (_, i) => i + 1 + 0.1 * i * i);
      for (const s of [1, 2, 3]) {
        for (const p of [0, 1, 2, 4]) {
          for (const len of [7, 9, 16, 20]) {
            expect(byPhases(dy, w, s, p, len)).toEqual(
              direct(dy, w, s, p, len).map((v) => expect.closeTo(v, 10)),
            );
          }
        }
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import { FftPlan, fftColumnsForward, fftColumnsInverse } from './fft';

function bitReverse(k: number, bits: number): number {
  let r = 0;
  for (let b = 0; b < bits; b++) r |= ((k >> b) & 1) << (bits - 1 - b);
  return r;
}

describe('radix-2 column FFTs', () => {
  it('forward equals a naive DFT down each column (bit-reversed rows), inverse undoes it', () => {
    const m = 16,
      w = m + 3,
      cols = 5;
    const rng = createRng(1);
    const re = new Float64Array(m * w),
      im = new Float64Array(m * w);
    for (let q = 0; q < m * w; q++) {
      re[q] = rng.normal();
      im[q] = rng.normal();
    }
    const re0 = re.slice(),
      im0 = im.slice();
    const plan = new FftPlan(m);
    fftColumnsForward(plan, re, im, 1, 1 + cols, false, w);
    for (let c = 1; c < 1 + cols; c++) {
      for (let k = 0; k < m; k++) {
        let sr = 0,
          si = 0;
        for (let j = 0; j < m; j++) {
          const a = (-2 * Math.PI * j * k) / m;
          sr += re0[j * w + c] * Math.cos(a) - im0[j * w + c] * Math.sin(a);
          si += re0[j * w + c] * Math.sin(a) + im0[j * w + c] * Math.cos(a);
        }
        const r = bitReverse(k, 4);
        expect(re[r * w + c]).toBeCloseTo(sr, 10);
        expect(im[r * w + c]).toBeCloseTo(si, 10);
      }
    }
    // Columns outside the range are untouched.
    expect(re[0]).toBe(re0[0]);
    fftColumnsInverse(plan, re, im, 1, 1 + cols, false, w);
    for (let j = 0; j < m; j++)
      for (let c = 1; c < 1 + cols; c++) {
        expect(re[j * w + c] / m).toBeCloseTo(re0[j * w + c], 12);
        expect(im[j * w + c] / m).toBeCloseTo(im0[j * w + c], 12);
      }
  });

  it('zero-padded forward and first-half inverse give the full transforms on those rows', () => {
    const m = 32;
    const rng = createRng(2);
    const re = new Float64Array(m * m),
      im = new Float64Array(m * m);
    for (let j = 0; j < m / 2; j++)
      for (let c = 0; c < m; c++) {
        re[j * m + c] = rng.normal();
        im[j * m + c] = rng.normal();
      }
    const plan = new FftPlan(m);
    const fullRe = re.slice(),
      fullIm = im.slice();
    fftColumnsForward(plan, fullRe, fullIm, 0, m, false);
    // halfZero does not read rows m/2..: fill them with garbage first.
    for (let q = (m / 2) * m; q < m * m; q++) re[q] = im[q] = 99;
    fftColumnsForward(plan, re, im, 0, m, true);
    re.forEach((v, q) => expect(v).toBeCloseTo(fullRe[q], 11));
    im.forEach((v, q) => expect(v).toBeCloseTo(fullIm[q], 11));
    const invRe = fullRe.slice(),
      invIm = fullIm.slice();
    fftColumnsInverse(plan, invRe, invIm, 0, m, false);
    fftColumnsInverse(plan, re, im, 0, m, true);
    for (let q = 0; q < (m / 2) * m; q++) {
      expect(re[q]).toBeCloseTo(invRe[q], 10);
      expect(im[q]).toBeCloseTo(invIm[q], 10);
    }
  });
});

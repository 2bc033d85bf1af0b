import { describe, expect, it } from 'vitest';
import { areaResizeRgb, type AreaRect } from './area-resize';

/** The definition, pixel by pixel: weighted mean over the 2-D footprint (no separable passes). */
function direct(rgba: Uint8Array, width: number, rect: AreaRect, size: number): number[] {
  const out: number[] = [];
  const sx = rect.width / size;
  const sy = rect.height / size;
  for (let oy = 0; oy < size; oy++)
    for (let ox = 0; ox < size; ox++) {
      const x0 = rect.x + ox * sx;
      const y0 = rect.y + oy * sy;
      const acc = [0, 0, 0];
      let ws = 0;
      for (let y = Math.floor(y0); y < Math.ceil(y0 + sy); y++)
        for (let x = Math.floor(x0); x < Math.ceil(x0 + sx); x++) {
          const w =
            Math.max(0, Math.min(x + 1, x0 + sx) - Math.max(x, x0)) *
            Math.max(0, Math.min(y + 1, y0 + sy) - Math.max(y, y0));
          for (let c = 0; c < 3; c++) acc[c] += rgba[(y * width + x) * 4 + c] * w;
          ws += w;
        }
      out.push(...acc.map((a) => a / ws));
    }
  return out;
}

function noise(n: number, seed: number): Uint8Array {
  const a = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    a[i] = s >>> 24;
  }
  return a;
}

describe('areaResizeRgb', () => {
  it('halves a 4×4 image into the exact 2×2 block means', () => {
    const rgba = new Uint8Array(4 * 4 * 4);
    for (let i = 0; i < 16; i++) rgba.set([i * 10, 255 - i * 10, i, 255], i * 4);
    const out = areaResizeRgb(rgba, 4, 4, { x: 0, y: 0, width: 4, height: 4 }, 2);
    // top-left block: pixels 0, 1, 4, 5 → red (0+10+40+50)/4 = 25
    expect(Array.from(out.subarray(0, 3))).toEqual([25, 230, 3]);
    expect(out[3 * 3]).toBe(Math.round((10 * (10 + 11 + 14 + 15)) / 4));
  });

  it('matches the 2-D definition for fractional crops and ratios (within rounding)', () => {
    for (const [w, h, rect, size] of [
      [125, 94, { x: 15.5, y: 0, width: 94, height: 94 }, 64],
      [94, 125, { x: 0, y: 15.6, width: 94, height: 93.8 }, 32],
      [50, 37, { x: 6.25, y: 0, width: 37.5, height: 37 }, 37],
      [10, 10, { x: 0, y: 0, width: 10, height: 10 }, 3],
    ] as const) {
      const rgba = noise(w * h * 4, w * 7 + h);
      const got = areaResizeRgb(rgba, w, h, rect, size);
      const want = direct(rgba, w, rect, size);
      let maxErr = 0;
      for (let i = 0; i < want.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
      expect(maxErr, `${w}x${h} → ${size}`).toBeLessThanOrEqual(0.5 + 1e-3);
    }
  });

  it('keeps a constant image constant and ignores alpha', () => {
    const rgba = new Uint8Array(33 * 20 * 4);
    for (let i = 0; i < 33 * 20; i++) rgba.set([200, 7, 99, i % 256], i * 4);
    const out = areaResizeRgb(rgba, 33, 20, { x: 6.5, y: 0, width: 20, height: 20 }, 7);
    expect(new Set(out.filter((_, i) => i % 3 === 0))).toEqual(new Set([200]));
    expect(new Set(out.filter((_, i) => i % 3 === 2))).toEqual(new Set([99]));
  });
});

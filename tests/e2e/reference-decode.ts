/**
 * An independent Node decode (+ resize) of image files, to check the pixels the browser stored:
 * pngjs / jpeg-js decode, centre square crop, then area-average (box filter) resize.
 */
import { readFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export function decodeRgba(path: string): { width: number; height: number; data: Uint8Array } {
  const buf = readFileSync(path);
  if (buf[0] === 0x89 && buf[1] === 0x50) {
    const png = PNG.sync.read(buf);
    return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
  }
  const j = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
  return { width: j.width, height: j.height, data: j.data };
}

/** Short side to `size` + centre crop (as simlab does), box-filtered. Returns size×size×3 RGB. */
export function referenceSquare(path: string, size: number): Uint8Array {
  const { width, height, data } = decodeRgba(path);
  const s = Math.min(width, height);
  const sx = Math.floor((width - s) / 2);
  const sy = Math.floor((height - s) / 2);
  const out = new Uint8Array(size * size * 3);
  const scale = s / size;
  for (let oy = 0; oy < size; oy++) {
    const y0 = sy + oy * scale,
      y1 = y0 + scale;
    for (let ox = 0; ox < size; ox++) {
      const x0 = sx + ox * scale,
        x1 = x0 + scale;
      const acc = [0, 0, 0];
      let wsum = 0;
      for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        if (wy <= 0) continue;
        for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          if (wx <= 0) continue;
          const w = wx * wy;
          const p = (y * width + x) * 4;
          acc[0] += data[p] * w;
          acc[1] += data[p + 1] * w;
          acc[2] += data[p + 2] * w;
          wsum += w;
        }
      }
      const o = (oy * size + ox) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = Math.round(acc[c] / wsum);
    }
  }
  return out;
}

export function meanAbsError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

export function maxAbsError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

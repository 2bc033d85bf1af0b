import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import {
  contrastRatio,
  generateShapes,
  MIN_CONTRAST,
  renderShape,
  type Rgb,
  SHAPE_PALETTE,
  type ShapeSample,
} from './shapes';

const dist2 = (p: ArrayLike<number>, o: number, c: Rgb): number =>
  (p[o] - c[0]) ** 2 + (p[o + 1] - c[1]) ** 2 + (p[o + 2] - c[2]) ** 2;
/** Squared distance from pixel o to the colour segment [a, b] (a texture mixes its two colours). */
function segDist2(p: ArrayLike<number>, o: number, [a, b]: [Rgb, Rgb]): number {
  const d = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const len2 = d[0] ** 2 + d[1] ** 2 + d[2] ** 2;
  const t =
    len2 === 0
      ? 0
      : Math.max(
          0,
          Math.min(
            1,
            ((p[o] - a[0]) * d[0] + (p[o + 1] - a[1]) * d[1] + (p[o + 2] - a[2]) * d[2]) / len2,
          ),
        );
  return dist2(p, o, [a[0] + t * d[0], a[1] + t * d[1], a[2] + t * d[2]]);
}

/** Pixels (hashed, fast to compare) and metadata of samples. */
function digest(xs: ShapeSample[]): unknown[] {
  return xs.map(({ pixels, ...meta }) => ({
    ...meta,
    pixels: createHash('sha256').update(pixels).digest('hex'),
  }));
}

/** Mean squared difference of grey values between horizontal and vertical neighbours. */
function gradientEnergy(s: ShapeSample, size: number): number {
  const grey = (x: number, y: number): number => {
    const o = (y * size + x) * 3;
    return 0.299 * s.pixels[o] + 0.587 * s.pixels[o + 1] + 0.114 * s.pixels[o + 2];
  };
  let e = 0,
    n = 0;
  for (let y = 0; y < size - 1; y++) {
    for (let x = 0; x < size - 1; x++) {
      e += (grey(x + 1, y) - grey(x, y)) ** 2 + (grey(x, y + 1) - grey(x, y)) ** 2;
      n++;
    }
  }
  return e / n;
}

describe('generateShapes', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = digest(generateShapes(20, 7)),
      b = digest(generateShapes(20, 7)),
      c = digest(generateShapes(20, 8));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(digest(generateShapes(6, 7, { texture: true }))).toEqual(
      digest(generateShapes(6, 7, { texture: true })),
    );
  });

  it('balances kinds and shuffles them', () => {
    const s = generateShapes(100, 1);
    expect(s.filter((x) => x.kind === 'circle')).toHaveLength(50);
    const firstHalf = s.slice(0, 50).filter((x) => x.kind === 'circle').length;
    expect(firstHalf).toBeGreaterThan(15);
    expect(firstHalf).toBeLessThan(35);
    const odd = generateShapes(7, 2);
    const circles = odd.filter((x) => x.kind === 'circle').length;
    expect([3, 4]).toContain(circles);
  });

  it('keeps shapes inside the image, big enough, and in contrasting colours', () => {
    for (const s of generateShapes(150, 3)) {
      expect(s.pixels).toHaveLength(32 * 32 * 3);
      expect(s.sizePx).toBeGreaterThanOrEqual(5);
      const ext =
        s.kind === 'square'
          ? s.sizePx * (Math.abs(Math.cos(s.angle)) + Math.abs(Math.sin(s.angle)))
          : s.sizePx;
      expect(s.cx * 32 - ext).toBeGreaterThanOrEqual(0);
      expect(s.cy * 32 + ext).toBeLessThanOrEqual(32);
      expect(contrastRatio(s.shapeColors[0], s.backgroundColors[0])).toBeGreaterThanOrEqual(
        MIN_CONTRAST,
      );
      // Corners of the image are background for a shape that fits inside (flat colour, no texture).
      expect(dist2(s.pixels, 0, s.backgroundColors[0]) < dist2(s.pixels, 0, s.shapeColors[0])).toBe(
        true,
      );
    }
  });

  it('stores a centre that lies inside the drawn shape, plain and textured', () => {
    for (const texture of [false, true]) {
      for (const size of [32, 48]) {
        for (const s of generateShapes(50, 4, { size, texture })) {
          const o = (Math.floor(s.cy * size) * size + Math.floor(s.cx * size)) * 3;
          expect(segDist2(s.pixels, o, s.shapeColors)).toBeLessThan(
            segDist2(s.pixels, o, s.backgroundColors),
          );
        }
      }
    }
  });

  it('textured samples carry more local gradient energy than plain ones', () => {
    const mean = (xs: ShapeSample[]): number =>
      xs.reduce((e, s) => e + gradientEnergy(s, 32), 0) / xs.length;
    const plain = mean(generateShapes(60, 5));
    const textured = mean(generateShapes(60, 5, { texture: true }));
    expect(textured).toBeGreaterThan(1.5 * plain);
    const tex = generateShapes(30, 6, { texture: true });
    for (const s of tex) {
      expect(s.shapeColors[0]).not.toEqual(s.shapeColors[1]);
      for (const a of s.shapeColors)
        for (const b of s.backgroundColors)
          expect(contrastRatio(a, b)).toBeGreaterThanOrEqual(MIN_CONTRAST);
    }
  });

  it('metadata redraws the plain image exactly (independent 4×4 supersampling rasteriser)', () => {
    for (const size of [32, 40]) {
      for (const s of generateShapes(12, 9, { size })) {
        const cx = s.cx * size,
          cy = s.cy * size,
          c = Math.cos(s.angle),
          sn = Math.sin(s.angle);
        const expected = new Uint8Array(size * size * 3);
        for (let py = 0; py < size; py++) {
          for (let px = 0; px < size; px++) {
            let inside = 0;
            for (let j = 0; j < 4; j++) {
              for (let i = 0; i < 4; i++) {
                const dx = px + (i + 0.5) / 4 - cx,
                  dy = py + (j + 0.5) / 4 - cy;
                const hit =
                  s.kind === 'circle'
                    ? dx * dx + dy * dy <= s.sizePx ** 2
                    : Math.abs(dx * c + dy * sn) <= s.sizePx &&
                      Math.abs(-dx * sn + dy * c) <= s.sizePx;
                if (hit) inside++;
              }
            }
            for (let k = 0; k < 3; k++) {
              expected[(py * size + px) * 3 + k] = Math.round(
                (inside * s.shapeColors[0][k] + (16 - inside) * s.backgroundColors[0][k]) / 16,
              );
            }
          }
        }
        expect(Buffer.from(s.pixels).equals(Buffer.from(expected))).toBe(true);
      }
    }
  });

  it('renders a forced kind and checks its options', () => {
    expect(renderShape(createRng(1), { kind: 'square' }).kind).toBe('square');
    expect(renderShape(createRng(1), { kind: 'circle' }).angle).toBe(0);
    expect(() => renderShape(createRng(1), { size: 8 })).toThrow(/≥ 16/);
    expect(SHAPE_PALETTE.length).toBeGreaterThan(8);
  });
});

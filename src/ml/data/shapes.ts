/**
 * Seeded synthetic "shapes" dataset: a circle or a (rotated) square on a background, rasterised in
 * pure JS with 4×4 supersampling (no canvas, so it runs in the worker and in Node alike). Each
 * sample keeps its kind and centre, which the siamese-pairs lab uses later. With `texture` the
 * shape and the background are filled with procedural textures (stripes, value noise, checkers).
 */
import type { Rng } from '../rng';
import { createRng } from '../rng';

export type ShapeKind = 'circle' | 'square';
export type Rgb = [number, number, number];

export interface ShapeOptions {
  /** Image side S in pixels (default 32). */
  size?: number;
  /** Fill shape and background with procedural textures instead of flat colours. */
  texture?: boolean;
  /** Force the kind (default: a fair coin). */
  kind?: ShapeKind;
}

export interface ShapeSample {
  /** S·S·3 RGB, row-major. */
  pixels: Uint8Array;
  kind: ShapeKind;
  /** Shape centre, normalised to 0..1 by the image size. */
  cx: number;
  cy: number;
  /** Radius (circle) or half the side (square), in pixels. */
  sizePx: number;
  /** Rotation of a square in radians (0 for circles). */
  angle: number;
  /** The two colours the shape is filled with (equal without texture). */
  shapeColors: [Rgb, Rgb];
  /** The two colours of the background (equal without texture). */
  backgroundColors: [Rgb, Rgb];
}

/** High-contrast palette: saturated hues at very different luminances. */
export const SHAPE_PALETTE: readonly Rgb[] = [
  [20, 20, 20],
  [245, 245, 245],
  [220, 40, 40],
  [40, 170, 70],
  [40, 80, 220],
  [250, 220, 40],
  [245, 140, 30],
  [140, 60, 190],
  [60, 210, 230],
  [220, 60, 180],
  [20, 90, 40],
  [20, 30, 100],
  [250, 170, 200],
  [120, 70, 30],
  [128, 128, 128],
];

/** Minimum WCAG contrast ratio between shape and background colours. */
export const MIN_CONTRAST = 3;

/** WCAG 2 relative luminance of an sRGB colour (0..1). */
export function relativeLuminance(c: Rgb): number {
  const lin = c.map((v) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}

/** WCAG 2 contrast ratio between two colours (1..21). */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const la = relativeLuminance(a),
    lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** Picks shape and background colour pairs; every shape colour contrasts with every background colour. */
function pickColors(rng: Rng, texture: boolean): { shape: [Rgb, Rgb]; bg: [Rgb, Rgb] } {
  const n = SHAPE_PALETTE.length;
  for (let attempt = 0; attempt < 1000; attempt++) {
    const a1 = SHAPE_PALETTE[rng.int(n)],
      b1 = SHAPE_PALETTE[rng.int(n)];
    if (contrastRatio(a1, b1) < MIN_CONTRAST) continue;
    if (!texture) return { shape: [a1, a1], bg: [b1, b1] };
    const a2 = SHAPE_PALETTE[rng.int(n)],
      b2 = SHAPE_PALETTE[rng.int(n)];
    if (a2 === a1 || b2 === b1) continue;
    if ([a1, a2].every((a) => [b1, b2].every((b) => contrastRatio(a, b) >= MIN_CONTRAST)))
      return { shape: [a1, a2], bg: [b1, b2] };
  }
  // Unreachable in practice (valid pairs are common); keeps the function total.
  return { shape: [SHAPE_PALETTE[1], SHAPE_PALETTE[5]], bg: [SHAPE_PALETTE[0], SHAPE_PALETTE[11]] };
}

/** A procedural texture: (x, y) in pixels → mix weight in [0, 1]. */
type Texture = (x: number, y: number) => number;

function makeTexture(rng: Rng, size: number): Texture {
  const scale = size / 32;
  const kind = rng.int(3);
  if (kind === 0) {
    // Stripes at a random angle and period.
    const angle = rng.uniform(0, Math.PI),
      period = rng.uniform(3, 7) * scale,
      phase = rng.next();
    const c = Math.cos(angle) / period,
      s = Math.sin(angle) / period;
    return (x, y) => {
      const t = x * c + y * s + phase;
      return t - Math.floor(t) < 0.5 ? 1 : 0;
    };
  }
  if (kind === 1) {
    // Value noise: random values on a lattice, smoothly interpolated.
    const cell = rng.uniform(3, 6) * scale;
    const g = Math.ceil(size / cell) + 2;
    const lattice = Float64Array.from({ length: g * g }, () => rng.next());
    const smooth = (t: number): number => t * t * (3 - 2 * t);
    return (x, y) => {
      const gx = x / cell,
        gy = y / cell;
      const ix = Math.floor(gx),
        iy = Math.floor(gy);
      const fx = smooth(gx - ix),
        fy = smooth(gy - iy);
      // No closure here: this runs 16 times per pixel.
      const r0 = (iy % g) * g,
        r1 = ((iy + 1) % g) * g,
        c0 = ix % g,
        c1 = (ix + 1) % g;
      const top = lattice[r0 + c0] * (1 - fx) + lattice[r0 + c1] * fx;
      const bottom = lattice[r1 + c0] * (1 - fx) + lattice[r1 + c1] * fx;
      return top * (1 - fy) + bottom * fy;
    };
  }
  // Checkers, rotated.
  const cell = rng.uniform(2.5, 5) * scale,
    angle = rng.uniform(0, Math.PI / 2);
  const c = Math.cos(angle) / cell,
    s = Math.sin(angle) / cell;
  return (x, y) => (Math.floor(x * c + y * s) + Math.floor(-x * s + y * c)) & 1;
}

const SUPERSAMPLE = 4;

/**
 * Renders one shape sample: S·S·3 uint8 RGB with kind, centre and size; draws all randomness from
 * `rng` (so a seeded rng gives the same image everywhere).
 */
export function renderShape(rng: Rng, opts: ShapeOptions = {}): ShapeSample {
  const size = opts.size ?? 32;
  if (!Number.isInteger(size) || size < 16)
    throw new Error(`shape image size must be an integer ≥ 16 (got ${size})`);
  const texture = opts.texture ?? false;
  const kind: ShapeKind = opts.kind ?? (rng.bernoulli(0.5) ? 'circle' : 'square');

  // Radius / half-side: at least 5 px at 32 px (recognisable), at most 0.32·S (fits when rotated).
  const sizePx = rng.uniform((5 * size) / 32, 0.32 * size);
  const angle = kind === 'square' ? rng.uniform(0, Math.PI / 2) : 0;
  const cos = Math.cos(angle),
    sin = Math.sin(angle);
  const extent = kind === 'square' ? sizePx * (Math.abs(cos) + Math.abs(sin)) : sizePx;
  const cx = rng.uniform(extent, size - extent);
  const cy = rng.uniform(extent, size - extent);
  const colors = pickColors(rng, texture);
  const shapeTex: Texture = texture ? makeTexture(rng, size) : () => 0;
  const bgTex: Texture = texture ? makeTexture(rng, size) : () => 0;

  const inside =
    kind === 'circle'
      ? (x: number, y: number): boolean => (x - cx) ** 2 + (y - cy) ** 2 <= sizePx * sizePx
      : (x: number, y: number): boolean => {
          const dx = x - cx,
            dy = y - cy;
          return (
            Math.abs(dx * cos + dy * sin) <= sizePx && Math.abs(-dx * sin + dy * cos) <= sizePx
          );
        };

  // Distance-like measure from a point to the outline (negative inside), 1-Lipschitz in x and y.
  const outline =
    kind === 'circle'
      ? (x: number, y: number): number => Math.hypot(x - cx, y - cy) - sizePx
      : (x: number, y: number): number => {
          const dx = x - cx,
            dy = y - cy;
          return Math.max(Math.abs(dx * cos + dy * sin), Math.abs(-dx * sin + dy * cos)) - sizePx;
        };

  const pixels = new Uint8Array(size * size * 3);
  const [a1, a2] = colors.shape,
    [b1, b2] = colors.bg;
  const n = SUPERSAMPLE * SUPERSAMPLE;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const o = (py * size + px) * 3;
      if (!texture) {
        // Flat colours: only pixels the outline crosses need supersampling (the result is identical).
        const d = outline(px + 0.5, py + 0.5);
        if (Math.abs(d) > 0.75) {
          const c = d < 0 ? a1 : b1;
          pixels[o] = c[0];
          pixels[o + 1] = c[1];
          pixels[o + 2] = c[2];
          continue;
        }
      }
      let r = 0,
        g = 0,
        b = 0;
      for (let j = 0; j < SUPERSAMPLE; j++) {
        const y = py + (j + 0.5) / SUPERSAMPLE;
        for (let i = 0; i < SUPERSAMPLE; i++) {
          const x = px + (i + 0.5) / SUPERSAMPLE;
          const isShape = inside(x, y);
          const t = isShape ? shapeTex(x, y) : bgTex(x, y);
          const c1 = isShape ? a1 : b1,
            c2 = isShape ? a2 : b2;
          r += c1[0] + (c2[0] - c1[0]) * t;
          g += c1[1] + (c2[1] - c1[1]) * t;
          b += c1[2] + (c2[2] - c1[2]) * t;
        }
      }
      pixels[o] = Math.round(r / n);
      pixels[o + 1] = Math.round(g / n);
      pixels[o + 2] = Math.round(b / n);
    }
  }
  return {
    pixels,
    kind,
    cx: cx / size,
    cy: cy / size,
    sizePx,
    angle,
    shapeColors: [[...a1], [...a2]],
    backgroundColors: [[...b1], [...b2]],
  };
}

/** n shape samples from one seed: kinds balanced (⌈n/2⌉ / ⌊n/2⌋, the odd one by coin) and shuffled. */
export function generateShapes(
  n: number,
  seed: number,
  opts: { size?: number; texture?: boolean } = {},
): ShapeSample[] {
  const rng = createRng(seed);
  const kinds: ShapeKind[] = [];
  for (let i = 0; i < Math.floor(n / 2); i++) kinds.push('circle', 'square');
  if (n % 2 === 1) kinds.push(rng.bernoulli(0.5) ? 'circle' : 'square');
  rng.shuffle(kinds);
  return kinds.map((kind) => renderShape(rng, { ...opts, kind }));
}

/**
 * Area-average (box filter) resampling of a rectangle of an RGBA image to size×size RGB: each
 * output pixel is the mean of the source pixels its footprint covers, partial pixels weighted by the
 * covered fraction (as PIL's `reduce` / OpenCV's INTER_AREA). Used by the importer after a
 * reduced-size decode; tfjs-free, runs in the worker and in Node tests.
 */

/** The source rectangle, in source pixels (fractional edges allowed). */
export interface AreaRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** For each output index along one axis: first source index and the weights from there on. */
function axisWeights(
  start: number,
  extent: number,
  n: number,
  limit: number,
): { first: Int32Array; count: Int32Array; w: Float32Array; stride: number } {
  const step = extent / n;
  const stride = Math.ceil(step) + 2;
  const first = new Int32Array(n);
  const count = new Int32Array(n);
  const w = new Float32Array(n * stride);
  for (let o = 0; o < n; o++) {
    const a = Math.max(0, start + o * step);
    const b = Math.min(limit, start + (o + 1) * step);
    const i0 = Math.floor(a);
    let sum = 0;
    let c = 0;
    for (let i = i0; i < Math.ceil(b) && c < stride; i++, c++) {
      const wi = Math.min(i + 1, b) - Math.max(i, a);
      w[o * stride + c] = wi > 0 ? wi : 0;
      sum += wi > 0 ? wi : 0;
    }
    for (let j = 0; j < c; j++) w[o * stride + j] /= sum || 1;
    first[o] = i0;
    count[o] = c;
  }
  return { first, count, w, stride };
}

/**
 * `rgba`: width×height×4 uint8 (alpha ignored); `rect`: the part to resample, inside the image.
 * Returns a new size×size×3 uint8 RGB array (each value the rounded weighted mean).
 */
export function areaResizeRgb(
  rgba: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  rect: AreaRect,
  size: number,
): Uint8Array {
  if (rgba.length < width * height * 4) throw new Error('areaResizeRgb: buffer smaller than image');
  const xs = axisWeights(rect.x, rect.width, size, width);
  const ys = axisWeights(rect.y, rect.height, size, height);
  const y0 = ys.first[0];
  const y1 = ys.first[size - 1] + ys.count[size - 1];
  // Horizontal pass over the rows the rectangle touches: rows × size × 3 floats.
  const tmp = new Float32Array((y1 - y0) * size * 3);
  for (let y = y0; y < y1; y++) {
    const row = y * width * 4;
    const t = (y - y0) * size * 3;
    for (let o = 0; o < size; o++) {
      let r = 0;
      let g = 0;
      let b = 0;
      const wo = o * xs.stride;
      let p = row + xs.first[o] * 4;
      for (let j = 0; j < xs.count[o]; j++, p += 4) {
        const wj = xs.w[wo + j];
        r += rgba[p] * wj;
        g += rgba[p + 1] * wj;
        b += rgba[p + 2] * wj;
      }
      tmp[t + o * 3] = r;
      tmp[t + o * 3 + 1] = g;
      tmp[t + o * 3 + 2] = b;
    }
  }
  // Vertical pass.
  const out = new Uint8Array(size * size * 3);
  const rowLen = size * 3;
  for (let oy = 0; oy < size; oy++) {
    const wo = oy * ys.stride;
    const base = (ys.first[oy] - y0) * rowLen;
    const o = oy * rowLen;
    for (let i = 0; i < rowLen; i++) {
      let v = 0;
      for (let j = 0, q = base + i; j < ys.count[oy]; j++, q += rowLen) v += tmp[q] * ys.w[wo + j];
      out[o + i] = Math.min(255, Math.round(v));
    }
  }
  return out;
}

/**
 * Browser-side image decoding for imports (worker only: ImageDecoder, createImageBitmap and
 * OffscreenCanvas, which Node lacks; the pure logic around it lives in src/ml/data and ./area-resize).
 *
 * JPEGs (no EXIF rotation, at least `size` px on the short side) go through WebCodecs' ImageDecoder
 * straight from the bytes, decoded at 1/2, 1/4 or 1/8 scale (the JPEG decoder's scaled IDCT: each
 * output pixel about the mean of a 2×2/4×4/8×8 block) to the smallest size whose short side is
 * still ≥ `size`, then area-averaged (./area-resize) to size×size: the same box filter as a
 * full-size area average, at a fraction of the decode cost, with no Blob copy and no canvas.
 * Everything else (PNG, WebP, rotated or small JPEGs, browsers without ImageDecoder) takes
 * createImageBitmap + a 'high' quality drawImage.
 */
import { areaResizeRgb } from './area-resize';
import { jpegInfo, type JpegInfo } from './jpeg-info';

const canvases = new Map<number, OffscreenCanvasRenderingContext2D>();

function context(size: number): OffscreenCanvasRenderingContext2D {
  let ctx = canvases.get(size);
  if (!ctx) {
    const c = new OffscreenCanvas(size, size);
    const got = c.getContext('2d', { willReadFrequently: true, alpha: true });
    if (!got) throw new Error('OffscreenCanvas 2D context is unavailable in this browser');
    ctx = got;
    canvases.set(size, ctx);
  }
  return ctx;
}

/** The largest of 1, 2, 4, 8 that keeps the short side `s` at least `size` px. */
export function jpegScale(s: number, size: number): number {
  let k = 8;
  while (k > 1 && Math.floor(s / k) < size) k >>= 1;
  return k;
}

/** ImageDecoder path for JPEG; null where the browser does not give RGBA pixels this way. */
async function decodeJpegScaled(
  bytes: Uint8Array,
  info: JpegInfo,
  size: number,
): Promise<Uint8Array | null> {
  const { width: w, height: h } = info;
  const s = Math.min(w, h);
  const k = jpegScale(s, size);
  const init: ImageDecoderInit = {
    data: bytes as Uint8Array<ArrayBuffer>,
    type: 'image/jpeg',
    colorSpaceConversion: 'none',
  };
  if (k > 1) {
    init.desiredWidth = Math.ceil(w / k);
    init.desiredHeight = Math.ceil(h / k);
  }
  let dec: ImageDecoder;
  try {
    dec = new ImageDecoder(init);
  } catch {
    return null;
  }
  try {
    const { image } = await dec.decode();
    try {
      const W = image.displayWidth;
      const H = image.displayHeight;
      // A decoder that ignored the desired size, or rotated, is still handled; one that gave
      // less than `size` px on the short side is not.
      if (Math.min(W, H) < size || W > w || H > h) return null;
      const rgba = new Uint8Array(W * H * 4);
      await image.copyTo(rgba, { format: 'RGBA', layout: [{ offset: 0, stride: W * 4 }] });
      const rx = W / w;
      const ry = H / h;
      const sx = Math.floor((w - s) / 2);
      const sy = Math.floor((h - s) / 2);
      return areaResizeRgb(
        rgba,
        W,
        H,
        { x: sx * rx, y: sy * ry, width: s * rx, height: s * ry },
        size,
      );
    } finally {
      image.close();
    }
  } finally {
    dec.close();
  }
}

/** createImageBitmap + OffscreenCanvas path (any format the browser decodes). */
async function decodeWithBitmap(bytes: Uint8Array, size: number): Promise<Uint8Array> {
  let bmp: ImageBitmap;
  try {
    bmp = await createImageBitmap(new Blob([bytes as BlobPart]), {
      imageOrientation: 'from-image',
      premultiplyAlpha: 'none',
      colorSpaceConversion: 'none',
    });
  } catch {
    throw new Error('the browser could not decode this image (corrupt or unsupported data)');
  }
  try {
    const s = Math.min(bmp.width, bmp.height);
    if (s < 1) throw new Error('image has no pixels');
    const sx = Math.floor((bmp.width - s) / 2);
    const sy = Math.floor((bmp.height - s) / 2);
    const ctx = context(size);
    ctx.clearRect(0, 0, size, size);
    ctx.imageSmoothingEnabled = s !== size;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bmp, sx, sy, s, s, 0, 0, size, size);
    const rgba = ctx.getImageData(0, 0, size, size).data;
    const rgb = new Uint8Array(size * size * 3);
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
      rgb[j] = rgba[i];
      rgb[j + 1] = rgba[i + 1];
      rgb[j + 2] = rgba[i + 2];
    }
    return rgb;
  } finally {
    bmp.close();
  }
}

/**
 * Decodes an image file (EXIF orientation applied), centre-crops the largest square (that is, short
 * side resized to `size` then centre crop) and returns size×size×3 uint8 RGB. Grayscale and
 * palette images come out as RGB with equal channels; alpha is dropped.
 * Throws with a readable message when the browser cannot decode the bytes.
 */
export async function decodeToSquare(bytes: Uint8Array, size: number): Promise<Uint8Array> {
  const info = jpegInfo(bytes.subarray(0, 65536));
  if (
    info &&
    info.orientation === 1 &&
    Math.min(info.width, info.height) >= size &&
    typeof ImageDecoder !== 'undefined'
  ) {
    // A decode failure here (corrupt data) falls through to the path that words the error.
    const px = await decodeJpegScaled(bytes, info, size).catch(() => null);
    if (px) return px;
  }
  return decodeWithBitmap(bytes, size);
}

/**
 * Browser-side image decoding for imports (worker only: createImageBitmap + OffscreenCanvas, which
 * Node lacks; the pure logic around it lives in src/ml/data).
 */

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

/**
 * Decodes an image file (EXIF orientation applied), centre-crops the largest square (that is, short
 * side resized to `size` then centre crop) and returns size×size×3 uint8 RGB. Grayscale and
 * palette images come out as RGB with equal channels; alpha is dropped.
 * Throws with a readable message when the browser cannot decode the bytes.
 */
export async function decodeToSquare(bytes: Uint8Array, size: number): Promise<Uint8Array> {
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

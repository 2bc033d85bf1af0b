/** Browser-only pixel helpers for the panels (no tfjs). */

/** ImageData of one stored image: size² × 3 uint8 RGB starting at `offset` of `rgb`, opaque. */
export function rgbToImageData(rgb: Uint8Array, offset: number, size: number): ImageData {
  const d = new ImageData(size, size);
  for (let i = 0, j = offset; i < d.data.length; i += 4, j += 3) {
    d.data[i] = rgb[j];
    d.data[i + 1] = rgb[j + 1];
    d.data[i + 2] = rgb[j + 2];
    d.data[i + 3] = 255;
  }
  return d;
}

import { describe, expect, it } from 'vitest';
import { jpegInfo } from './jpeg-info';

/** A JPEG header written byte by byte: SOI, JFIF APP0, optional Exif APP1, SOF (w×h), SOS. */
function header(
  w: number,
  h: number,
  exif?: { le: boolean; orientation: number; before?: number },
) {
  const b: number[] = [0xff, 0xd8];
  b.push(0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0);
  if (exif) {
    const u16 = (v: number) => (exif.le ? [v & 255, v >> 8] : [v >> 8, v & 255]);
    const u32 = (v: number) => (exif.le ? [v, 0, 0, 0] : [0, 0, 0, v]);
    const n = (exif.before ?? 0) + 1;
    const tiff = [...(exif.le ? [0x49, 0x49] : [0x4d, 0x4d]), ...u16(42), ...u32(8), ...u16(n)];
    for (let i = 0; i < (exif.before ?? 0); i++)
      tiff.push(...u16(0x010f + i), ...u16(3), ...u32(1), ...u16(9), 0, 0); // other SHORT tags
    tiff.push(...u16(0x0112), ...u16(3), ...u32(1), ...u16(exif.orientation), 0, 0);
    tiff.push(0, 0, 0, 0);
    const payload = [0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff];
    b.push(0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 255, ...payload);
  }
  b.push(0xff, 0xc0, 0, 17, 8, h >> 8, h & 255, w >> 8, w & 255, 3);
  b.push(1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1);
  b.push(0xff, 0xda, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3f, 0);
  return new Uint8Array(b);
}

describe('jpegInfo', () => {
  it('reads the frame size, orientation 1 without EXIF', () => {
    expect(jpegInfo(header(500, 375))).toEqual({ width: 500, height: 375, orientation: 1 });
    expect(jpegInfo(header(3024, 4032))).toEqual({ width: 3024, height: 4032, orientation: 1 });
  });

  it('reads the EXIF orientation in either byte order, after other tags', () => {
    for (const le of [true, false])
      for (const orientation of [1, 3, 6, 8])
        expect(jpegInfo(header(640, 480, { le, orientation, before: 2 }))).toEqual({
          width: 640,
          height: 480,
          orientation,
        });
  });

  it('gives null for what is not a whole JPEG header', () => {
    expect(jpegInfo(new Uint8Array([0x89, 0x50, 0x4e, 0x47]))).toBeNull();
    // Cut inside the frame header, and before it.
    expect(jpegInfo(header(64, 64).subarray(0, 25))).toBeNull();
    expect(jpegInfo(header(64, 64).subarray(0, 20))).toBeNull();
  });

  it('treats an out-of-range orientation as 1', () => {
    expect(jpegInfo(header(8, 8, { le: true, orientation: 9 }))?.orientation).toBe(1);
  });
});

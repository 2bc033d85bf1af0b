import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import {
  looksLikeText,
  MAX_IMAGE_PIXELS,
  MAX_IMAGE_SIDE,
  SNIFF_HEAD_BYTES,
  SNIFF_TAIL_BYTES,
  sniffImage,
} from './image-sniff';

/** shared/datasets sits beside the checkout (or inside it); fail loudly when it is missing. */
function datasetsDir(): string {
  const here = resolve(__dirname, '../../..');
  const found = [
    join(here, '..', 'shared', 'datasets'),
    join(here, 'shared', 'datasets'),
    '/work/shared/datasets',
  ].find((p) => existsSync(join(p, 'mnist-png')));
  if (!found) throw new Error('shared/datasets not found beside the checkout');
  return found;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (!name.endsWith('.md')) out.push(p);
  }
  return out;
}

/** Reads head and tail the way the import pipeline does (Blob.slice of the first 64 KiB / last 1 KiB). */
function sniffFile(path: string): ReturnType<typeof sniffImage> {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(Math.min(size, SNIFF_HEAD_BYTES));
    readSync(fd, head, 0, head.length, 0);
    const tail = new Uint8Array(Math.min(size, SNIFF_TAIL_BYTES));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    return sniffImage(head, tail, size);
  } finally {
    closeSync(fd);
  }
}

/** Sniffs an in-memory file. */
function sniffBytes(b: Uint8Array): ReturnType<typeof sniffImage> {
  return sniffImage(
    b.subarray(0, SNIFF_HEAD_BYTES),
    b.subarray(Math.max(0, b.length - SNIFF_TAIL_BYTES)),
    b.length,
  );
}

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A 5×3 red image saved by Pillow 9.4 (`Image.new('RGB', (5, 3), (200, 10, 10)).save(buf, FMT)`). */
const PIL = {
  webpLossless: 'UklGRh4AAABXRUJQVlA4TBEAAAAvBIAAAAdQhSJXof+BiOh/AAA=',
  webpLossy:
    'UklGRjwAAABXRUJQVlA4IDAAAADQAQCdASoFAAMAAUAmJaACdLoB+AADsAD+9hNf/izkYjs83/4E78Cd+BO/8AAAAAA=',
  webpExtended:
    'UklGRkIAAABXRUJQVlA4WAoAAAAIAAAABAAAAgAAVlA4TBEAAAAvBIAAAAdQhSJXof+BiOh/AABFWElGCgAAAE1NACoAAAAIAAA=',
  gif: 'R0lGODdhBQADAIEAAMgKCgAAAAAAAAAAACwAAAAABQADAAAICAABCBxIsGBAADs=',
  bmp: 'Qk1mAAAAAAAAADYAAAAoAAAABQAAAAMAAAABABgAAAAAADAAAADEDgAAxA4AAAAAAAAAAAAACgrICgrICgrICgrICgrIAAoKyAoKyAoKyAoKyAoKyAAKCsgKCsgKCsgKCsgKCsgA',
  tiff: 'SUkqAAgAAAAKAAABBAABAAAABQAAAAEBBAABAAAAAwAAAAIBAwADAAAAhgAAAAMBAwABAAAAAQAAAAYBAwABAAAAAgAAABEBBAABAAAAjAAAABUBAwABAAAAAwAAABYBBAABAAAAAwAAABcBBAABAAAALQAAABwBAwABAAAAAQAAAAAAAAAIAAgACADICgrICgrICgrICgrICgrICgrICgrICgrICgrICgrICgrICgrICgrICgrICgo=',
};

/** A PNG built with pngjs. */
function png(width: number, height: number): Uint8Array {
  const p = new PNG({ width, height });
  p.data.fill(128);
  return new Uint8Array(PNG.sync.write(p));
}

/** ISO-BMFF boxes: size (u32 BE) + type + payload. */
function box(type: string, ...payload: Uint8Array[]): Uint8Array {
  const len = 8 + payload.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(len);
  new DataView(out.buffer).setUint32(0, len);
  out.set(text(type), 4);
  let o = 8;
  for (const p of payload) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
function u32s(...v: number[]): Uint8Array {
  const out = new Uint8Array(v.length * 4);
  v.forEach((x, i) => new DataView(out.buffer).setUint32(i * 4, x));
  return out;
}

describe('sniffImage on the real datasets', () => {
  const base = datasetsDir();
  it('accepts every image of all five datasets, with the documented sizes', () => {
    const sizes = new Map<string, number>();
    let n = 0;
    for (const name of [
      'clothing-small',
      'cifar10-png',
      'mnist-png',
      'sign-language-digits',
      'trashnet',
    ]) {
      for (const path of walk(join(base, name))) {
        const r = sniffFile(path);
        if (!r.ok) throw new Error(`${path}: ${r.reason}`);
        const key = `${name} ${r.format} ${r.width}x${r.height}`;
        sizes.set(key, (sizes.get(key) ?? 0) + 1);
        n++;
      }
    }
    expect(n).toBe(20370);
    expect(sizes.get('cifar10-png png 32x32')).toBe(6000);
    expect(sizes.get('mnist-png png 28x28')).toBe(6000);
    expect(sizes.get('sign-language-digits jpeg 100x100')).toBe(2059);
    expect(sizes.get('sign-language-digits jpeg 3024x3024')).toBe(3);
    const trash = [...sizes]
      .filter(([k]) => k.startsWith('trashnet'))
      .reduce((s, [, v]) => s + v, 0);
    expect(trash).toBe(2527);
    // clothing-small: JPEG, short side 96.
    for (const [k] of sizes) {
      if (!k.startsWith('clothing-small')) continue;
      const [w, h] = k.split(' ')[2].split('x').map(Number);
      expect(Math.min(w, h)).toBe(96);
    }
  });

  it('reports the same size as a full decode', () => {
    const files = [
      ...walk(join(base, 'clothing-small', 'test', 'hat')).slice(0, 4),
      ...walk(join(base, 'trashnet', 'test', 'glass')).slice(0, 4),
      ...walk(join(base, 'sign-language-digits', 'test', '3')).slice(0, 2),
      ...walk(join(base, 'mnist-png', 'test', '4')).slice(0, 2),
      ...walk(join(base, 'cifar10-png', 'test', 'cat')).slice(0, 2),
    ];
    for (const f of files) {
      const bytes = readFileSync(f);
      const r = sniffFile(f);
      const d = f.endsWith('.png') ? PNG.sync.read(bytes) : jpeg.decode(bytes, { useTArray: true });
      expect(r, f).toMatchObject({ ok: true, width: d.width, height: d.height });
    }
  });

  it('rejects real files cut short', () => {
    const j = readFileSync(walk(join(base, 'clothing-small', 'test', 'hat'))[0]);
    expect(sniffBytes(j.subarray(0, j.length >> 1))).toEqual({
      ok: false,
      reason: 'truncated JPEG (no end-of-image marker)',
    });
    const big = readFileSync(join(base, 'sign-language-digits', 'train', '7', 'IMG_5874.JPG'));
    expect(sniffBytes(big)).toEqual({ ok: true, format: 'jpeg', width: 3024, height: 3024 });
    expect(sniffBytes(big.subarray(0, 100_000))).toEqual({
      ok: false,
      reason: 'truncated JPEG (no end-of-image marker)',
    });
    // Its ~200 KiB of zero padding after the end marker leaves nothing to check in the tail.
    const end = big.lastIndexOf(0xd9) + 1;
    expect(big[end - 2]).toBe(0xff);
    expect(big.subarray(end).every((b) => b === 0)).toBe(true);
    expect(big.length - end).toBeGreaterThan(SNIFF_TAIL_BYTES);
    const p = readFileSync(walk(join(base, 'cifar10-png', 'test', 'cat'))[0]);
    expect(sniffBytes(p.subarray(0, p.length - 20))).toEqual({
      ok: false,
      reason: 'truncated PNG (no IEND chunk)',
    });
  });
});

describe('sniffImage on synthetic files', () => {
  it('reads WebP (lossy, lossless, extended), GIF and BMP headers', () => {
    expect(sniffBytes(b64(PIL.webpLossless))).toEqual({
      ok: true,
      format: 'webp',
      width: 5,
      height: 3,
    });
    expect(sniffBytes(b64(PIL.webpLossy))).toEqual({
      ok: true,
      format: 'webp',
      width: 5,
      height: 3,
    });
    expect(sniffBytes(b64(PIL.webpExtended))).toEqual({
      ok: true,
      format: 'webp',
      width: 5,
      height: 3,
    });
    expect(sniffBytes(b64(PIL.gif))).toEqual({ ok: true, format: 'gif', width: 5, height: 3 });
    expect(sniffBytes(b64(PIL.bmp))).toEqual({ ok: true, format: 'bmp', width: 5, height: 3 });
    expect(sniffBytes(b64(PIL.webpLossy).subarray(0, 50))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^truncated WebP/),
    });
    expect(sniffBytes(b64(PIL.bmp).subarray(0, 60))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^truncated BMP/),
    });
  });

  it('reads AVIF sizes from the ispe box and names HEIC as unsupported', () => {
    const ispe = box('ispe', u32s(0, 640, 480));
    const avif = new Uint8Array([
      ...box('ftyp', text('avif'), u32s(0), text('mif1'), text('miaf')),
      ...box('meta', u32s(0), box('iprp', box('ipco', ispe))),
    ]);
    expect(sniffBytes(avif)).toEqual({ ok: true, format: 'avif', width: 640, height: 480 });
    const noIspe = box('ftyp', text('avif'), u32s(0));
    expect(sniffBytes(noIspe)).toEqual({ ok: true, format: 'avif', width: 0, height: 0 });
    const heic = new Uint8Array([
      ...box('ftyp', text('heic'), u32s(0), text('mif1'), text('heic')),
      ...box('meta', u32s(0)),
    ]);
    expect(sniffBytes(heic)).toEqual({
      ok: false,
      reason: 'unsupported or unrecognised image format (HEIC)',
    });
  });

  it('explains empty, text, other formats and garbage', () => {
    expect(sniffImage(new Uint8Array(0), new Uint8Array(0), 0)).toEqual({
      ok: false,
      reason: 'empty file (0 bytes)',
    });
    const csv = text('image,label\nx.jpg,Ünïcödé ✓\n');
    expect(sniffBytes(csv)).toEqual({ ok: false, reason: 'not an image: the file contains text' });
    expect(sniffBytes(text('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toEqual({
      ok: false,
      reason: 'not an image: the file contains text',
    });
    expect(sniffBytes(b64(PIL.tiff))).toEqual({
      ok: false,
      reason: 'unsupported or unrecognised image format (TIFF)',
    });
    expect(sniffBytes(text('%PDF-1.7\n%\u00e2\u00e3'))).toEqual({
      ok: false,
      reason: 'unsupported or unrecognised image format (PDF)',
    });
    expect(sniffBytes(new Uint8Array([0x50, 0x4b, 3, 4, 20, 0, 0, 0]))).toEqual({
      ok: false,
      reason: 'unsupported or unrecognised image format (ZIP)',
    });
    expect(sniffBytes(new Uint8Array([0x38, 0x42, 0x50, 0x53, 0, 1]))).toEqual({
      ok: false,
      reason: 'unsupported or unrecognised image format (PSD)',
    });
    const noise = new Uint8Array(4096);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    expect(sniffBytes(noise)).toEqual({
      ok: false,
      reason: 'unsupported or unrecognised image format',
    });
    expect(looksLikeText(new Uint8Array([0xc3, 0x28, 0xa0, 0xa1, 0xff, 0xfe]))).toBe(false);
  });

  it('enforces the size limits and catches corrupt headers', () => {
    const p = png(7, 5);
    expect(sniffBytes(p)).toEqual({ ok: true, format: 'png', width: 7, height: 5 });
    const huge = p.slice();
    new DataView(huge.buffer).setUint32(16, 20000);
    new DataView(huge.buffer).setUint32(20, 20000);
    expect(sniffBytes(huge)).toEqual({
      ok: false,
      reason: 'image too large: 20000×20000 (limit 64 megapixels or 16384 px a side)',
    });
    const wide = p.slice();
    new DataView(wide.buffer).setUint32(16, MAX_IMAGE_SIDE + 1);
    expect(sniffBytes(wide).ok).toBe(false);
    const edge = p.slice();
    new DataView(edge.buffer).setUint32(16, 8192);
    new DataView(edge.buffer).setUint32(20, MAX_IMAGE_PIXELS / 8192);
    expect(sniffBytes(edge)).toMatchObject({ ok: true, width: 8192, height: 8192 });
    const zero = p.slice();
    new DataView(zero.buffer).setUint32(16, 0);
    expect(sniffBytes(zero)).toEqual({ ok: false, reason: 'corrupt PNG (zero width or height)' });
    // A JPEG whose SOS comes before any SOF, and one with a broken marker chain.
    expect(sniffBytes(new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0, 2, 0xff, 0xd9]))).toEqual({
      ok: false,
      reason: 'corrupt JPEG (no frame header before the image data)',
    });
    expect(
      sniffBytes(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0x12, 0xff, 0xd9])),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/^corrupt JPEG \(no marker/) });
  });
});

import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { sniffImage } from './image-sniff';
import { recognizeLayout } from './layout';
import { CP437_HIGH, crc32, readZipEntry, readZipIndex, ZipError, type ZipRead } from './zip-index';

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

/** Random access over bytes in memory, counting the bytes handed out. */
function reader(bytes: Uint8Array): { read: ZipRead; bytesRead: () => number } {
  let n = 0;
  return {
    read: async (offset, length) => {
      const b = bytes.subarray(offset, offset + length);
      n += b.length;
      return b;
    },
    bytesRead: () => n,
  };
}

async function errorOf(p: Promise<unknown>): Promise<ZipError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ZipError);
    return e as ZipError;
  }
  throw new Error('expected a ZipError');
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const digitDir = join(datasetsDir(), 'mnist-png', 'test', '4');
const pngBytes = new Uint8Array(readFileSync(join(digitDir, readdirSync(digitDir).sort()[0])));
const text = enc('the quick brown fox jumps over the lazy dog\n'.repeat(200));

const tmp = mkdtempSync(join(tmpdir(), 'simlab-zip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(enc('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(CP437_HIGH.length).toBe(128);
    expect([CP437_HIGH[0], CP437_HIGH[0x81 - 0x80], CP437_HIGH[0xe1 - 0x80]]).toEqual([
      'Ç',
      'ü',
      'ß',
    ]);
  });
});

describe('zips built with fflate', () => {
  const zip = zipSync({
    'stored.txt': [text, { level: 0 }],
    'data/train/cat/deflated.png': [pngBytes, { level: 6 }],
    'data/notes.txt': [text, { level: 9 }],
    'ünïcödé/猫.txt': [enc('miau'), { level: 6 }],
    empty: {},
  });

  it('lists entries with names, methods, sizes and directories', async () => {
    const entries = await readZipIndex(reader(zip).read, zip.length);
    expect(entries.map((e) => [e.name, e.method, e.size, e.isDirectory])).toEqual([
      ['stored.txt', 0, text.length, false],
      ['data/train/cat/deflated.png', 8, pngBytes.length, false],
      ['data/notes.txt', 8, text.length, false],
      ['ünïcödé/猫.txt', 8, 4, false],
      ['empty/', 8, 0, true],
    ]);
    expect(entries.every((e) => e.supported && !e.encrypted)).toBe(true);
    expect(entries[2].compressedSize).toBeLessThan(text.length / 10);
  });

  it('reads each entry back byte for byte, touching only that entry', async () => {
    const r = reader(zip);
    const entries = await readZipIndex(r.read, zip.length);
    const before = r.bytesRead();
    const png = await readZipEntry(r.read, entries[1]);
    expect(png).toEqual(pngBytes);
    expect(r.bytesRead() - before).toBeLessThan(entries[1].compressedSize + 30 + 100);
    expect(await readZipEntry(r.read, entries[0])).toEqual(text);
    expect(await readZipEntry(r.read, entries[2])).toEqual(text);
    expect(new TextDecoder().decode(await readZipEntry(r.read, entries[3]))).toBe('miau');
    expect(await readZipEntry(r.read, entries[4])).toEqual(new Uint8Array(0));
  });

  it('explains truncation, non-zips, CRC errors, wrong sizes and oversized entries', async () => {
    expect(
      (await errorOf(readZipIndex(reader(zip.subarray(0, zip.length >> 1)).read, zip.length >> 1)))
        .message,
    ).toBe(
      'truncated zip: the end-of-central-directory record is missing (the file may be incomplete)',
    );
    expect((await errorOf(readZipIndex(reader(text).read, text.length))).message).toBe(
      'not a zip file (no end-of-central-directory record)',
    );
    expect((await errorOf(readZipIndex(reader(enc('PK')).read, 2))).message).toBe(
      'not a zip file (no end-of-central-directory record)',
    );
    expect((await errorOf(readZipIndex(reader(new Uint8Array(0)).read, 0))).message).toBe(
      'not a zip file (no end-of-central-directory record)',
    );

    const entries = await readZipIndex(reader(zip).read, zip.length);
    const bad = zip.slice();
    const dataStart = entries[0].localHeaderOffset + 30 + 'stored.txt'.length;
    bad[dataStart + 5] ^= 0xff;
    expect((await errorOf(readZipEntry(reader(bad).read, entries[0]))).message).toBe(
      'CRC mismatch in stored.txt',
    );
    expect(
      (await errorOf(readZipEntry(reader(zip).read, { ...entries[2], size: entries[2].size - 1 })))
        .message,
    ).toBe(
      `size mismatch in data/notes.txt: expected ${text.length - 1} bytes, got ${text.length}`,
    );
    expect(
      (await errorOf(readZipEntry(reader(zip).read, { ...entries[2], size: entries[2].size + 1 })))
        .message,
    ).toBe(
      `size mismatch in data/notes.txt: expected ${text.length + 1} bytes, got ${text.length}`,
    );
    expect(
      (await errorOf(readZipEntry(reader(zip).read, { ...entries[2], compressedSize: 3 }))).message,
    ).toMatch(/^corrupt data in data\/notes\.txt: /);
    expect((await errorOf(readZipEntry(reader(zip).read, entries[0], 100))).message).toMatch(
      /^entry too large: stored\.txt/,
    );
    // Central directory intact, file cut inside an entry's data: the entry read says so.
    const cut = reader(zip.subarray(0, entries[1].localHeaderOffset + 40));
    expect((await errorOf(readZipEntry(cut.read, entries[1]))).message).toBe(
      'truncated zip: the data of data/train/cat/deflated.png runs past the end of the file',
    );
  });
});

describe('entry names', () => {
  it('decodes names without the UTF-8 flag as CP437 unless they are valid UTF-8', async () => {
    const zip = zipSync({ 'xA.txt': enc('a'), 'yBC.txt': enc('b') });
    // Patch the names in place (local and central headers): 0x81 alone is CP437 'ü';
    // C3 A9 is valid UTF-8 'é', which macOS Archive Utility writes without setting the flag.
    for (let i = 0; i + 6 <= zip.length; i++) {
      if (zip[i] === 0x78 && zip[i + 1] === 0x41 && zip[i + 2] === 0x2e) zip[i + 1] = 0x81;
      if (zip[i] === 0x79 && zip[i + 1] === 0x42 && zip[i + 2] === 0x43) {
        zip[i + 1] = 0xc3;
        zip[i + 2] = 0xa9;
      }
    }
    const entries = await readZipIndex(reader(zip).read, zip.length);
    expect(entries.map((e) => e.name)).toEqual(['xü.txt', 'yé.txt']);
    expect(new TextDecoder().decode(await readZipEntry(reader(zip).read, entries[0]))).toBe('a');
  });
});

describe('zips made by the zip command', () => {
  const root = join(tmp, 'ds');
  mkdirSync(join(root, 'train', 'cat'), { recursive: true });
  mkdirSync(join(root, 'test', 'dog'), { recursive: true });
  writeFileSync(join(root, 'train', 'cat', 'a.png'), pngBytes);
  writeFileSync(join(root, 'test', 'dog', 'b.png'), pngBytes);
  writeFileSync(join(root, 'notes.txt'), text);
  writeFileSync(join(root, 'café.txt'), 'latte');
  const zipFile = (name: string, args: string[], files: string[]): Uint8Array => {
    execFileSync('zip', ['-q', ...args, join(tmp, name), ...files], { cwd: tmp });
    return new Uint8Array(readFileSync(join(tmp, name)));
  };

  it('reads a folder zipped with `zip -r`, including its directory entries', async () => {
    const zip = zipFile('plain.zip', ['-r'], ['ds']);
    const r = reader(zip);
    const entries = await readZipIndex(r.read, zip.length);
    const names = entries.map((e) => e.name).sort();
    expect(names).toEqual(
      [
        'ds/',
        'ds/café.txt',
        'ds/notes.txt',
        'ds/test/',
        'ds/test/dog/',
        'ds/test/dog/b.png',
        'ds/train/',
        'ds/train/cat/',
        'ds/train/cat/a.png',
      ].sort(),
    );
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get('ds/notes.txt')!.method).toBe(8);
    expect(byName.get('ds/train/')!.isDirectory).toBe(true);
    expect(await readZipEntry(r.read, byName.get('ds/train/cat/a.png')!)).toEqual(pngBytes);
    expect(await readZipEntry(r.read, byName.get('ds/notes.txt')!)).toEqual(text);
    expect(new TextDecoder().decode(await readZipEntry(r.read, byName.get('ds/café.txt')!))).toBe(
      'latte',
    );
  });

  it('reads a forced Zip64 archive', async () => {
    const zip = zipFile('z64.zip', ['-r', '-fz'], ['ds']);
    const entries = await readZipIndex(reader(zip).read, zip.length);
    const notes = entries.find((e) => e.name === 'ds/notes.txt')!;
    expect(notes.size).toBe(text.length);
    expect(await readZipEntry(reader(zip).read, notes)).toEqual(text);
    expect(
      await readZipEntry(
        reader(zip).read,
        entries.find((e) => e.name === 'ds/test/dog/b.png')!,
      ),
    ).toEqual(pngBytes);
  });

  it('refuses encrypted and bzip2 entries with clear messages', async () => {
    const locked = zipFile('locked.zip', ['-P', 'secret'], ['ds/notes.txt']);
    const [e1] = await readZipIndex(reader(locked).read, locked.length);
    expect(e1).toMatchObject({ name: 'ds/notes.txt', encrypted: true, supported: false });
    expect((await errorOf(readZipEntry(reader(locked).read, e1))).message).toBe(
      'encrypted entry: ds/notes.txt (password-protected zips are not supported)',
    );
    const bz = zipFile('bz.zip', ['-Z', 'bzip2'], ['ds/notes.txt']);
    const [e2] = await readZipIndex(reader(bz).read, bz.length);
    expect(e2).toMatchObject({ method: 12, supported: false });
    expect((await errorOf(readZipEntry(reader(bz).read, e2))).message).toBe(
      'unsupported compression method 12 in ds/notes.txt (only stored and deflate are supported)',
    );
  });
});

describe('a real dataset zipped with `zip -r`', () => {
  it('indexes, recognises and reads mnist-png.zip without loading it whole', async () => {
    const zipPath = join(tmp, 'mnist-png.zip');
    execFileSync('zip', ['-qr', zipPath, 'mnist-png'], { cwd: datasetsDir() });
    const zip = new Uint8Array(readFileSync(zipPath));
    const r = reader(zip);
    const entries = await readZipIndex(r.read, zip.length);
    const layout = recognizeLayout(entries.map((e) => e.name));
    expect(layout).toMatchObject({
      kind: 'split-folders',
      rootName: 'mnist-png',
      splitsFound: ['train', 'test'],
    });
    expect(layout.images).toHaveLength(6000);
    expect(layout.ignored.every((i) => i.silent)).toBe(true);
    for (const img of layout.images.slice(0, 600).filter((_, i) => i % 60 === 0)) {
      const bytes = await readZipEntry(r.read, entries[img.index]);
      expect(
        sniffImage(bytes, bytes.subarray(Math.max(0, bytes.length - 1024)), bytes.length),
      ).toEqual({ ok: true, format: 'png', width: 28, height: 28 });
    }
    expect(r.bytesRead()).toBeLessThan(zip.length / 4);
  });
});

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extensionOf, naturalCompare, recognizeLayout, splitFromName } from './layout';

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

/** All file paths under `dir`, '/'-separated, relative to `base`. */
function walk(dir: string, base: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, base, out);
    else out.push(relative(base, p).split('\\').join('/'));
  }
  return out;
}

describe('naturalCompare / splitFromName / extensionOf', () => {
  it('sorts digit runs numerically and is total', () => {
    expect(['10', '2', '1', 'b', 'A', 'a', 'img10', 'img2'].sort(naturalCompare)).toEqual([
      '1',
      '2',
      '10',
      'A',
      'a',
      'b',
      'img2',
      'img10',
    ]);
    expect(naturalCompare('x01', 'x1')).not.toBe(0);
  });
  it('maps split aliases in any case', () => {
    expect(
      ['Train', 'TRAINING', 'valid', 'Validation', 'dev', 'val', 'test', 'Testing', 'other'].map(
        splitFromName,
      ),
    ).toEqual(['train', 'train', 'val', 'val', 'val', 'val', 'test', 'test', null]);
  });
  it('reads extensions', () => {
    expect(extensionOf('a/b.JPG')).toBe('jpg');
    expect(extensionOf('a.b/c')).toBe('');
    expect(extensionOf('.hidden')).toBe('');
  });
});

describe('recognizeLayout', () => {
  it('recognises split folders under a root and strips the root', () => {
    const paths = [
      'ds/train/cat/1.jpg',
      'ds/train/dog/2.PNG',
      'ds/Validation/cat/3.jpeg',
      'ds/test/dog/4.webp',
      'ds/test/dog/sub/5.gif',
      'ds/.DS_Store',
      'ds/__MACOSX/train/._1.jpg',
      'ds/train/',
      'ds/README.txt',
      'ds/train/cat/Thumbs.db',
      'ds/train/cat/scan.TIFF',
    ];
    const r = recognizeLayout(paths);
    expect(r.kind).toBe('split-folders');
    expect(r.rootName).toBe('ds');
    expect(r.classes).toEqual(['cat', 'dog']);
    expect(r.splitsFound).toEqual(['train', 'val', 'test']);
    expect(r.images).toEqual([
      { index: 0, relPath: 'train/cat/1.jpg', className: 'cat', split: 'train' },
      { index: 1, relPath: 'train/dog/2.PNG', className: 'dog', split: 'train' },
      { index: 2, relPath: 'Validation/cat/3.jpeg', className: 'cat', split: 'val' },
      { index: 3, relPath: 'test/dog/4.webp', className: 'dog', split: 'test' },
      { index: 4, relPath: 'test/dog/sub/5.gif', className: 'dog', split: 'test' },
    ]);
    const byIndex = Object.fromEntries(r.ignored.map((i) => [i.index, i]));
    expect(byIndex[5].silent).toBe(true);
    expect(byIndex[6].silent).toBe(true);
    expect(byIndex[7].silent).toBe(true);
    expect(byIndex[8]).toMatchObject({ reason: 'not an image: .txt', silent: false });
    expect(byIndex[9].silent).toBe(true);
    expect(byIndex[10]).toMatchObject({ reason: 'unsupported image format: .tiff', silent: false });
    expect(r.ignored).toHaveLength(6);
  });

  it('recognises ImageFolder without a root, with natural class order', () => {
    const r = recognizeLayout(['10/a.png', '2/b.png', '1/c.png', '2/deep/er/d.png']);
    expect(r.kind).toBe('image-folder');
    expect(r.rootName).toBeNull();
    expect(r.classes).toEqual(['1', '2', '10']);
    expect(r.images.map((i) => i.className)).toEqual(['10', '2', '1', '2']);
    expect(r.splitsFound).toEqual([]);
  });

  it('strips nested roots and ignores a top-level __MACOSX folder', () => {
    const r = recognizeLayout([
      '__MACOSX/archive/dataset/train/cat/._a.jpg',
      'archive/dataset/train/cat/a.jpg',
      'archive/dataset/Testing/dog/b.jpg',
      'archive/dataset/train/dog/c.jpg',
    ]);
    expect(r.kind).toBe('split-folders');
    expect(r.rootName).toBe('archive/dataset');
    expect(r.splitsFound).toEqual(['train', 'test']);
    expect(r.ignored).toEqual([
      {
        index: 0,
        path: '__MACOSX/archive/dataset/train/cat/._a.jpg',
        reason: 'macOS resource fork (__MACOSX)',
        silent: true,
      },
    ]);
  });

  it('keeps a lone split folder as a split, not as a root', () => {
    const r = recognizeLayout(['train/cat/a.jpg', 'train/dog/b.jpg']);
    expect(r.kind).toBe('split-folders');
    expect(r.rootName).toBeNull();
    expect(r.splitsFound).toEqual(['train']);
  });

  it('recognises a flat folder (unlabeled) and flat + CSV', () => {
    const flat = recognizeLayout(['photos/a.jpg', 'photos/b.jpg', 'photos/notes.md']);
    expect(flat.kind).toBe('flat');
    expect(flat.rootName).toBe('photos');
    expect(flat.images.map((i) => i.relPath)).toEqual(['a.jpg', 'b.jpg']);
    expect(flat.classes).toEqual([]);
    const csv = recognizeLayout(['photos/a.jpg', 'photos/b.jpg', 'photos/labels.csv']);
    expect(csv.kind).toBe('csv');
    expect(csv.csvFiles).toEqual([2]);
    expect(csv.images.every((i) => i.className === null)).toBe(true);
  });

  it('treats a CSV next to one folder of images as csv (clothing-dataset layout)', () => {
    const r = recognizeLayout([
      'clothing/images.csv',
      'clothing/images/x.jpg',
      'clothing/images/y.jpg',
    ]);
    expect(r.kind).toBe('csv');
    expect(r.rootName).toBe('clothing');
    expect(r.images.map((i) => i.relPath)).toEqual(['images/x.jpg', 'images/y.jpg']);
  });

  it('split folders holding images directly are flat/csv with splits', () => {
    const r = recognizeLayout(['train/a.jpg', 'train/b.jpg', 'test/c.jpg', 'labels.csv']);
    expect(r.kind).toBe('csv');
    expect(r.images.map((i) => i.split)).toEqual(['train', 'train', 'test']);
    const f = recognizeLayout(['train/a.jpg', 'test/c.jpg']);
    expect(f.kind).toBe('flat');
    expect(f.splitsFound).toEqual(['train', 'test']);
  });

  it('with mixed depths picks the majority interpretation and explains the rest', () => {
    const r = recognizeLayout(['cat/a.jpg', 'cat/b.jpg', 'dog/c.jpg', 'stray.jpg']);
    expect(r.kind).toBe('image-folder');
    expect(r.images).toHaveLength(3);
    expect(r.ignored).toEqual([
      {
        index: 3,
        path: 'stray.jpg',
        reason: 'image at the top level, outside any class folder',
        silent: false,
      },
    ]);
    const f = recognizeLayout(['a.jpg', 'b.jpg', 'c.jpg', 'x/d.jpg', 'y/e.jpg']);
    expect(f.kind).toBe('flat');
    expect(f.ignored.map((i) => i.index)).toEqual([3, 4]);
    const s = recognizeLayout(['train/cat/a.jpg', 'train/dog/b.jpg', 'test/loose.jpg', 'top.jpg']);
    expect(s.kind).toBe('split-folders');
    expect(s.ignored.map((i) => i.reason)).toEqual([
      'image directly inside split folder "test", outside any class folder',
      'image at the top level, outside the split folders',
    ]);
  });

  it('handles backslashes, ./ prefixes, no extension and empty input', () => {
    const r = recognizeLayout(['./root\\a\\1.png', './root\\b\\2.png', 'root/LICENSE']);
    expect(r.kind).toBe('image-folder');
    expect(r.rootName).toBe('root');
    expect(r.ignored[0].reason).toBe('not an image: no file extension');
    const e = recognizeLayout([]);
    expect(e.images).toEqual([]);
  });

  it('reads every real dataset folder as split folders with the documented classes', () => {
    const base = datasetsDir();
    const expected: Record<string, { n: number; classes: number; splits: string[] }> = {
      'clothing-small': { n: 3068 + 372 + 341, classes: 10, splits: ['train', 'val', 'test'] },
      'cifar10-png': { n: 6000, classes: 10, splits: ['train', 'test'] },
      'mnist-png': { n: 6000, classes: 10, splits: ['train', 'test'] },
      'sign-language-digits': { n: 2062, classes: 10, splits: ['train', 'test'] },
      trashnet: { n: 2527, classes: 6, splits: ['train', 'test'] },
    };
    for (const [name, exp] of Object.entries(expected)) {
      const paths = walk(join(base, name), base);
      const r = recognizeLayout(paths);
      expect(r.kind, name).toBe('split-folders');
      expect(r.rootName, name).toBe(name);
      expect(r.images.length, name).toBe(exp.n);
      expect(r.classes.length, name).toBe(exp.classes);
      expect(r.splitsFound, name).toEqual(exp.splits);
      expect(
        r.ignored.filter((i) => !i.silent),
        name,
      ).toEqual([]);
    }
    const digits = recognizeLayout(walk(join(base, 'mnist-png'), base));
    expect(digits.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });
});

import { describe, expect, it } from 'vitest';
import { recognizeLayout } from '../../ml/data/layout';
import type { SplitName } from '../../ml/data/types';
import type { ImportOptions } from '../api';
import { countsOf, resolveImport, type Assignment, type CsvTable } from './resolve';

const FOLDERS: ImportOptions = {
  name: 'd',
  size: 32,
  labeling: 'folders',
  splitMode: 'folders',
  fractions: { train: 0.8, val: 0.1, test: 0.1 },
  seed: 1,
};
const noCsv = new Map<string, CsvTable>();
const byPath = (items: Assignment[]) => new Map(items.map((a) => [a.relPath, a]));

/** Tally per (split, class) by a plain loop, as the expectation side. */
function tally(items: Assignment[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of items) out[`${a.split}/${a.label}`] = (out[`${a.split}/${a.label}`] ?? 0) + 1;
  return out;
}

describe('resolveImport: folders', () => {
  it('labels class folders and keeps split folders named Train / VAL / validation / TEST', () => {
    const paths: string[] = [];
    // Written by hand: split folder spelled four ways, three classes, a few images each.
    const folderSplit: Record<string, SplitName> = {
      Train: 'train',
      VAL: 'val',
      validation: 'val',
      TEST: 'test',
    };
    const perClass: Record<string, number> = { Train: 4, VAL: 1, validation: 1, TEST: 2 };
    for (const f of Object.keys(folderSplit))
      for (const c of ['bird', 'cat', 'dog'])
        for (let i = 0; i < perClass[f]; i++) paths.push(`flowers/${f}/${c}/img${i + 1}.jpg`);
    paths.push('flowers/Train/cat/notes.txt');
    const layout = recognizeLayout(paths);
    const r = resolveImport(layout, noCsv, FOLDERS);
    expect(r.problems).toEqual([]);
    expect(r.classes).toEqual(['bird', 'cat', 'dog']);
    expect(r.items).toHaveLength(3 * (4 + 1 + 1 + 2));
    for (const a of r.items) {
      const [folder, cls] = a.relPath.split('/');
      expect(a.split).toBe(folderSplit[folder]);
      expect(a.label).toBe(['bird', 'cat', 'dog'].indexOf(cls));
      expect(paths[a.entry]).toBe(`flowers/${a.relPath}`);
    }
    // val is the union of VAL and validation: 2 per class.
    expect(countsOf(r.items, 3)).toEqual({ train: [4, 4, 4], val: [2, 2, 2], test: [2, 2, 2] });
  });

  it('orders items by split, class, then natural path (img2 before img10)', () => {
    const paths = [
      'd/test/b/x.png',
      'd/train/b/img10.png',
      'd/train/b/img2.png',
      'd/train/a/z.png',
    ];
    const r = resolveImport(recognizeLayout(paths), noCsv, FOLDERS);
    expect(r.items.map((a) => a.relPath)).toEqual([
      'train/a/z.png',
      'train/b/img2.png',
      'train/b/img10.png',
      'test/b/x.png',
    ]);
  });

  it('names the problem when folder labels or split folders are missing', () => {
    const flat = recognizeLayout(['imgs/1.png', 'imgs/2.png']);
    const r = resolveImport(flat, noCsv, FOLDERS);
    expect(r.problems).toEqual([
      'no class folders were found: choose "CSV" or "unlabeled" labeling',
      'there are no split folders (train/val/test): choose a random split',
    ]);
  });
});

describe('resolveImport: seeded stratified split', () => {
  // 20 cats, 10 dogs, 40 unlabeled-free: fractions chosen so every per-class count is whole.
  const paths = [
    ...Array.from({ length: 20 }, (_, i) => `pets/cat/c${i}.png`),
    ...Array.from({ length: 10 }, (_, i) => `pets/dog/d${i}.png`),
  ];
  const layout = recognizeLayout(paths);
  const random = (seed: number): ImportOptions => ({
    ...FOLDERS,
    splitMode: 'random',
    fractions: { train: 0.6, val: 0.2, test: 0.2 },
    seed,
  });

  it('gives each class its fraction of images (counted by a loop)', () => {
    const r = resolveImport(layout, noCsv, random(7));
    expect(r.problems).toEqual([]);
    expect(tally(r.items)).toEqual({
      'train/0': 12,
      'val/0': 4,
      'test/0': 4,
      'train/1': 6,
      'val/1': 2,
      'test/1': 2,
    });
    // Every image kept exactly once.
    expect(new Set(r.items.map((a) => a.relPath)).size).toBe(30);
  });

  it('is the same for the same seed and differs for another seed', () => {
    const a = byPath(resolveImport(layout, noCsv, random(7)).items);
    const b = byPath(resolveImport(layout, noCsv, random(7)).items);
    const c = byPath(resolveImport(layout, noCsv, random(8)).items);
    let same = 0;
    let differ = 0;
    for (const p of paths.map((x) => x.slice('pets/'.length))) {
      if (a.get(p)!.split === b.get(p)!.split) same++;
      if (a.get(p)!.split !== c.get(p)!.split) differ++;
    }
    expect(same).toBe(30);
    expect(differ).toBeGreaterThan(0);
  });

  it('splits a flat unlabeled folder as one group', () => {
    const flat = recognizeLayout(Array.from({ length: 8 }, (_, i) => `raw/${i}.jpg`));
    expect(flat.kind).toBe('flat');
    const r = resolveImport(flat, noCsv, {
      ...random(3),
      labeling: 'none',
      fractions: { train: 0.5, val: 0.25, test: 0.25 },
    });
    expect(r.problems).toEqual([]);
    expect(r.classes).toEqual([]);
    expect(r.items.every((a) => a.label === -1)).toBe(true);
    expect(tally(r.items)).toEqual({ 'train/-1': 4, 'val/-1': 2, 'test/-1': 2 });
  });

  it('rejects fractions that do not add up to 1', () => {
    const r = resolveImport(layout, noCsv, {
      ...random(1),
      fractions: { train: 0.5, val: 0.2, test: 0.2 },
    });
    expect(r.problems).toEqual([
      'the fractions must add up to 1 (train 0.5 + val 0.2 + test 0.2 = 0.9)',
    ]);
  });
});

describe('resolveImport: CSV labels', () => {
  // Ten flat images and a CSV: labels a/b/skip, folds 0/1/2, one row for a missing file, one
  // image without a row.
  const rows: string[][] = [
    ['img0.png', 'a', '0'],
    ['img1.png', 'b', '0'],
    ['img2.png', 'a', '1'],
    ['img3.png', 'skip', '0'],
    ['img4.png', 'b', '2'],
    ['img5.png', 'a', '2'],
    ['img6.png', 'b', '1'],
    ['img7.png', 'a', '0'],
    ['img8.png', 'b', '0'],
    ['gone.png', 'a', '0'],
  ];
  const table: CsvTable = { columns: ['file', 'label', 'fold'], rows };
  const paths = [
    ...Array.from({ length: 10 }, (_, i) => `kaggle/img${i}.png`),
    'kaggle/labels.csv',
  ];
  const layout = recognizeLayout(paths);
  const tables = new Map([['kaggle/labels.csv', table]]);
  const csvOpts = (foldToSplit: Record<string, SplitName | 'exclude'>): ImportOptions => ({
    ...FOLDERS,
    labeling: 'csv',
    splitMode: 'csv-fold',
    csv: {
      path: 'kaggle/labels.csv',
      fileColumn: 'file',
      labelColumn: 'label',
      foldColumn: 'fold',
      excludeLabels: ['skip'],
      foldToSplit,
    },
  });

  it('labels from the CSV, splits by fold, and reports what it left out', () => {
    expect(layout.csvFiles).toEqual([10]);
    const r = resolveImport(layout, tables, csvOpts({ '0': 'train', '1': 'val', '2': 'exclude' }));
    expect(r.problems).toEqual([]);
    expect(r.classes).toEqual(['a', 'b']);
    // Expected by a loop over the rows written above.
    const fold: Record<string, SplitName | null> = { '0': 'train', '1': 'val', '2': null };
    const want = new Map<string, { label: number; split: SplitName }>();
    for (const [f, l, k] of rows)
      if (l !== 'skip' && fold[k] !== null && f !== 'gone.png')
        want.set(f, { label: ['a', 'b'].indexOf(l), split: fold[k] as SplitName });
    expect(r.items).toHaveLength(want.size);
    for (const a of r.items)
      expect({ label: a.label, split: a.split }).toEqual(want.get(a.relPath));
    expect(r.leftOut).toEqual([
      { path: 'img3.png', reason: 'label or fold excluded' },
      { path: 'img4.png', reason: 'label or fold excluded' },
      { path: 'img5.png', reason: 'label or fold excluded' },
      { path: 'img9.png', reason: 'no row in the CSV' },
    ]);
    expect(r.csvReport).toEqual({
      missingFiles: [{ row: 9, file: 'gone.png' }],
      imagesWithoutRow: ['img9.png'],
      excludedRows: 3,
      labelCounts: { a: 5, b: 4, skip: 1 },
      folds: ['0', '1', '2'],
      foldToSplit: { '0': 'train', '1': 'val', '2': 'exclude' },
    });
  });

  it('suggests the fold mapping (largest integer fold → test, next → val) when none is chosen', () => {
    const r = resolveImport(layout, tables, csvOpts({}));
    expect(r.csvReport?.foldToSplit).toEqual({ '0': 'train', '1': 'val', '2': 'test' });
    const test = r.items.filter((a) => a.split === 'test').map((a) => a.relPath);
    expect(test).toEqual(['img5.png', 'img4.png']); // class a before class b
  });

  it('asks for a CSV when none is chosen', () => {
    const r = resolveImport(layout, tables, { ...FOLDERS, labeling: 'csv', splitMode: 'random' });
    expect(r.problems[0]).toBe('choose a CSV file and its columns');
  });
});

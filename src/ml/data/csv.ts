/**
 * CSV labels for flat image folders: parsing (papaparse), guessing which columns hold the file
 * name, the label and the fold, and joining rows to images by file name.
 */
import Papa from 'papaparse';
import { naturalCompare, splitFromName } from './layout';
import type { SplitName } from './types';

export interface CsvTable {
  /** Header names (trimmed; blank ones become 'column N', duplicates get ' (2)', ' (3)', …). */
  columns: string[];
  /** Data rows, each exactly `columns.length` trimmed cells. */
  rows: string[][];
}

export interface CsvColumnGuess {
  file: string | null;
  label: string | null;
  fold: string | null;
}

export interface CsvLabelOptions {
  fileColumn: string;
  labelColumn: string;
  foldColumn?: string | null;
  /** Labels whose rows are dropped (e.g. 'Not sure', 'Skip'). Compared exactly. */
  excludeLabels?: string[];
  /** Fold value → split or 'exclude'; defaults to `suggestFoldToSplit` of the column's values. */
  foldToSplit?: Record<string, SplitName | 'exclude'>;
}

export interface CsvLabels {
  /** Label per image (index into `imageRelPaths`); null = no row, blank label, or excluded. */
  labels: (string | null)[];
  /** Split per image from the fold column; null without a fold column or for unmapped folds. */
  splits: (SplitName | null)[];
  /** Labels that reached at least one image, natural order, excluded ones removed. */
  classes: string[];
  /** Rows (0-based index into `table.rows`) whose file matches no image. */
  missingFiles: { row: number; file: string }[];
  /** Images (indices into `imageRelPaths`) that no row names. */
  imagesWithoutRow: number[];
  /** Rows dropped by `excludeLabels` or a fold mapped to 'exclude'. */
  excludedRows: number;
  /** Rows with a blank label cell. */
  rowsWithoutLabel: number;
  /** Rows naming an image an earlier row already named (the first row wins). */
  duplicateRows: number;
  /** Row count per label over all rows, excluded labels included (for the exclusion picker). */
  labelCounts: Record<string, number>;
  /** The fold mapping that was applied (empty without a fold column). */
  foldToSplit: Record<string, SplitName | 'exclude'>;
}

/** Parses CSV text with a header row: strips a BOM, trims cells, skips blank lines, handles quotes. */
export function parseCsv(text: string): CsvTable {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const parsed = Papa.parse<string[]>(src, { header: false, skipEmptyLines: 'greedy' });
  const raw = parsed.data
    .map((r) => r.map((c) => (c ?? '').trim()))
    .filter((r) => r.some((c) => c !== ''));
  if (raw.length === 0) return { columns: [], rows: [] };
  const seen = new Map<string, number>();
  const columns = raw[0].map((h, i) => {
    const name = h === '' ? `column ${i + 1}` : h;
    const k = (seen.get(name) ?? 0) + 1;
    seen.set(name, k);
    return k === 1 ? name : `${name} (${k})`;
  });
  const rows = raw.slice(1).map((r) => {
    const row = r.slice(0, columns.length);
    while (row.length < columns.length) row.push('');
    return row;
  });
  return { columns, rows };
}

function normPath(v: string): string {
  return v
    .trim()
    .replace(/\\/g, '/')
    .replace(/^(\.\/|\/)+/, '')
    .toLowerCase();
}
function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
/** Drops a file extension ('.jpg', '.jpeg'); leaves '.001'-style suffixes alone. */
function stripExt(p: string): string {
  const m = /\.[a-z][a-z0-9]{0,4}$/.exec(p);
  return m && m.index > p.lastIndexOf('/') + 1 ? p.slice(0, m.index) : p;
}

/** Looks images up by a CSV cell: relative path or base name, with or without extension, any case. */
class ImageIndex {
  readonly #maps: Map<string, number[]>[] = [new Map(), new Map(), new Map(), new Map()];

  constructor(relPaths: string[]) {
    relPaths.forEach((p, i) => {
      const full = normPath(p);
      const base = baseName(full);
      const keys = [full, stripExt(full), base, stripExt(base)];
      keys.forEach((k, level) => {
        const list = this.#maps[level].get(k);
        if (list) list.push(i);
        else this.#maps[level].set(k, [i]);
      });
    });
  }

  /** Image indices a cell names (most specific match wins; several when base names collide). */
  lookup(cell: string): number[] {
    const v = normPath(cell);
    if (v === '') return [];
    const b = baseName(v);
    const [rel, relNoExt, base, baseNoExt] = this.#maps;
    return (
      rel.get(v) ??
      relNoExt.get(v) ??
      relNoExt.get(stripExt(v)) ??
      base.get(b) ??
      baseNoExt.get(b) ??
      baseNoExt.get(stripExt(b)) ??
      []
    );
  }
}

const FILE_NAMES = [
  'image',
  'images',
  'file',
  'filename',
  'file_name',
  'path',
  'filepath',
  'file_path',
  'img',
  'image_id',
  'imageid',
  'image_name',
  'id',
];
const LABEL_NAMES = [
  'label',
  'labels',
  'class',
  'classname',
  'class_name',
  'category',
  'target',
  'y',
  'tag',
  'species',
  'breed',
  'type',
];
const FOLD_NAMES = ['fold', 'folds', 'kfold', 'k_fold', 'split', 'set', 'subset', 'partition'];
const BOOLEAN_VALUES = new Set(['true', 'false', 'yes', 'no', 't', 'f', 'y', 'n', '0', '1']);

function columnValues(table: CsvTable, col: number): string[] {
  return table.rows.map((r) => r[col]).filter((v) => v !== '');
}
const isInt = (v: string): boolean => /^-?\d+$/.test(v);
const isNumber = (v: string): boolean => v !== '' && Number.isFinite(Number(v));

/**
 * Guesses the file, label and fold columns: file = the column whose cells name the most images
 * (by name when no image matches); fold = a column named fold/split/set…, or holding split names,
 * or 3–10 small integers repeated over the rows; label = a column named label/class…, else the lowest-cardinality
 * non-numeric, non-boolean column.
 */
export function guessCsvColumns(table: CsvTable, imagePaths: string[]): CsvColumnGuess {
  const cols = table.columns;
  const lower = cols.map((c) => c.toLowerCase().trim());
  const sample: CsvTable = { columns: cols, rows: table.rows.slice(0, 2000) };

  let file = -1;
  if (imagePaths.length > 0) {
    const index = new ImageIndex(imagePaths);
    let best = 0;
    cols.forEach((_, c) => {
      const hits = sample.rows.filter((r) => index.lookup(r[c]).length > 0).length;
      if (hits > best) {
        best = hits;
        file = c;
      }
    });
  }
  if (file < 0) {
    file = cols.findIndex((_, c) => {
      const vals = columnValues(sample, c);
      return (
        vals.length > 0 &&
        vals.filter((v) => /\.(jpe?g|png|webp|gif|bmp|avif)$/i.test(v)).length > vals.length / 2
      );
    });
  }
  if (file < 0) file = lower.findIndex((c) => FILE_NAMES.includes(c));

  const free = (c: number, taken: number[]): boolean => !taken.includes(c);
  let fold = lower.findIndex((c, i) => i !== file && FOLD_NAMES.includes(c));
  if (fold < 0) {
    fold = cols.findIndex((_, c) => {
      if (c === file) return false;
      const vals = columnValues(sample, c);
      return vals.length > 0 && vals.every((v) => splitFromName(v) !== null);
    });
  }

  let label = lower.findIndex((c, i) => free(i, [file, fold]) && LABEL_NAMES.includes(c));
  if (label < 0) {
    const n = sample.rows.length;
    const limit = Math.max(2, Math.min(1000, Math.floor(n / 2)));
    let bestScore = Infinity;
    cols.forEach((_, c) => {
      if (!free(c, [file, fold])) return;
      const vals = columnValues(sample, c);
      const distinct = new Set(vals);
      if (distinct.size < 2 || distinct.size > limit) return;
      if (vals.every(isNumber)) return;
      const boolean = [...distinct].every((v) => BOOLEAN_VALUES.has(v.toLowerCase()));
      const score = distinct.size + (boolean ? 1e6 : 0);
      if (score < bestScore) {
        bestScore = score;
        label = c;
      }
    });
  }

  if (fold < 0) {
    fold = cols.findIndex((_, c) => {
      if (!free(c, [file, label])) return false;
      const vals = columnValues(sample, c);
      const distinct = new Set(vals);
      // Folds repeat: at least two rows per value on average, unlike an id column.
      return (
        vals.length >= 2 * distinct.size &&
        distinct.size >= 3 &&
        distinct.size <= 10 &&
        vals.every((v) => isInt(v) && Number(v) >= 0 && Number(v) <= 20)
      );
    });
  }

  const name = (c: number): string | null => (c >= 0 ? cols[c] : null);
  return { file: name(file), label: name(label), fold: name(fold) };
}

/**
 * Suggests a fold → split mapping: split names map to their split; integer folds put the largest
 * in test, the second largest in val (with ≥ 3 folds) and the rest in train; anything else is train.
 */
export function suggestFoldToSplit(values: string[]): Record<string, SplitName | 'exclude'> {
  const distinct = [...new Set(values.map((v) => v.trim()).filter((v) => v !== ''))];
  const out: Record<string, SplitName | 'exclude'> = {};
  const ints = distinct.filter(isInt).sort((a, b) => Number(a) - Number(b));
  for (const v of distinct) out[v] = splitFromName(v) ?? 'train';
  if (ints.length >= 2) out[ints[ints.length - 1]] = 'test';
  if (ints.length >= 3) out[ints[ints.length - 2]] = 'val';
  return out;
}

function columnIndex(table: CsvTable, name: string): number {
  const i = table.columns.indexOf(name);
  if (i < 0) throw new Error(`CSV has no column "${name}" (columns: ${table.columns.join(', ')})`);
  return i;
}

/**
 * Labels (and splits, from an optional fold column) for each image from a CSV table. File cells
 * match images by relative path or base name, with or without extension, case-insensitively;
 * when several images share a base name, the row labels all of them.
 */
export function labelsFromCsv(
  table: CsvTable,
  opts: CsvLabelOptions,
  imageRelPaths: string[],
): CsvLabels {
  const fileCol = columnIndex(table, opts.fileColumn);
  const labelCol = columnIndex(table, opts.labelColumn);
  const foldCol = opts.foldColumn ? columnIndex(table, opts.foldColumn) : -1;
  const exclude = new Set(opts.excludeLabels ?? []);
  const foldToSplit =
    foldCol < 0 ? {} : (opts.foldToSplit ?? suggestFoldToSplit(table.rows.map((r) => r[foldCol])));

  const index = new ImageIndex(imageRelPaths);
  const n = imageRelPaths.length;
  const labels: (string | null)[] = new Array<string | null>(n).fill(null);
  const splits: (SplitName | null)[] = new Array<SplitName | null>(n).fill(null);
  const named = new Uint8Array(n);
  const missingFiles: { row: number; file: string }[] = [];
  const labelCounts: Record<string, number> = {};
  let excludedRows = 0,
    rowsWithoutLabel = 0,
    duplicateRows = 0;

  table.rows.forEach((row, r) => {
    const label = row[labelCol];
    if (label !== '') labelCounts[label] = (labelCounts[label] ?? 0) + 1;
    const hits = index.lookup(row[fileCol]);
    if (hits.length === 0) {
      missingFiles.push({ row: r, file: row[fileCol] });
      return;
    }
    const fresh = hits.filter((i) => !named[i]);
    if (fresh.length === 0) {
      duplicateRows++;
      return;
    }
    for (const i of fresh) named[i] = 1;
    const fold = foldCol >= 0 ? (foldToSplit[row[foldCol]] ?? null) : null;
    if (exclude.has(label) || fold === 'exclude') {
      excludedRows++;
      return;
    }
    if (label === '') {
      rowsWithoutLabel++;
      return;
    }
    for (const i of fresh) {
      labels[i] = label;
      splits[i] = fold;
    }
  });

  const imagesWithoutRow: number[] = [];
  for (let i = 0; i < n; i++) if (!named[i]) imagesWithoutRow.push(i);
  const classes = [...new Set(labels.filter((l): l is string => l !== null))].sort(naturalCompare);
  return {
    labels,
    splits,
    classes,
    missingFiles,
    imagesWithoutRow,
    excludedRows,
    rowsWithoutLabel,
    duplicateRows,
    labelCounts,
    foldToSplit,
  };
}

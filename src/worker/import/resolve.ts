/**
 * Which images an import keeps, with which label and split: pure, from the recognised layout, the
 * parsed CSV files and the user's choices (no I/O, so it runs in Node tests as in the worker).
 */
import { labelsFromCsv, suggestFoldToSplit } from '../../ml/data/csv';
import { naturalCompare, type LayoutResult } from '../../ml/data/layout';
import { splitCounts, stratifiedSplit, validateFractions } from '../../ml/data/splits';
import { SPLIT_CODES, SPLIT_NAMES, type SplitName } from '../../ml/data/types';
import type { ImportOptions, ImportPreview } from '../api';

export type CsvTable = { columns: string[]; rows: string[][] };

/** One image to store: its source entry, its relative path, class index (-1 unlabeled), split. */
export interface Assignment {
  entry: number;
  relPath: string;
  label: number;
  split: SplitName;
}

export interface Resolved {
  /** In storage order: split, class, then natural path order. */
  items: Assignment[];
  classes: string[];
  csvReport: ImportPreview['csvReport'];
  /** Reasons the import cannot go ahead with these options (empty when it can). */
  problems: string[];
  /** Images left out by the labeling choice (no CSV row, excluded label, excluded fold). */
  leftOut: { path: string; reason: string }[];
}

/** counts[split][class] of a list of assignments (unlabeled images count under one pseudo-class). */
export function countsOf(items: Assignment[], numClasses: number): Record<SplitName, number[]> {
  const labels = items.map((a) => a.label);
  const splits = Uint8Array.from(items.map((a) => SPLIT_CODES[a.split]));
  const c = splitCounts(labels, splits, Math.max(1, numClasses));
  return { train: c[0], val: c[1], test: c[2] };
}

/** Labels from class folders, a CSV or none; splits from split folders, CSV folds or a seeded stratified split. */
export function resolveImport(
  layout: LayoutResult,
  csvTables: ReadonlyMap<string, CsvTable>,
  o: ImportOptions,
): Resolved {
  const problems: string[] = [];
  const leftOut: Resolved['leftOut'] = [];
  const images = layout.images;
  let classes: string[] = [];
  let labels: number[] = images.map(() => -1);
  let csvSplits: (SplitName | null)[] | null = null;
  let csvReport: Resolved['csvReport'] = null;
  const keep = images.map(() => true);

  if (o.labeling === 'folders') {
    if (layout.classes.length === 0)
      problems.push('no class folders were found: choose "CSV" or "unlabeled" labeling');
    classes = layout.classes;
    labels = images.map((im) => (im.className === null ? -1 : classes.indexOf(im.className)));
  } else if (o.labeling === 'csv') {
    const c = o.csv;
    const table = c ? csvTables.get(c.path) : undefined;
    if (!c || !table) {
      problems.push('choose a CSV file and its columns');
    } else {
      const foldCol = c.foldColumn ? table.columns.indexOf(c.foldColumn) : -1;
      const folds = c.foldColumn
        ? [...new Set(table.rows.map((r) => (r[foldCol] ?? '').trim()))]
            .filter((f) => f !== '')
            .sort()
        : [];
      const foldToSplit = { ...suggestFoldToSplit(folds), ...c.foldToSplit };
      let res: ReturnType<typeof labelsFromCsv> | null = null;
      try {
        res = labelsFromCsv(
          table,
          {
            fileColumn: c.fileColumn,
            labelColumn: c.labelColumn,
            foldColumn: c.foldColumn,
            excludeLabels: c.excludeLabels,
            foldToSplit,
          },
          images.map((im) => im.relPath),
        );
      } catch (e) {
        problems.push((e as Error).message);
      }
      if (res) {
        classes = res.classes;
        labels = res.labels.map((l) => (l === null ? -1 : classes.indexOf(l)));
        csvSplits = res.splits;
        const noRow = new Set(res.imagesWithoutRow);
        csvReport = {
          missingFiles: res.missingFiles,
          imagesWithoutRow: res.imagesWithoutRow.map((i) => images[i].relPath),
          excludedRows: res.excludedRows,
          labelCounts: res.labelCounts,
          folds,
          foldToSplit,
        };
        images.forEach((im, i) => {
          if (labels[i] >= 0) return;
          keep[i] = false;
          leftOut.push({
            path: im.relPath,
            reason: noRow.has(i) ? 'no row in the CSV' : 'label or fold excluded',
          });
        });
        if (classes.length === 0)
          problems.push('the chosen label column gives no classes (all excluded?)');
      }
    }
  }

  let splits: (SplitName | null)[];
  if (o.splitMode === 'folders') {
    splits = images.map((im) => im.split);
    if (layout.splitsFound.length === 0)
      problems.push('there are no split folders (train/val/test): choose a random split');
  } else if (o.splitMode === 'csv-fold') {
    if (!csvSplits || !o.csv?.foldColumn) {
      problems.push('choose a fold column to split by CSV folds');
      splits = images.map(() => null);
    } else {
      splits = csvSplits;
      images.forEach((im, i) => {
        if (keep[i] && splits[i] === null) {
          keep[i] = false;
          leftOut.push({ path: im.relPath, reason: 'its fold is excluded' });
        }
      });
    }
  } else {
    const fracProblem = validateFractions(o.fractions);
    if (fracProblem) {
      problems.push(fracProblem);
      splits = images.map(() => 'train');
    } else {
      const keptIdx = images.map((_, i) => i).filter((i) => keep[i]);
      const codes = stratifiedSplit(
        keptIdx.map((i) => labels[i]),
        o.fractions,
        o.seed,
      );
      const out: (SplitName | null)[] = images.map(() => null);
      keptIdx.forEach((i, k) => (out[i] = SPLIT_NAMES[codes[k]]));
      splits = out;
    }
  }
  const items: Assignment[] = [];
  images.forEach((im, i) => {
    if (!keep[i]) return;
    items.push({
      entry: im.index,
      relPath: im.relPath,
      label: labels[i],
      split: splits[i] ?? 'train',
    });
  });
  // Storage order: split, class, then path — the same dataset from a folder or a zip is stored
  // (and fingerprinted) identically.
  items.sort(
    (a, b) =>
      SPLIT_CODES[a.split] - SPLIT_CODES[b.split] ||
      a.label - b.label ||
      naturalCompare(a.relPath, b.relPath),
  );
  if (items.length === 0 && problems.length === 0) problems.push('no images to import');
  return { items, classes, csvReport, problems, leftOut };
}

/**
 * Recognises how a dropped folder / zip of images is organised (split folders, ImageFolder, flat,
 * flat + CSV labels) from its relative paths alone. Pure string work: no file is read here.
 */
import { SPLIT_NAMES, type SplitName } from './types';

/** Image extensions the browser decodes (lower case, no dot). */
export const IMAGE_EXTENSIONS: readonly string[] = [
  'jpg',
  'jpeg',
  'png',
  'webp',
  'gif',
  'bmp',
  'avif',
];

/** Image formats recognised by extension but not decodable in the browser. */
export const UNSUPPORTED_IMAGE_EXTENSIONS: readonly string[] = [
  'tif',
  'tiff',
  'heic',
  'heif',
  'psd',
  'raw',
  'cr2',
  'nef',
  'svg',
  'ico',
];

export type LayoutKind = 'split-folders' | 'image-folder' | 'flat' | 'csv';

export interface LayoutImage {
  /** Index into the input `paths` array. */
  index: number;
  /** Path after the common root folder was stripped. */
  relPath: string;
  /** Class from the folder structure; null for flat / CSV layouts. */
  className: string | null;
  /** Split from a split folder (train/val/test); null when the layout has none. */
  split: SplitName | null;
}

export interface IgnoredFile {
  /** Index into the input `paths` array. */
  index: number;
  /** The path as given. */
  path: string;
  /** Human-readable reason, shown to the user when `silent` is false. */
  reason: string;
  /** True for junk nobody wants to hear about (.DS_Store, __MACOSX/, Thumbs.db, directories). */
  silent: boolean;
}

export interface LayoutResult {
  kind: LayoutKind;
  /** The common root folder that was stripped ('a/b' when several levels were), or null. */
  rootName: string | null;
  images: LayoutImage[];
  /** Class names in natural order ('2' < '10'); empty for flat / CSV layouts. */
  classes: string[];
  /** Splits that have at least one image, in train/val/test order. */
  splitsFound: SplitName[];
  /** Indices (into `paths`) of the CSV files found, in input order. */
  csvFiles: number[];
  ignored: IgnoredFile[];
}

const SPLIT_ALIASES: Record<string, SplitName> = {
  train: 'train',
  training: 'train',
  val: 'val',
  valid: 'val',
  validation: 'val',
  dev: 'val',
  test: 'test',
  testing: 'test',
};

/** Maps a folder name to a split ('Training' → 'train', 'valid' → 'val', …); null when it is none. */
export function splitFromName(name: string): SplitName | null {
  return SPLIT_ALIASES[name.trim().toLowerCase()] ?? null;
}

/** Lower-case extension without the dot ('' when the name has none). */
export function extensionOf(path: string): string {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/**
 * Natural-order comparison: digit runs compare as numbers ('img2' < 'img10'), the rest
 * case-insensitively, with the raw strings as a final tie-break so the order is total.
 */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const ta = a.match(re) ?? [];
  const tb = b.match(re) ?? [];
  const n = Math.min(ta.length, tb.length);
  for (let i = 0; i < n; i++) {
    const x = ta[i],
      y = tb[i];
    const dx = x.charCodeAt(0) >= 48 && x.charCodeAt(0) <= 57;
    const dy = y.charCodeAt(0) >= 48 && y.charCodeAt(0) <= 57;
    if (dx && dy) {
      const sx = x.replace(/^0+(?=\d)/, ''),
        sy = y.replace(/^0+(?=\d)/, '');
      if (sx.length !== sy.length) return sx.length - sy.length;
      if (sx !== sy) return sx < sy ? -1 : 1;
    } else if (dx !== dy) {
      return dx ? -1 : 1;
    } else {
      const lx = x.toLowerCase(),
        ly = y.toLowerCase();
      if (lx !== ly) return lx < ly ? -1 : 1;
    }
  }
  if (ta.length !== tb.length) return ta.length - tb.length;
  return a === b ? 0 : a < b ? -1 : 1;
}

const JUNK_NAMES = new Set(['thumbs.db', 'desktop.ini']);

/** Why a path is silently dropped, or null when it is a real file. */
function silentReason(path: string, segs: string[]): string | null {
  if (path.endsWith('/')) return 'directory';
  for (const s of segs) {
    if (s === '__MACOSX') return 'macOS resource fork (__MACOSX)';
    if (s.startsWith('.')) return 'hidden file';
  }
  if (JUNK_NAMES.has(segs[segs.length - 1].toLowerCase())) return 'system file';
  return null;
}

interface Candidate {
  index: number;
  segs: string[];
}

/**
 * Recognises the dataset layout from relative paths ('/'-separated; from a folder drop,
 * `webkitRelativePath` or zip entry names).
 * - split folders: `<split>/<class>/…/<file>` (class = first segment after the split);
 * - ImageFolder: `<class>/…/<file>`;
 * - flat: images at the top level, unlabeled, or kind 'csv' when a CSV file is present (a CSV next
 *   to a single folder of images also counts as 'csv'); split folders holding images directly are
 *   'flat' / 'csv' with the split set.
 * A common root folder is stripped (repeatedly, but never a split folder). With mixed depths the
 * interpretation covering most images wins and the rest are ignored with a reason.
 */
export function recognizeLayout(paths: string[]): LayoutResult {
  const ignored: IgnoredFile[] = [];
  const images: Candidate[] = [];
  const csvs: Candidate[] = [];

  paths.forEach((raw, index) => {
    const norm = raw.replace(/\\/g, '/').replace(/^(\.\/|\/)+/, '');
    const segs = norm.split('/').filter((s) => s.length > 0);
    if (segs.length === 0) {
      ignored.push({ index, path: raw, reason: 'empty path', silent: true });
      return;
    }
    const silent = silentReason(norm, segs);
    if (silent) {
      ignored.push({ index, path: raw, reason: silent, silent: true });
      return;
    }
    const ext = extensionOf(norm);
    if (IMAGE_EXTENSIONS.includes(ext)) images.push({ index, segs });
    else if (ext === 'csv') csvs.push({ index, segs });
    else if (UNSUPPORTED_IMAGE_EXTENSIONS.includes(ext)) {
      ignored.push({
        index,
        path: raw,
        reason: `unsupported image format: .${ext}`,
        silent: false,
      });
    } else {
      ignored.push({
        index,
        path: raw,
        reason: ext ? `not an image: .${ext}` : 'not an image: no file extension',
        silent: false,
      });
    }
  });

  // Strip common root folders (a zip of a folder has one; Kaggle zips often have two).
  const rootParts: string[] = [];
  const all = [...images, ...csvs];
  let depth0 = 0;
  for (;;) {
    if (all.length === 0) break;
    const first = all[0].segs[depth0];
    if (!all.every((c) => c.segs.length >= depth0 + 2 && c.segs[depth0] === first)) break;
    if (splitFromName(first) !== null) break;
    rootParts.push(first);
    depth0++;
  }
  for (const c of all) c.segs = c.segs.slice(depth0);
  const rootName = rootParts.length > 0 ? rootParts.join('/') : null;
  const hasCsv = csvs.length > 0;

  const out: LayoutImage[] = [];
  const take = (c: Candidate, className: string | null, split: SplitName | null): void => {
    out.push({ index: c.index, relPath: c.segs.join('/'), className, split });
  };
  const reject = (c: Candidate, reason: string): void => {
    ignored.push({ index: c.index, path: paths[c.index], reason, silent: false });
  };

  let kind: LayoutKind;
  const nested = images.filter((c) => c.segs.length >= 2);
  const topIsSplit = nested.length > 0 && nested.every((c) => splitFromName(c.segs[0]) !== null);

  if (topIsSplit) {
    const deep = images.filter((c) => c.segs.length >= 3);
    const inSplit = images.filter((c) => c.segs.length === 2);
    if (deep.length >= inSplit.length) {
      kind = 'split-folders';
      for (const c of images) {
        if (c.segs.length >= 3) take(c, c.segs[1], splitFromName(c.segs[0]));
        else if (c.segs.length === 2)
          reject(c, `image directly inside split folder "${c.segs[0]}", outside any class folder`);
        else reject(c, 'image at the top level, outside the split folders');
      }
    } else {
      kind = hasCsv ? 'csv' : 'flat';
      for (const c of images) {
        if (c.segs.length === 2) take(c, null, splitFromName(c.segs[0]));
        else if (c.segs.length >= 3)
          reject(
            c,
            `image in a subfolder of split folder "${c.segs[0]}" while most images sit directly in split folders`,
          );
        else reject(c, 'image at the top level, outside the split folders');
      }
    }
  } else {
    const top = images.filter((c) => c.segs.length === 1);
    const folderNames = new Set(nested.map((c) => c.segs[0]));
    if (hasCsv && folderNames.size <= 1) {
      // One folder of images (or a flat folder) next to a CSV: the CSV labels them.
      kind = 'csv';
      for (const c of images) take(c, null, null);
    } else if (nested.length >= top.length && nested.length > 0) {
      kind = 'image-folder';
      for (const c of images) {
        if (c.segs.length >= 2) take(c, c.segs[0], null);
        else reject(c, 'image at the top level, outside any class folder');
      }
    } else {
      kind = hasCsv ? 'csv' : 'flat';
      for (const c of images) {
        if (c.segs.length === 1) take(c, null, null);
        else reject(c, 'image in a subfolder while most images sit at the top level');
      }
    }
  }

  const classes = [
    ...new Set(out.map((i) => i.className).filter((c): c is string => c !== null)),
  ].sort(naturalCompare);
  const splitSet = new Set(out.map((i) => i.split));
  const splitsFound = SPLIT_NAMES.filter((s) => splitSet.has(s));
  ignored.sort((a, b) => a.index - b.index);
  return {
    kind,
    rootName,
    images: out,
    classes,
    splitsFound,
    csvFiles: csvs.map((c) => c.index),
    ignored,
  };
}

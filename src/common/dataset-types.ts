/**
 * Plain data the Data panel exchanges with the engine (no tfjs): an import's input, plan, options,
 * preview, progress and report; the shapes generator's options; the storage estimate.
 */
import type { SplitName } from '../ml/data/types';

/** What the page hands over for an import. Files are references (cheap to post), not copies. */
export type ImportInput =
  | { kind: 'files'; label: string; files: { file: File; path: string }[]; fromFolder: boolean }
  | { kind: 'zip'; label: string; file: File }
  | { kind: 'url'; label: string; url: string }
  | { kind: 'bundled'; label: string; url: string };

export type LayoutKind = 'split-folders' | 'image-folder' | 'flat' | 'csv';

export interface CsvCandidate {
  /** Path of the CSV file inside the drop. */
  path: string;
  columns: string[];
  /** First rows, for the column picker. */
  preview: string[][];
  rowCount: number;
  guess: { file: string | null; label: string | null; fold: string | null };
}

/** What the scan recognised, shown before anything is stored. */
export interface ImportPlan {
  planId: string;
  sourceLabel: string;
  suggestedName: string;
  layout: LayoutKind;
  imageCount: number;
  /** Classes found in folder names (empty for flat). */
  folderClasses: string[];
  splitsFound: SplitName[];
  csv: CsvCandidate[];
  /** Non-image files and other skipped entries, with reasons (hidden files are not listed). */
  ignored: { path: string; reason: string }[];
  silentlySkipped: number;
  /** Short sides of a sample of images (px). */
  sampleShortSide: { min: number; median: number; max: number } | null;
  defaultSize: ImageSize;
}

/** Stored side lengths (square RGB, 3 bytes a pixel: 224 px is ~150 KB an image). 160 / 224 suit ImageNet weights. */
export const IMAGE_SIZES = [32, 64, 96, 128, 160, 224] as const;
/** Bytes one stored image of `size` px takes (raw RGB; IndexedDB adds a little). */
export function storedImageBytes(size: number): number {
  return size * size * 3;
}
export type ImageSize = (typeof IMAGE_SIZES)[number];

export interface ImportOptions {
  name: string;
  size: ImageSize;
  labeling: 'folders' | 'csv' | 'none';
  csv?: {
    path: string;
    fileColumn: string;
    labelColumn: string;
    foldColumn: string | null;
    excludeLabels: string[];
    /** fold value → split, or 'exclude' to leave those rows out. */
    foldToSplit: Record<string, SplitName | 'exclude'>;
  };
  splitMode: 'folders' | 'random' | 'csv-fold';
  fractions: Record<SplitName, number>;
  seed: number;
}

/** Counts the options would give, computed without decoding anything. */
export interface ImportPreview {
  classes: string[];
  counts: Record<SplitName, number[]>;
  unlabeledCount: number;
  problems: string[];
  csvReport: null | {
    missingFiles: { row: number; file: string }[];
    imagesWithoutRow: string[];
    excludedRows: number;
    labelCounts: Record<string, number>;
    folds: string[];
    /** The fold → split mapping in effect (suggested until the user edits it). */
    foldToSplit: Record<string, SplitName | 'exclude'>;
  };
}

export interface ImportProgress {
  phase: 'download' | 'reading' | 'decoding' | 'saving' | 'done';
  done: number;
  total: number;
  imagesPerSec: number;
  etaSec: number | null;
  bytesDone?: number;
  bytesTotal?: number | null;
}

export interface ImportReport {
  datasetId: string | null;
  name: string;
  imported: number;
  /** Files skipped, each with its path and reason. Shown as text, never as HTML. */
  skipped: { path: string; reason: string }[];
  /** Groups of byte-identical files (imported as they are). */
  duplicates: string[][];
  csv: ImportPreview['csvReport'];
  cancelled: boolean;
  /** Set when the import failed as a whole (quota, unreadable zip); nothing was stored. */
  error: string | null;
  seconds: number;
  bytes: number;
}

export interface StorageInfo {
  usage: number | null;
  quota: number | null;
  datasets: { id: string; name: string; bytes: number }[];
}

export interface ShapesOptions {
  name: string;
  count: number;
  seed: number;
  size: 32;
  texture: boolean;
  fractions: Record<SplitName, number>;
}

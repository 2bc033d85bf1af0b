/**
 * What simlab keeps in IndexedDB for datasets, and its schema version.
 *
 * Layout (one idb-keyval store, keys are strings):
 *   `schema`             → { version }
 *   `meta/<id>`          → DatasetMeta (small; listed on start-up)
 *   `index/<id>`         → DatasetIndex (paths, labels and splits of every image, one record)
 *   `shard/<id>/<n>`     → Uint8Array of up to `shardCapacity` images, each size×size×3 uint8 RGB
 * Images are sharded (a few MiB per record): neither one record per image (50k records list slowly)
 * nor one giant record (cannot be written incrementally, and reading one image would load all).
 */
import type { SplitName } from '../ml/data/types';

export const DATASET_SCHEMA_VERSION = 1;

export type DatasetSourceKind = 'folder' | 'files' | 'zip' | 'url' | 'bundled' | 'generator';

export interface DatasetMeta {
  schemaVersion: number;
  id: string;
  name: string;
  /** 'importing' until the last shard and the index are written; never listed as usable before. */
  status: 'importing' | 'ready';
  createdAt: number;
  /** Updated while importing; a stale 'importing' record means the import was interrupted. */
  updatedAt: number;
  /** Side of the square stored images in px. */
  size: number;
  /** Class names; empty for an unlabeled dataset. */
  classes: string[];
  /** Number of images stored. */
  count: number;
  /** counts[split][classIndex] (unlabeled datasets use one pseudo-class). */
  counts: Record<SplitName, number[]>;
  /** Bytes of pixel data stored. */
  bytes: number;
  shardCapacity: number;
  shardCount: number;
  source: { kind: DatasetSourceKind; description: string };
  /** How the splits were made. */
  splitSource: 'folders' | 'random' | 'csv-fold';
  /** Seed and fractions when splitSource is 'random'. */
  splitSeed?: number;
  splitFractions?: Record<SplitName, number>;
  /** A content fingerprint (sha-256 over the file hashes in path order) for run configs. */
  fingerprint: string;
}

export interface DatasetIndex {
  /** Original relative path of every image (file name included), in storage order. */
  paths: string[];
  /** Class index per image, -1 when unlabeled. */
  labels: Int16Array;
  /** Split code per image (SPLIT_CODES of src/ml/data/types: 0 train, 1 val, 2 test). */
  splits: Uint8Array;
}

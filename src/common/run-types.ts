/**
 * Plain data the Runs panel exchanges with the engine (no tfjs): exported files, what an imported
 * checkpoint held, the choice made for it, and a kNN figure of a stored run.
 */
import type { CheckpointSlot, RunRecord } from '../storage/run-schema';

/** A file made in the worker for the page to download. */
export interface RunFile {
  fileName: string;
  bytes: Uint8Array;
  /** Engine time to build it (ms). */
  ms: number;
}

/** What the user chose to do with an imported checkpoint. */
export type ImportChoice = 'continue' | 'fine-tune' | 'evaluate';

/** Kept per imported run (own store, beside the run store). */
export interface RunImportNote {
  runId: string;
  fileName: string;
  fileBytes: number;
  importedAt: number;
  kind: 'simlab-checkpoint' | 'torchvision-safetensors' | 'torchvision-pth';
  /** For weights files: what was taken from the file and what was left out, in words. */
  report?: string[];
  choice: ImportChoice | null;
  /** Class names of the dataset the file's run was trained on (simlab zips that say; absent otherwise). */
  classNames?: string[];
  /** Set when the run was re-linked to a stored dataset with the same classes (relinkDataset). */
  relinkedTo?: { datasetId: string; name: string; at: number };
}

/** A stored dataset an imported run can be re-linked to (same classes in the same order, same image size). */
export interface RelinkCandidate {
  datasetId: string;
  name: string;
  size: number;
  count: number;
}

/** What importCheckpointFile found and stored. */
export interface ImportedRunInfo {
  record: RunRecord;
  note: RunImportNote;
  /** Models in the file, with their parameter counts. */
  models: { name: string; params: number }[];
  extras: string[];
  /** Class names the exporting dataset had (empty when the file does not say). */
  classNames: string[];
  /** Whether a stored dataset with the run's images (same fingerprint) was found. */
  datasetFound: boolean;
  /** Notes for the user (dataset re-linked, heads re-initialised, …). */
  notes: string[];
  ms: number;
}

/** kNN top-1 (and supervised val accuracy) of a stored run's checkpoint, measured with the run's monitor plan. */
export interface RunKnn {
  runId: string;
  slot: CheckpointSlot;
  knnTop1: number | null;
  valAcc: number | null;
  queries: number;
  bank: number;
}

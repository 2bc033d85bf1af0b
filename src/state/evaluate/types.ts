/** Plain types of the Evaluate panel's state (no runes). */
import type { FineTuneSnapshots } from '../../worker/api';

export type MapMethod = 'tsne' | 'pca' | 'umap';

/** What the panel is busy with (one engine request at a time). */
export type Busy = 'knn' | 'probe' | 'classifier' | 'embed' | 'finetune' | null;

/** What the explorer shows: one row per embedded image. */
export interface ExplorerPoints {
  /** run/slot/dataset the embeddings come from (a different choice re-embeds). */
  key: string;
  runId: string;
  datasetId: string;
  n: number;
  paths: string[];
  labels: Int32Array;
  /** 0 train, 1 val, 2 test. */
  splits: Uint8Array;
  indices: Int32Array;
  classes: string[];
}

/** A fine-tune's embedding snapshots, for the evolution maps. */
export interface EvolutionSource {
  key: string;
  label: string;
  snapshots: FineTuneSnapshots;
}

/** The evolution: one (normalised) t-SNE layout per snapshot, in epoch order; layouts arrive as they finish. */
export interface Evolution {
  key: string;
  label: string;
  epochs: number[];
  layouts: Float32Array[];
  points: ExplorerPoints;
}

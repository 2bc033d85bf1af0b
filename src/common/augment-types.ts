/**
 * Plain data of the Augment panel's preview (no tfjs): which stored images to augment with which
 * pipeline, and the two views the engine returns.
 */
import type { BackendName } from '../ml/backend-names';
import type { AugmentPipeline } from '../ml/augment/schema';

export interface AugmentPreviewRequest {
  datasetId: string;
  /** Images of the dataset to augment. */
  indices: number[];
  pipeline: AugmentPipeline;
  seed: number;
  /** Also return the float views as the engine made them (normalised space), for tests and export. */
  raw?: boolean;
}

export interface AugmentPreview {
  inputSize: number;
  outputSize: number;
  /** n × inputSize² × 3 uint8 RGB. */
  original: Uint8Array;
  /** n × outputSize² × 3 uint8 RGB, normalisation undone and clamped for display. */
  views: [Uint8Array, Uint8Array];
  /** Present when `raw`: the engine's float32 views, [n, S, S, 3] each. */
  rawViews?: [Float32Array, Float32Array];
  /** Engine time for both views (ms). */
  ms: number;
  backend: BackendName;
}

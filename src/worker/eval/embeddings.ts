/**
 * Embeddings of a stored dataset split under a run's checkpoint: the backbone's output (global
 * average pool) in inference mode (BN moving statistics), computed in batches on the active
 * backend, downloaded once and cached in memory per (run, slot, checkpoint, dataset, split).
 */
import * as tf from '@tensorflow/tfjs';
import { SPLIT_CODES } from '../../ml/data/types';
import type { DatasetIndex, DatasetMeta } from '../../storage/schema';
import type { DatasetStore } from '../../storage/dataset-store';
import type { RunStore } from '../../storage/run-store';
import type { CheckpointSlot } from '../../storage/run-schema';
import type { RunConfig } from '../../ml/train/config';
import type { TensorData, TrainCheckpoint } from '../../ml/train/checkpoint';
import { createBackbone } from '../../ml/models/backbones';
import { loadBackboneWeights } from '../../ml/models/load-backbone-weights';
import { monitorInput } from '../../ml/train/monitor';
import type { SplitName } from '../../ml/data/types';
import { initialWeights, type InitChoice } from './init-weights';

export type { EvalSplit } from '../../common/eval-types';
import type { EvalSplit } from '../../common/eval-types';

/** Which images under which weights (the run's checkpoint unless `init` says otherwise, see init-weights.ts). */
export interface EmbeddingKey extends InitChoice {
  runId: string;
  slot: CheckpointSlot;
  datasetId: string;
  split: EvalSplit;
}

/** Embeddings of one split: rows in dataset order of `indices`. */
export interface EmbeddingSet {
  /** Row-major [n × dim]. */
  x: Float32Array;
  n: number;
  dim: number;
  /** Dataset image index per row. */
  indices: Int32Array;
  /** Dataset class per row (-1 unlabeled). */
  labels: Int32Array;
  /** Checkpoint position the embeddings come from. */
  epoch: number;
  step: number;
}

/** Dataset image indices of a split, in storage order ('all' = every image). */
export function splitIndices(index: DatasetIndex, split: EvalSplit): number[] {
  const out: number[] = [];
  const code = split === 'all' ? -1 : SPLIT_CODES[split];
  for (let i = 0; i < index.splits.length; i++)
    if (code < 0 || index.splits[i] === code) out.push(i);
  return out;
}

/** Reads a run's checkpoint and its dataset, computes and caches embeddings of dataset splits. */
export class EmbeddingCache {
  readonly #datasets: DatasetStore;
  readonly #runs: RunStore;
  /** Most embedding sets kept (oldest dropped first). */
  static readonly MAX_ENTRIES = 6;
  readonly #cache = new Map<string, EmbeddingSet>();
  /** Pixels are read per chunk from the store (the worker's readImages). */
  readonly #readImages: (id: string, indices: number[]) => Promise<Uint8Array>;

  constructor(
    datasets: DatasetStore,
    runs: RunStore,
    readImages: (id: string, indices: number[]) => Promise<Uint8Array>,
  ) {
    this.#datasets = datasets;
    this.#runs = runs;
    this.#readImages = readImages;
  }

  async checkpoint(
    runId: string,
    slot: CheckpointSlot,
  ): Promise<{ ckpt: TrainCheckpoint; config: RunConfig }> {
    const ckpt = await this.#runs.getCheckpoint(runId, slot);
    if (!ckpt) throw new Error(`run ${runId} has no “${slot}” checkpoint stored`);
    return { ckpt, config: ckpt.config };
  }

  /** Pixels of stored images, n × size² × 3 uint8 RGB. */
  readImages(id: string, indices: number[]): Promise<Uint8Array> {
    return this.#readImages(id, indices);
  }

  async dataset(id: string): Promise<{ meta: DatasetMeta; index: DatasetIndex }> {
    const meta = await this.#datasets.getMeta(id);
    if (!meta || meta.status !== 'ready')
      throw new Error(`dataset ${id} is not stored (deleted, or its import never finished)`);
    return { meta, index: await this.#datasets.getIndex(id) };
  }

  /** Embeddings of key.split of key.datasetId under the run's checkpoint; cached (the checkpoint's createdAt is part of the key). */
  async get(
    key: EmbeddingKey,
    onProgress?: (done: number, total: number) => void,
  ): Promise<EmbeddingSet> {
    const { ckpt, config } = await this.checkpoint(key.runId, key.slot);
    const start = await initialWeights(
      ckpt,
      key.runId,
      key,
      async (id) => (await this.checkpoint(id, 'latest')).ckpt,
    );
    const id = `${key.runId}/${key.slot}/${ckpt.createdAt}/${start.tag}/${key.datasetId}/${key.split}`;
    const hit = this.#cache.get(id);
    if (hit) {
      this.#cache.delete(id);
      this.#cache.set(id, hit); // most recently used last
      return hit;
    }
    const { meta, index } = await this.dataset(key.datasetId);
    const indices = splitIndices(index, key.split);
    const set = await embedWithCheckpoint(
      ckpt,
      config,
      meta.size,
      indices,
      (idx) => this.#readImages(key.datasetId, idx),
      onProgress,
      128,
      start.weights,
    );
    set.labels = Int32Array.from(indices, (i) => index.labels[i]);
    // Older checkpoints of the same run and slot will not be asked for again.
    for (const k of [...this.#cache.keys()])
      if (
        k.startsWith(`${key.runId}/${key.slot}/`) &&
        !k.startsWith(`${key.runId}/${key.slot}/${ckpt.createdAt}/`)
      )
        this.#cache.delete(k);
    this.#cache.set(id, set);
    // Bounded: a 50k-image split of 512-d embeddings is ~100 MB.
    while (this.#cache.size > EmbeddingCache.MAX_ENTRIES)
      this.#cache.delete(this.#cache.keys().next().value as string);
    return set;
  }

  /** Forgets everything (e.g. after a run was deleted). */
  clear(): void {
    this.#cache.clear();
  }
}

/**
 * Embeds images with a checkpoint's backbone: uint8 pixels (size²×3 each) → Float32Array
 * [n × D], via monitorInput (the run's view-1 normalisation and resize) in chunks; every tensor
 * made here is disposed, the model included. `weights` replaces the checkpoint's backbone weights
 * (null = the seeded random initialisation of the run's architecture).
 */
export async function embedWithCheckpoint(
  ckpt: TrainCheckpoint,
  config: RunConfig,
  size: number,
  indices: number[],
  getImages: (indices: number[]) => Promise<Uint8Array>,
  onProgress?: (done: number, total: number) => void,
  chunk = 128,
  weights: TensorData[] | null = ckpt.backbone,
): Promise<EmbeddingSet> {
  const backbone = createBackbone(config.backbone, { initWeights: weights === null });
  const model = backbone.model;
  try {
    if (weights) loadBackboneWeights(model, weights);
    const dim = backbone.embeddingDim;
    const n = indices.length;
    const x = new Float32Array(n * dim);
    for (let i = 0; i < n; i += chunk) {
      const idx = indices.slice(i, i + chunk);
      const px = await getImages(idx);
      const out = tf.tidy(() => {
        const input = monitorInput(px, idx.length, size, config.augmentation);
        return model.apply(input, { training: false }) as tf.Tensor2D;
      });
      const vals = await out.data();
      out.dispose();
      x.set(vals as Float32Array, i * dim);
      onProgress?.(Math.min(n, i + chunk), n);
    }
    return {
      x,
      n,
      dim,
      indices: Int32Array.from(indices),
      labels: new Int32Array(n).fill(-1),
      epoch: ckpt.position.epoch,
      step: ckpt.position.step,
    };
  } finally {
    model.dispose();
  }
}

/**
 * A checkpoint as plain data (typed arrays + JSON) and the checks on it that need no tensors:
 * storage, the page and the worker read these; checkpoint.ts captures and restores them with tfjs.
 */
import type { MethodName } from '../methods/method-names';
import type { OptimizerKind } from '../optim/optimizer-config';
import type { RunConfig } from './config';
import type { BestMetric, Curves } from './curves';

export const CHECKPOINT_VERSION = 1;

/** A tensor's values on the CPU. */
export interface TensorData {
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  data: Float32Array | Int32Array | Uint8Array;
}

/** Where a run is: `epoch` epochs and `stepInEpoch` batches of the next one are done; `step` in all. */
export interface RunPosition {
  epoch: number;
  stepInEpoch: number;
  step: number;
}

export interface TrainCheckpoint {
  format: 'simlab-checkpoint';
  version: number;
  config: RunConfig;
  position: RunPosition;
  /** The backbone model's weights in `model.weights` order (trainable and BN moving statistics). */
  backbone: TensorData[];
  method: {
    method: MethodName;
    step: number;
    scalars: Record<string, number>;
    tensors: Record<string, TensorData>;
  };
  optimizer: { kind: OptimizerKind; t: number; slots: TensorData[][] };
  curves: Curves;
  best: BestMetric | null;
  createdAt: number;
}

/** Throws when `x` is not a checkpoint this version can load. */
export function checkCheckpoint(x: unknown): asserts x is TrainCheckpoint {
  const c = x as Partial<TrainCheckpoint> | null;
  if (!c || c.format !== 'simlab-checkpoint') throw new Error('not a simlab checkpoint');
  if (typeof c.version !== 'number' || c.version > CHECKPOINT_VERSION) {
    throw new Error(
      `checkpoint version ${String(c.version)} is newer than this simlab understands (${CHECKPOINT_VERSION})`,
    );
  }
}

/** Bytes of tensor data in a checkpoint (what it costs in IndexedDB, give or take the JSON). */
export function checkpointBytes(ckpt: TrainCheckpoint): number {
  let n = 0;
  for (const d of ckpt.backbone) n += d.data.byteLength;
  for (const d of Object.values(ckpt.method.tensors)) n += d.data.byteLength;
  for (const row of ckpt.optimizer.slots) for (const d of row) n += d.data.byteLength;
  return n;
}

/** True when every float value of the checkpoint is finite (a NaN step must not overwrite a good one). */
export function checkpointIsFinite(ckpt: TrainCheckpoint): boolean {
  const finite = (d: TensorData) => {
    if (d.dtype !== 'float32') return true;
    const a = d.data as Float32Array;
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
    return true;
  };
  return (
    ckpt.backbone.every(finite) &&
    Object.values(ckpt.method.tensors).every(finite) &&
    ckpt.optimizer.slots.every((r) => r.every(finite))
  );
}

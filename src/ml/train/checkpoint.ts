/**
 * Checkpoints that resume a run exactly: backbone weights (BatchNorm moving statistics included),
 * the method's state (heads, target/key networks, MoCo's queue and pointer), the optimiser's slots
 * and step count, the run position, and the curves so far — as a plain object of typed arrays and
 * JSON (structured-cloneable, so IndexedDB stores it as is and the worker can post it).
 *
 * Random state: every random draw of a run is derived from (run seed, epoch) for shuffling and
 * (run seed, step) for augmentation (see loop.ts), so the position is the whole rng state. The one
 * exception is a backbone with SeededDropout, whose generator restarts on resume.
 */
import * as tf from '@tensorflow/tfjs';
import type { Method, MethodState } from '../methods/method';
import { loadBackboneWeights } from '../models/load-backbone-weights';
import type { Optimizer } from '../optim/optimizers';
import type { RunConfig } from './config';
import type { BestMetric, Curves } from './events';

export {
  CHECKPOINT_VERSION,
  checkCheckpoint,
  checkpointBytes,
  checkpointIsFinite,
  type RunPosition,
  type TensorData,
  type TrainCheckpoint,
} from './checkpoint-types';
import {
  CHECKPOINT_VERSION,
  checkCheckpoint,
  type RunPosition,
  type TensorData,
  type TrainCheckpoint,
} from './checkpoint-types';

/** Downloads a tensor (await data(), never dataSync) into TensorData; the tensor stays the caller's. */
export async function readTensor(t: tf.Tensor): Promise<TensorData> {
  const dtype = t.dtype;
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool')
    throw new Error(`cannot checkpoint a ${dtype} tensor`);
  const raw = await t.data();
  const data =
    dtype === 'float32'
      ? Float32Array.from(raw as Float32Array)
      : dtype === 'int32'
        ? Int32Array.from(raw as Int32Array)
        : Uint8Array.from(raw as Uint8Array);
  return { shape: [...t.shape], dtype, data };
}

/** A new tensor from TensorData; the caller owns it. */
export function toTensor(d: TensorData): tf.Tensor {
  return tf.tensor(d.data, d.shape, d.dtype);
}

/** Reads and disposes every tensor of a record (for states whose tensors are copies). */
async function readAndDispose(ts: Record<string, tf.Tensor>): Promise<Record<string, TensorData>> {
  const out: Record<string, TensorData> = {};
  try {
    for (const [k, t] of Object.entries(ts)) out[k] = await readTensor(t);
  } finally {
    tf.dispose(Object.values(ts));
  }
  return out;
}

export interface CheckpointParts {
  config: RunConfig;
  /** The online backbone (owned by the caller). */
  backbone: tf.LayersModel;
  method: Method;
  optimizer: Optimizer;
  position: RunPosition;
  curves: Curves;
  best: BestMetric | null;
}

/** Captures a checkpoint of a live run (reads every tensor asynchronously; creates no lasting tensors). */
export async function captureCheckpoint(p: CheckpointParts): Promise<TrainCheckpoint> {
  const backbone: TensorData[] = [];
  for (const w of p.backbone.weights) backbone.push(await readTensor(w.read()));
  const ms = p.method.getState();
  const methodTensors = await readAndDispose(ms.tensors);
  const os = p.optimizer.getState(p.method.trainableVariables());
  const slots: TensorData[][] = [];
  try {
    for (const list of os.slots) {
      const row: TensorData[] = [];
      for (const t of list) row.push(await readTensor(t));
      slots.push(row);
    }
  } finally {
    tf.dispose(os.slots.flat());
  }
  return {
    format: 'simlab-checkpoint',
    version: CHECKPOINT_VERSION,
    config: structuredClone(p.config),
    position: { ...p.position },
    backbone,
    method: {
      method: ms.method,
      step: ms.step,
      scalars: { ...ms.scalars },
      tensors: methodTensors,
    },
    optimizer: { kind: os.kind, t: os.t, slots },
    curves: structuredClone(p.curves),
    best: p.best ? { ...p.best } : null,
    createdAt: Date.now(),
  };
}

/**
 * Loads a checkpoint into a freshly built backbone (loadBackboneWeights), method and optimiser of
 * the same config (shapes are checked; errors name what does not fit). Creates no lasting tensors.
 */
export function restoreCheckpoint(
  ckpt: TrainCheckpoint,
  into: { backbone: tf.LayersModel; method: Method; optimizer: Optimizer },
): void {
  checkCheckpoint(ckpt);
  loadBackboneWeights(into.backbone, ckpt.backbone);
  const tensors: tf.Tensor[] = [];
  try {
    const mt: Record<string, tf.Tensor> = {};
    for (const [k, d] of Object.entries(ckpt.method.tensors)) tensors.push((mt[k] = toTensor(d)));
    const state: MethodState = {
      method: ckpt.method.method,
      step: ckpt.method.step,
      scalars: ckpt.method.scalars,
      tensors: mt,
    };
    into.method.setState(state);
    const slots = ckpt.optimizer.slots.map((row) =>
      row.map((d) => {
        const t = toTensor(d);
        tensors.push(t);
        return t;
      }),
    );
    into.optimizer.setState(into.method.trainableVariables(), {
      kind: ckpt.optimizer.kind,
      t: ckpt.optimizer.t,
      slots,
    });
  } finally {
    tf.dispose(tensors);
  }
}

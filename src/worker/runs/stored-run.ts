/**
 * A stored run's checkpoint read back and rebuilt into a live backbone and method, for the run-file
 * operations (export, seeding a new run, kNN of a stored run).
 */
import * as tf from '@tensorflow/tfjs';
import { createMethod, toMethodConfig, type AnyMethod } from '../../ml/methods/create-method';
import type { SupervisedMethod } from '../../ml/methods/supervised';
import { createBackbone } from '../../ml/models/backbones';
import { loadBackboneWeights } from '../../ml/models/load-backbone-weights';
import { toTensor, type TrainCheckpoint } from '../../ml/train/checkpoint';
import type { RunConfig } from '../../ml/train/config';
import type { CheckpointSlot, RunRecord } from '../../storage/run-schema';
import type { RunStore } from '../../storage/run-store';

/** A run's record and its checkpoint `slot`; throws naming the run when either is missing. */
export async function loadStoredRun(
  runs: RunStore,
  runId: string,
  slot: CheckpointSlot,
): Promise<{ record: RunRecord; ckpt: TrainCheckpoint }> {
  const record = await runs.get(runId);
  if (!record) throw new Error(`run ${runId} does not exist`);
  const ckpt = await runs.getCheckpoint(runId, slot);
  if (!ckpt)
    throw new Error(
      `run “${record.name}” has no stored ${slot} checkpoint${record.storage.latest + record.storage.best === 0 ? ' (its checkpoints were deleted, or it never finished an epoch)' : ''}`,
    );
  return { record, ckpt };
}

/** A backbone and method rebuilt from a stored checkpoint (weights and method state restored); dispose() frees both. */
export interface RebuiltRun {
  config: RunConfig;
  backbone: tf.LayersModel;
  method: AnyMethod;
  dispose(): void;
}

/** Rebuilds the checkpoint's backbone (loadBackboneWeights) and method; on a throw nothing is left allocated. */
export function rebuildRun(ckpt: TrainCheckpoint): RebuiltRun {
  const config = ckpt.config;
  const bb = createBackbone(config.backbone, { initWeights: false });
  let method: AnyMethod | null = null;
  const temps: tf.Tensor[] = [];
  try {
    loadBackboneWeights(bb.model, ckpt.backbone);
    method = createMethod(bb.model, toMethodConfig(config.method));
    const mt: Record<string, tf.Tensor> = {};
    for (const [k, d] of Object.entries(ckpt.method.tensors)) temps.push((mt[k] = toTensor(d)));
    method.setState({
      method: ckpt.method.method,
      step: ckpt.method.step,
      scalars: ckpt.method.scalars,
      tensors: mt,
    });
  } catch (e) {
    method?.dispose();
    bb.model.dispose();
    throw e;
  } finally {
    tf.dispose(temps);
  }
  const m = method;
  return {
    config,
    backbone: bb.model,
    method: m,
    dispose() {
      m.dispose();
      bb.model.dispose();
    },
  };
}

/** The supervised method's linear classifier (the only head a file carries). */
export function classifierOf(method: AnyMethod): tf.Sequential | null {
  return method.name === 'supervised' ? (method as SupervisedMethod).classifier : null;
}

/**
 * Runs that start from existing weights: a TrainCheckpoint made from a backbone with fresh heads
 * and optimiser (what an import stores), and a new run seeded from a stored run's weights.
 */
import type * as tf from '@tensorflow/tfjs';
import { createMethod, toMethodConfig } from '../../ml/methods/create-method';
import { createOptimizer } from '../../ml/optim/optimizers';
import {
  captureCheckpoint,
  type RunPosition,
  type TrainCheckpoint,
} from '../../ml/train/checkpoint';
import { parseRunConfig, type RunConfig } from '../../ml/train/config';
import type { BestMetric, Curves } from '../../ml/train/events';
import { toOptimizerConfig } from '../../ml/train/optim-settings';
import { newRunRecord, type RunRecord } from '../../storage/run-schema';
import type { RunStore } from '../../storage/run-store';
import { classifierOf, loadStoredRun, rebuildRun } from './stored-run';

/**
 * A TrainCheckpoint of `backbone` (weights read as they are) with a fresh method (classifier
 * weights from `head` when supervised) and optimiser. `backbone` and `head` stay the caller's;
 * the method and optimiser made here are disposed.
 */
export async function checkpointFrom(
  config: RunConfig,
  backbone: tf.LayersModel,
  head: tf.LayersModel | null,
  at: { position: RunPosition; curves: Curves; best: BestMetric | null },
): Promise<TrainCheckpoint> {
  const method = createMethod(backbone, toMethodConfig(config.method));
  const optimizer = createOptimizer(toOptimizerConfig(config.optimizer));
  try {
    const cls = classifierOf(method);
    if (cls && head) {
      const ws = head.getWeights();
      if (
        ws.length !== cls.weights.length ||
        ws.some((w, i) => w.shape.join(',') !== cls.weights[i].shape.join(','))
      ) {
        throw new Error(
          `the file's classifier has shapes ${JSON.stringify(ws.map((w) => w.shape))}, the run's ${JSON.stringify(cls.weights.map((w) => w.shape))}`,
        );
      }
      cls.setWeights(ws);
    }
    const ckpt = await captureCheckpoint({
      config,
      backbone,
      method,
      optimizer,
      position: at.position,
      curves: at.curves,
      best: at.best,
    });
    // The step counter restarts: the imported state has no optimiser moments to continue from.
    return { ...ckpt, method: { ...ckpt.method, step: at.position.step } };
  } finally {
    optimizer.dispose();
    method.dispose();
  }
}

/**
 * A new run that starts from a stored run's weights: its 'latest' backbone (and, for the same
 * supervised classes, the classifier) with fresh heads and optimiser, at epoch 0, stored as
 * 'stopped' so resumeRun trains it (fine-tuning / continuing an imported run). `epochs` and
 * `name` override the source config.
 */
export async function seedRun(
  runs: RunStore,
  runId: string,
  opts: { epochs?: number; name?: string } = {},
): Promise<RunRecord> {
  const { record, ckpt } = await loadStoredRun(runs, runId, 'latest');
  const parsed = parseRunConfig({
    ...ckpt.config,
    epochs: opts.epochs ?? ckpt.config.epochs,
    name: opts.name ?? `${record.name} (from weights)`,
  });
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; '));
  const config = parsed.config;
  const r = rebuildRun(ckpt);
  try {
    const head = classifierOf(r.method);
    const seeded = await checkpointFrom(config, r.backbone, head, {
      position: { epoch: 0, stepInEpoch: 0, step: 0 },
      curves: { steps: [], epochs: [] },
      best: null,
    });
    const now = Date.now();
    let rec = newRunRecord({
      id: crypto.randomUUID(),
      config,
      backend: record.backend,
      adapter: record.adapter,
      now,
    });
    rec = { ...rec, status: 'stopped', endedAt: now };
    return await runs.saveCheckpoint(rec, seeded, ['latest']);
  } finally {
    r.dispose();
  }
}

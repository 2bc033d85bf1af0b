/**
 * What the Trainer builds before its first step: the run's plan over the data (train / bank /
 * queries, steps per epoch; with the checks that say why a config cannot train on a dataset) and
 * its parts (backbone, method, optimiser), fresh or restored from a checkpoint of the same config.
 */
import { createMethod, toMethodConfig, type AnyMethod } from '../methods/create-method';
import { createBackbone, type Backbone, type BackboneConfig } from '../models/backbones';
import { createOptimizer, type Optimizer } from '../optim/optimizers';
import { restoreCheckpoint, type TrainCheckpoint } from './checkpoint';
import type { RunConfig } from './config';
import type { DataSource } from './data-source';
import { batchesPerEpoch } from './epoch-batches';
import { planMonitor, type MonitorPlan } from './monitor';
import { toOptimizerConfig } from './optim-settings';

/** The run's split of the data and its steps per epoch (the last partial batch is dropped). */
export function planRun(
  c: RunConfig,
  data: DataSource,
  monitorData: DataSource,
): { plan: MonitorPlan; stepsPerEpoch: number } {
  const supervised = c.method.method === 'supervised';
  if (supervised) {
    if (data.numClasses < 2)
      throw new Error('supervised training needs a labelled dataset with at least 2 classes');
    if (c.method.method === 'supervised' && c.method.numClasses !== data.numClasses) {
      throw new Error(
        `method.numClasses is ${c.method.numClasses} but the dataset has ${data.numClasses} classes`,
      );
    }
  }
  const plan = planMonitor(data, c.monitor, c.seed, {
    supervised,
    queryData: monitorData === data ? undefined : monitorData,
  });
  const stepsPerEpoch = batchesPerEpoch(plan.train.length, c.batchSize, 'drop');
  if (stepsPerEpoch < 1) {
    throw new Error(
      `batch size ${c.batchSize} is larger than the ${plan.train.length} training images${supervised ? ' (labelled)' : ''}: lower the batch size`,
    );
  }
  return { plan, stepsPerEpoch };
}

export interface RunParts {
  backbone: Backbone<BackboneConfig>;
  method: AnyMethod;
  optimizer: Optimizer;
}

/**
 * The backbone, method and optimiser of a run: freshly initialised, or with the weights and
 * optimiser state of `resume` (which must hold the same config). The caller owns the parts; when
 * this throws, whatever it built is disposed.
 */
export function buildRunParts(c: RunConfig, resume?: TrainCheckpoint): RunParts {
  const backbone = createBackbone(c.backbone, { initWeights: !resume });
  let method: AnyMethod | null = null;
  let optimizer: Optimizer | null = null;
  try {
    method = createMethod(backbone.model, toMethodConfig(c.method));
    optimizer = createOptimizer(toOptimizerConfig(c.optimizer));
    if (resume) {
      if (JSON.stringify(resume.config) !== JSON.stringify(c)) {
        throw new Error(
          'the checkpoint belongs to a different run config; resume with the config stored in the checkpoint',
        );
      }
      restoreCheckpoint(resume, { backbone: backbone.model, method, optimizer });
    }
    return { backbone, method, optimizer };
  } catch (e) {
    method?.dispose();
    optimizer?.dispose();
    backbone.model.dispose();
    throw e;
  }
}

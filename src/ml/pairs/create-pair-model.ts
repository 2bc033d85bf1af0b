/** Builds one of the lab's three pair models from its config, optionally starting from a trained backbone. */
import type * as tf from '@tensorflow/tfjs';
import { EarlyFusionModel } from './early-fusion';
import { copyWeights, PAIR_MODEL_KINDS, type PairModel, type PairModelConfig } from './pair-model';
import { SiameseModel } from './siamese';

export interface CreatePairModelOptions {
  /**
   * Start from these weights: a LayersModel with the same architecture as the model's trunk (for
   * siamese models, a backbone built from the same config, e.g. a supervised circle-vs-square
   * ConvNet). Weights are copied; `startFrom` stays the caller's.
   */
  startFrom?: tf.LayersModel;
}

/** Creates the pair model named by config.kind; the caller disposes it (model.dispose()). */
export function createPairModel(
  config: PairModelConfig,
  opts: CreatePairModelOptions = {},
): PairModel {
  let model: PairModel;
  switch (config.kind) {
    case 'early-fusion':
      model = new EarlyFusionModel(config);
      break;
    case 'siamese':
    case 'siamese-aux':
      model = new SiameseModel(config);
      break;
    default: {
      const kind = (config as { kind: unknown }).kind;
      throw new Error(
        `unknown pair model ${JSON.stringify(kind)}; valid: ${PAIR_MODEL_KINDS.join(', ')}`,
      );
    }
  }
  if (opts.startFrom) {
    try {
      copyWeights(opts.startFrom, model.trunk);
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  return model;
}

/**
 * Which backbone weights an evaluation or a fine-tune starts from: the run's own checkpoint
 * ('ssl'), a freshly initialised network of the run's architecture ('random', seeded by the
 * backbone config's seed, so every backend and every call gets the same weights), or the latest
 * checkpoint of another run with the same architecture ('imported', e.g. a torchvision file
 * imported in the Runs panel). The run itself still decides the dataset, classes and input
 * normalisation, so the three starts are compared on the same data.
 */
import type { TensorData, TrainCheckpoint } from '../../ml/train/checkpoint';

export { WEIGHTS_INITS, type InitChoice, type WeightsInit } from '../../common/eval-types';
import type { InitChoice, WeightsInit } from '../../common/eval-types';

export interface InitialWeights {
  init: WeightsInit;
  /** Backbone weights in model.weights order; null = build the backbone with its seeded initialisation. */
  weights: TensorData[] | null;
  /** Tells cached embeddings of different starts apart (the imported checkpoint's createdAt is part of it). */
  tag: string;
  /** The run the weights come from (the run itself for 'ssl' and 'random'). */
  sourceRunId: string;
}

/** Throws unless `other` has exactly the shapes of `own` (same architecture), naming the first mismatch. */
export function checkSameArchitecture(own: TensorData[], other: TensorData[], what: string): void {
  if (own.length !== other.length)
    throw new Error(
      `${what} has ${other.length} backbone weights, this run's backbone ${own.length}: the architectures differ`,
    );
  for (let i = 0; i < own.length; i++) {
    if (own[i].shape.join(',') !== other[i].shape.join(',')) {
      throw new Error(
        `${what}: backbone weight ${i} has shape [${other[i].shape}], this run's [${own[i].shape}]: the architectures differ`,
      );
    }
  }
}

/** The starting backbone weights of `choice` for a run whose checkpoint is `own`; `load` reads another run's checkpoint. */
export async function initialWeights(
  own: TrainCheckpoint,
  ownRunId: string,
  choice: InitChoice,
  load: (runId: string) => Promise<TrainCheckpoint>,
): Promise<InitialWeights> {
  const init = choice.init ?? 'ssl';
  if (init === 'ssl') return { init, weights: own.backbone, tag: 'ssl', sourceRunId: ownRunId };
  if (init === 'random') return { init, weights: null, tag: 'random', sourceRunId: ownRunId };
  if (!choice.initRunId)
    throw new Error('imported weights need the run they were imported into (initRunId)');
  const other = await load(choice.initRunId);
  checkSameArchitecture(
    own.backbone,
    other.backbone,
    `the imported run's ${other.config.backbone.name}`,
  );
  return {
    init,
    weights: other.backbone,
    tag: `imported:${choice.initRunId}:${other.createdAt}`,
    sourceRunId: choice.initRunId,
  };
}

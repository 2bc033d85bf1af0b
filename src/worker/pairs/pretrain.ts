/** Circle-vs-square pre-training of a siamese backbone, then the pair model started from it. */
import { createBackbone, type BackboneConfigInput } from '../../ml/models/backbones';
import { createPairModel } from '../../ml/pairs/create-pair-model';
import type { PairModel, PairModelConfig } from '../../ml/pairs/pair-model';
import {
  pairImages,
  shapeClassifierAccuracy,
  trainShapeClassifier,
} from '../../ml/pairs/shape-classifier';
import type { PairData } from './pair-data';
import type { PairsEvent, PairsLabReport } from '../../common/pairs-types';

/**
 * Trains a fresh backbone (`backboneCfg`) to tell circles from squares on the train pairs' images,
 * streaming 'pretrain-epoch' events, measures its test accuracy, and returns a new pair model
 * (`modelCfg`) whose backbone starts from those weights. The caller owns (disposes) the returned
 * model; the pre-trained backbone and classifier are disposed here.
 */
export async function pretrainBackbone(
  backboneCfg: BackboneConfigInput,
  modelCfg: PairModelConfig,
  data: PairData,
  opts: { epochs: number; lr: number },
  seed: number,
  onEvent: (e: PairsEvent) => void,
): Promise<{ model: PairModel; pretrain: NonNullable<PairsLabReport['pretrain']> }> {
  const bb = createBackbone(backboneCfg);
  try {
    const images = pairImages(data.data.train);
    const batchSize = 64;
    const epochs: { epoch: number; loss: number; accuracy: number }[] = [];
    const { method } = await trainShapeClassifier(
      bb.model,
      images,
      data.size,
      {
        epochs: opts.epochs,
        batchSize,
        lr: opts.lr,
        schedule: {
          kind: 'cosine',
          totalSteps: opts.epochs * Math.ceil(images.length / batchSize),
        },
        seed,
      },
      (e) => {
        epochs.push({ epoch: e.epoch, loss: e.loss, accuracy: e.accuracy });
        onEvent({
          type: 'pretrain-epoch',
          epoch: e.epoch,
          epochs: opts.epochs,
          loss: e.loss,
          accuracy: e.accuracy,
          seconds: e.seconds,
        });
      },
    );
    try {
      const testAccuracy = await shapeClassifierAccuracy(
        method,
        pairImages(data.data.test),
        data.size,
      );
      return {
        model: createPairModel(modelCfg, { startFrom: bb.model }),
        pretrain: { epochs, testAccuracy },
      };
    } finally {
      method.dispose();
    }
  } finally {
    bb.model.dispose();
  }
}

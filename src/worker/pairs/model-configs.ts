/** The pair-model and backbone configs a pairs training request describes, checked against its data source. */
import type { BackboneConfigInput } from '../../ml/models/backbones';
import type { PairModelConfig } from '../../ml/pairs/pair-model';
import type { PairsTrainRequest } from '../../common/pairs-types';

/** The model configs a request describes (backbone and pair model); throws on combinations the lab cannot train. */
export function modelConfigs(
  req: PairsTrainRequest,
  size: number,
  generated: boolean,
): { model: PairModelConfig; backbone: BackboneConfigInput | null } {
  const m = req.model;
  if (!generated) {
    if (m.kind === 'siamese-aux')
      throw new Error(
        'the centre head needs shape centres: use the shapes generator for siamese + centre head',
      );
    if (req.pretrain) throw new Error('circle-vs-square pre-training needs the shapes generator');
    if (req.train.freshPairs) throw new Error('fresh pairs each epoch need the shapes generator');
  }
  if (m.kind === 'early-fusion') {
    if (m.backbone.name !== 'convnet')
      throw new Error(
        'early fusion stacks the two images into one 6-channel ConvNet: pick the ConvNet backbone',
      );
    if (req.pretrain)
      throw new Error(
        'pre-training applies to the siamese backbone, not to the 6-channel early-fusion net',
      );
    return {
      model: {
        kind: 'early-fusion',
        inputSize: size,
        width: m.backbone.width,
        blocks: m.backbone.blocks,
        headHidden: m.headHidden ?? 0,
        inputNorm: m.inputNorm ?? 'none',
        seed: m.seed,
      },
      backbone: null,
    };
  }
  const backbone: BackboneConfigInput =
    m.backbone.name === 'convnet'
      ? {
          name: 'convnet',
          inputSize: size,
          width: m.backbone.width,
          blocks: m.backbone.blocks,
          seed: m.seed,
        }
      : {
          name: 'mobilenetv3-small',
          inputSize: size,
          widthMultiplier: m.backbone.widthMultiplier,
          table: 'lowres',
          seed: m.seed,
        };
  return {
    model: {
      kind: m.kind,
      backbone,
      loss: m.loss,
      margin: m.margin,
      auxWeight: m.auxWeight,
      embeddingHead: m.embeddingHead ?? 'none',
      inputNorm: m.inputNorm ?? 'none',
      seed: m.seed,
    },
    backbone,
  };
}

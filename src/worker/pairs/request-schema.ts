/**
 * zod schema of the pairs lab's train request (what the Pairs panel posts): field types, ranges and
 * pair counts, checked where the request enters the lab (PairsLab.train). Combinations that
 * depend on the data (the centre head without the shapes generator, …) stay in lab.ts.
 */
import { z } from 'zod';
import { parseRequest } from '../parse-request';
import { finite, id, oneOf, optional, positive, seed, wholeNumber } from '../request-fields';
import type { PairsTrainRequest } from '../../common/pairs-types';

/** Pairs of a split: a whole number ≥ min (the test and validation splits need 2 for both labels' figures). */
const pairCount = (min: number) =>
  finite().refine((n) => Number.isInteger(n) && n >= min, {
    error: (i) => `need a whole number of pairs ≥ ${min}, got ${String(i.input)}`,
  });

const DataSpecSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({
      kind: z.literal('shapes'),
      seed: seed(),
      train: pairCount(1),
      test: pairCount(2),
      colour: pairCount(2),
      texture: pairCount(2),
    }),
    z.object({
      kind: z.literal('stored'),
      datasetId: id(),
      seed: seed(),
      train: pairCount(1),
      test: pairCount(2),
      val: pairCount(2),
      oodDatasetId: id().nullish(),
      ood: optional(pairCount(2)),
    }),
  ],
  { error: () => "must be 'shapes' or 'stored'" },
);

const BackboneSchema = z.discriminatedUnion(
  'name',
  [
    z.object({
      name: z.literal('convnet'),
      width: wholeNumber(1),
      blocks: z.union([z.literal(3), z.literal(4)], {
        error: (i) => `must be 3 or 4, got ${String(i.input)}`,
      }),
    }),
    z.object({ name: z.literal('mobilenetv3-small'), widthMultiplier: positive() }),
  ],
  { error: () => "must be 'convnet' or 'mobilenetv3-small'" },
);

const ModelSchema = z.object({
  kind: oneOf(['early-fusion', 'siamese', 'siamese-aux']),
  backbone: BackboneSchema,
  loss: oneOf(['cosine-embedding', 'contrastive']),
  margin: finite(),
  auxWeight: finite().refine((n) => n >= 0, { error: (i) => `must be ≥ 0, got ${i.input}` }),
  embeddingHead: optional(oneOf(['none', 'batchnorm', 'linear-batchnorm'])),
  headHidden: optional(wholeNumber(0)),
  inputNorm: optional(oneOf(['none', 'per-image'])),
  seed: seed(),
});

const TrainSchema = z.object({
  epochs: wholeNumber(1),
  lr: positive(),
  batchSize: wholeNumber(1),
  schedule: oneOf(['constant', 'cosine']),
  subset: wholeNumber(1).nullable(),
  onlyLabel: z.union([z.literal(0), z.literal(1), z.null()], {
    error: (i) => `must be 0, 1 or null, got ${String(i.input)}`,
  }),
  freshPairs: z.boolean(),
  lossScale: finite(),
  gradNorms: z.boolean(),
  seed: seed(),
  bins: wholeNumber(1),
});

/** The pairs lab's train request; its output is the request itself (nothing defaulted or dropped). */
export const PairsTrainRequestSchema: z.ZodType<PairsTrainRequest> = z.object({
  name: optional(z.string()),
  data: DataSpecSchema,
  model: ModelSchema,
  train: TrainSchema,
  pretrain: z.object({ epochs: wholeNumber(1), lr: positive() }).nullable(),
  galleryK: optional(wholeNumber(0)),
});

/** The request, checked; throws `invalid pairs request:` with one `path: message` line per bad field. */
export function parsePairsTrainRequest(raw: unknown): PairsTrainRequest {
  return parseRequest(PairsTrainRequestSchema, raw, 'pairs request');
}

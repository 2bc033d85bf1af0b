/**
 * zod schemas of the evaluation requests the Evaluate panel posts (kNN, linear probe, explorer
 * embeddings, fine-tune): field types and ranges, checked where each request enters the evaluator.
 * What depends on the stored data (class-map length, the imported run's architecture) stays in
 * evaluator.ts / init-weights.ts.
 */
import { z } from 'zod';
import { parseRequest } from '../parse-request';
import { finite, id, oneOf, optional, positive, seed, wholeNumber } from '../request-fields';
import type {
  EmbeddingsRequest,
  FineTuneRequest,
  KnnEvalRequest,
  OwnClassifierRequest,
  PredictRequest,
  ProbeEvalRequest,
} from '../../common/eval-types';

const slot = () => oneOf(['latest', 'best']);
const evalSplit = () => oneOf(['train', 'val', 'test', 'all']);
const weightsInit = () => oneOf(['ssl', 'random', 'imported']);

const targetFields = {
  runId: id(),
  slot: slot(),
  datasetId: optional(id()),
  querySplit: optional(evalSplit()),
  /** Range against the run's classes is checked in the evaluator, which knows them. */
  classMap: optional(
    z.array(
      finite().refine((n) => Number.isInteger(n) && n >= -1, {
        error: (i) => `must be a class index or -1, got ${String(i.input)}`,
      }),
    ),
  ),
  init: optional(weightsInit()),
  initRunId: optional(id()),
};

export const KnnEvalRequestSchema: z.ZodType<KnnEvalRequest> = z.object({
  ...targetFields,
  k: wholeNumber(1),
  temperature: positive(),
});

/**
 * A field the full-batch L-BFGS probe no longer has (it was Adam on minibatches): refused with a
 * message naming what replaced it, rather than silently dropped.
 */
const retired = (instead: string) =>
  z
    .undefined({
      error: () => `no longer applies: the linear probe is fitted full-batch by L-BFGS; ${instead}`,
    })
    .optional();

export const ProbeEvalRequestSchema: z.ZodType<ProbeEvalRequest> = z.object({
  ...targetFields,
  maxIterations: wholeNumber(1, 100_000),
  C: optional(positive()),
  epochs: retired('set maxIterations (one iteration = one pass over the training set)'),
  learningRate: retired('it needs no learning rate (set C for the regularisation)'),
  batchSize: retired('every iteration uses the whole training set'),
  seed: retired('it starts from zero weights and uses no randomness'),
});

export const OwnClassifierRequestSchema: z.ZodType<OwnClassifierRequest> = z.object(targetFields);

export const PredictRequestSchema: z.ZodType<PredictRequest> = z.object({
  runId: id(),
  slot: slot(),
  datasetId: id(),
  split: optional(evalSplit()),
  probabilities: optional(z.boolean()),
});

export const EmbeddingsRequestSchema: z.ZodType<EmbeddingsRequest> = z.object({
  runId: id(),
  slot: slot(),
  datasetId: optional(id()),
  splits: z.array(evalSplit()),
});

export const FineTuneRequestSchema: z.ZodType<FineTuneRequest> = z.object({
  runId: id(),
  slot: slot(),
  init: weightsInit(),
  initRunId: optional(id()),
  epochs: wholeNumber(1),
  learningRate: positive(),
  headLearningRate: optional(positive()),
  batchSize: wholeNumber(1),
  seed: seed(),
  snapshotEvery: optional(wholeNumber(0)),
  snapshotPoints: optional(wholeNumber(1)),
});

/** Each request checked; throws `invalid <kind> request:` with one `path: message` line per bad field. */
export const parseKnnRequest = (raw: unknown): KnnEvalRequest =>
  parseRequest(KnnEvalRequestSchema, raw, 'kNN request');
export const parseProbeRequest = (raw: unknown): ProbeEvalRequest =>
  parseRequest(ProbeEvalRequestSchema, raw, 'linear-probe request');
export const parseOwnClassifierRequest = (raw: unknown): OwnClassifierRequest =>
  parseRequest(OwnClassifierRequestSchema, raw, 'classifier request');
export const parsePredictRequest = (raw: unknown): PredictRequest =>
  parseRequest(PredictRequestSchema, raw, 'predict request');
export const parseEmbeddingsRequest = (raw: unknown): EmbeddingsRequest =>
  parseRequest(EmbeddingsRequestSchema, raw, 'embeddings request');
export const parseFineTuneRequest = (raw: unknown): FineTuneRequest =>
  parseRequest(FineTuneRequestSchema, raw, 'fine-tune request');

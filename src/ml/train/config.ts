/**
 * RunConfig: everything a training run needs, as one typed, validated (zod), JSON-serialisable
 * value — what the Train panel edits, a run record stores, and a checkpoint carries. Missing
 * sections are filled with per-method defaults (sized for 32–64 px images) by `parseRunConfig`.
 */
import { z } from 'zod';
import { presetPipeline } from '../augment/presets';
import { augmentPipelineSchema, formatPath } from '../augment/schema';
import { BackboneConfigSchema } from '../models/backbones/config-schema';
import type { MethodName } from '../methods/method-names';

const int = (msg = 'must be an integer') => z.number().int(msg);
const seedField = int()
  .min(0, 'must be ≥ 0')
  .max(2 ** 31 - 1, 'must be < 2^31');
const positiveDim = int().min(1, 'must be ≥ 1').max(8192, 'must be ≤ 8192');

/** Method configs as data (mirrors the methods' config interfaces; `seed` seeds the heads). */
export const MethodConfigSchema = z.discriminatedUnion('method', [
  z.strictObject({
    method: z.literal('supervised'),
    numClasses: int().min(2, 'needs at least 2 classes'),
    labelSmoothing: z.number().min(0).lt(1).default(0),
    seed: seedField.default(0),
  }),
  z.strictObject({
    method: z.literal('simclr'),
    temperature: z.number().gt(0, 'must be > 0').default(0.5),
    projectionHiddenDim: positiveDim.optional(),
    projectionDim: positiveDim.default(64),
    seed: seedField.default(0),
  }),
  z.strictObject({
    method: z.literal('byol'),
    tauBase: z.number().min(0).max(1).default(0.996),
    projectionHiddenDim: positiveDim.optional(),
    projectionDim: positiveDim.default(64),
    predictorHiddenDim: positiveDim.optional(),
    seed: seedField.default(0),
  }),
  z.strictObject({
    method: z.literal('simsiam'),
    projectionHiddenDim: positiveDim.optional(),
    projectionDim: positiveDim.optional(),
    predictorHiddenDim: positiveDim.optional(),
    seed: seedField.default(0),
  }),
  z.strictObject({
    method: z.literal('mocov2'),
    queueSize: int().min(16).max(65536).default(4096),
    momentum: z.number().min(0).max(1).default(0.99),
    temperature: z.number().gt(0, 'must be > 0').default(0.2),
    headHiddenDim: positiveDim.optional(),
    projectionDim: positiveDim.default(128),
    seed: seedField.default(0),
  }),
]);

export const OptimizerSettingsSchema = z.strictObject({
  name: z.enum(['sgd', 'adam', 'adamw', 'lars']),
  /** Base learning rate (the schedule scales it per step). */
  lr: z.number().gt(0, 'must be > 0').max(100, 'must be ≤ 100'),
  /** SGD / LARS momentum. */
  momentum: z.number().min(0).lt(1).default(0.9),
  nesterov: z.boolean().default(false),
  /** L2 (SGD, Adam, LARS) or decoupled (AdamW) weight decay; never on biases and BN γ/β. */
  weightDecay: z.number().min(0).max(1).default(0),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  epsilon: z.number().gt(0).default(1e-8),
  /** LARS trust coefficient η. */
  trustCoefficient: z.number().gt(0).default(0.001),
});

export const ScheduleSettingsSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('cosine'),
    warmupEpochs: z.number().min(0).default(0),
    /** The rate ends at lr·finalFactor. */
    finalFactor: z.number().min(0).max(1).default(0),
  }),
  z.strictObject({
    kind: z.literal('step'),
    /** Multiply the rate by gamma every `every` epochs. */
    every: int().min(1, 'must be ≥ 1'),
    gamma: z.number().gt(0).max(1),
    warmupEpochs: z.number().min(0).default(0),
  }),
  z.strictObject({ kind: z.literal('constant'), warmupEpochs: z.number().min(0).default(0) }),
]);

/** Where the kNN / validation monitor takes its labelled queries from. */
export const MonitorSourceSchema = z.union([
  /** The dataset's val split; falls back to 'carve' when it has no labelled val images. */
  z.literal('val-split'),
  /** The dataset's test split (for offline evaluation; never use it to choose settings). */
  z.literal('test-split'),
  /** A seeded fraction of the train split, held out of training and of the bank. */
  z.literal('carve'),
  /** The labelled images of another (same-size) dataset. */
  z.strictObject({ datasetId: z.string().min(1) }),
]);

export const MonitorSettingsSchema = z.strictObject({
  /** kNN top-1 every N epochs (also at epoch 0, before training); 0 = never. */
  knnEvery: int().min(0).default(1),
  k: int().min(1).max(1000).default(200),
  temperature: z.number().gt(0).default(0.1),
  /** Train embeddings in the kNN memory bank (a seeded subset). */
  bankSize: int().min(10).max(5000, 'must be ≤ 5000').default(5000),
  /** At most this many queries (a seeded subset of the source). */
  maxQueries: int().min(10).max(10000).default(2000),
  source: MonitorSourceSchema.default('val-split'),
  /** Fraction of train held out when carving. */
  carveFraction: z.number().gt(0).max(0.5).default(0.1),
});

export const DatasetRefSchema = z.strictObject({
  id: z.string().min(1, 'must not be empty'),
  name: z.string(),
  /** DatasetMeta.fingerprint: a run resumes only on the same images. */
  fingerprint: z.string(),
  /** Side of the stored square images in px. */
  size: int().min(8).max(512),
});

export const RunConfigSchema = z
  .strictObject({
    name: z.string().max(200).default(''),
    dataset: DatasetRefSchema,
    backbone: BackboneConfigSchema,
    method: MethodConfigSchema,
    augmentation: augmentPipelineSchema,
    epochs: int().min(1, 'must be ≥ 1').max(10000),
    batchSize: int().min(2, 'must be ≥ 2').max(4096),
    optimizer: OptimizerSettingsSchema,
    schedule: ScheduleSettingsSchema,
    /** Seeds shuffling, augmentation and the monitor subsets (see loop.ts). */
    seed: seedField,
    monitor: MonitorSettingsSchema.prefault({}),
    /** Per-layer gradient norms every K steps; 0 = never. */
    gradNormsEvery: int().min(0).default(0),
    /** Read losses back and send a step event every N steps. */
    logEvery: int().min(1).default(10),
    /** Checkpoint every N epochs (and when stopped). */
    checkpointEvery: int().min(1).default(1),
  })
  .superRefine((c, ctx) => {
    if (c.augmentation.outputSize !== c.backbone.inputSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['augmentation', 'outputSize'],
        message: `must equal backbone.inputSize (${c.backbone.inputSize}), got ${c.augmentation.outputSize}`,
      });
    }
    if (c.method.method === 'mocov2' && c.method.queueSize < c.batchSize) {
      ctx.addIssue({
        code: 'custom',
        path: ['method', 'queueSize'],
        message: `must be ≥ batchSize (${c.batchSize})`,
      });
    }
    if (c.method.method === 'simclr' && c.batchSize < 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['batchSize'],
        message: 'SimCLR needs at least 2 images per batch',
      });
    }
  });

export type RunConfig = z.infer<typeof RunConfigSchema>;
/** What a user or the UI may write: any subset of the defaulted fields. */
export type RunConfigInput = z.input<typeof RunConfigSchema>;
export type MethodSettings = RunConfig['method'];
export type OptimizerSettings = RunConfig['optimizer'];
export type ScheduleSettings = RunConfig['schedule'];
export type MonitorSettings = RunConfig['monitor'];
export type MonitorSource = MonitorSettings['source'];
export type DatasetRef = RunConfig['dataset'];

export interface ConfigProblem {
  /** Where, e.g. `optimizer.lr` or `augmentation.views[0][2].sigma`. */
  path: string;
  message: string;
}
export type ParseResult =
  { ok: true; config: RunConfig } | { ok: false; problems: ConfigProblem[] };

interface MethodDefaults {
  epochs: number;
  batchSize: number;
  optimizer: z.input<typeof OptimizerSettingsSchema>;
  schedule: z.input<typeof ScheduleSettingsSchema>;
  preset: string;
}

/**
 * Per-method defaults for small images (32–64 px) and short runs in a browser: Adam for the
 * contrastive/supervised runs (robust at small batch), SGD momentum for SimSiam and BYOL as their
 * papers (SimSiam's lr = 0.05·B/256; BYOL's LARS needs large batches, so SGD here).
 */
export const METHOD_DEFAULTS: Record<MethodName, MethodDefaults> = {
  supervised: {
    epochs: 10,
    batchSize: 64,
    optimizer: { name: 'adam', lr: 1e-3 },
    schedule: { kind: 'cosine' },
    preset: 'supervised',
  },
  simclr: {
    epochs: 20,
    batchSize: 128,
    optimizer: { name: 'adam', lr: 1e-3 },
    schedule: { kind: 'cosine', warmupEpochs: 1 },
    preset: 'simclr',
  },
  byol: {
    epochs: 20,
    batchSize: 128,
    optimizer: { name: 'sgd', lr: 0.05, momentum: 0.9, weightDecay: 5e-4 },
    schedule: { kind: 'cosine', warmupEpochs: 1 },
    preset: 'byol',
  },
  simsiam: {
    epochs: 20,
    batchSize: 128,
    optimizer: { name: 'sgd', lr: 0.025, momentum: 0.9, weightDecay: 5e-4 },
    schedule: { kind: 'cosine' },
    preset: 'simsiam',
  },
  mocov2: {
    epochs: 20,
    batchSize: 128,
    optimizer: { name: 'sgd', lr: 0.06, momentum: 0.9, weightDecay: 5e-4 },
    schedule: { kind: 'cosine' },
    preset: 'mocov2',
  },
};

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Fills absent top-level sections of `input` from the defaults of its method (and the backbone's
 * input size from the dataset size); present sections are kept as they are, so their own problems
 * are reported. Returns a new object; unknown methods are left for the schema to report.
 */
export function withMethodDefaults(input: unknown): unknown {
  if (!isRecord(input)) return input;
  const method = isRecord(input.method) ? input.method.method : undefined;
  if (typeof method !== 'string' || !(method in METHOD_DEFAULTS)) return input;
  const d = METHOD_DEFAULTS[method as MethodName];
  const out: Record<string, unknown> = { ...input };
  const size =
    isRecord(input.dataset) && typeof input.dataset.size === 'number' ? input.dataset.size : 32;
  if (out.backbone === undefined) out.backbone = { name: 'convnet', inputSize: size };
  else if (isRecord(out.backbone) && out.backbone.inputSize === undefined)
    out.backbone = { ...out.backbone, inputSize: size };
  const inputSize =
    isRecord(out.backbone) && typeof out.backbone.inputSize === 'number'
      ? out.backbone.inputSize
      : size;
  if (out.augmentation === undefined) out.augmentation = presetPipeline(d.preset, inputSize);
  out.epochs ??= d.epochs;
  out.batchSize ??= d.batchSize;
  out.optimizer ??= structuredClone(d.optimizer);
  out.schedule ??= structuredClone(d.schedule);
  out.seed ??= 0;
  return out;
}

/** Validates unknown JSON (after `withMethodDefaults`) as a RunConfig; on failure lists every problem with its path. */
export function parseRunConfig(json: unknown): ParseResult {
  const r = RunConfigSchema.safeParse(withMethodDefaults(json));
  if (r.success) return { ok: true, config: r.data };
  return {
    ok: false,
    problems: r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
  };
}

/** parseRunConfig or throw one Error listing every problem (`path: message` per line). */
export function runConfigOrThrow(json: unknown): RunConfig {
  const r = parseRunConfig(json);
  if (r.ok) return r.config;
  throw new Error(
    `invalid run config:\n${r.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`,
  );
}

/** A complete default config for `method` on `dataset` (supervised needs numClasses). */
export function defaultRunConfig(
  method: MethodName,
  dataset: DatasetRef,
  opts: { numClasses?: number; seed?: number } = {},
): RunConfig {
  const m: Record<string, unknown> = { method };
  if (method === 'supervised') m.numClasses = opts.numClasses;
  return runConfigOrThrow({ dataset, method: m, seed: opts.seed ?? 0 });
}

/**
 * The augmentation engine's public surface (see pipeline.ts for the contract): pipelines as data,
 * presets, batched views, sampled parameters for inspection, display helpers and a benchmark.
 */
export {
  applyView,
  augmentBatch,
  augmentPair,
  samplePair,
  sampleView,
  viewNormalization,
  type SampledStep,
  type SampledView,
} from './pipeline';
export {
  listPresets,
  presetPipeline,
  PRESET_NAMES,
  type AugmentPreset,
  type AugmentPresetName,
} from './presets';
export {
  AUGMENT_OP_NAMES,
  augmentOpSchema,
  augmentPipelineSchema,
  parsePipeline,
  validatePipeline,
  validateView,
  viewPipelineSchema,
  type AugmentOp,
  type AugmentOpName,
  type AugmentPipeline,
  type PipelineIssue,
  type PipelineValidation,
  type ViewPipeline,
} from './schema';
export { denormalize, IMAGENET_MEAN, IMAGENET_STD } from './ops/normalize';
export { benchmarkAugment, type AugmentBenchOptions, type AugmentBenchResult } from './benchmark';

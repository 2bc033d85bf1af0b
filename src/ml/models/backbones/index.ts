/**
 * Backbone registry: name → factory, a zod schema for the union of configs (JSON round-trips),
 * and re-exports of what the worker needs. Importing this module also registers the custom layers
 * (TorchBatchNorm, TorchHardSwish, TorchHardSigmoid, SeededDropout) with tf.serialization, so
 * `tf.models.modelFromJSON(model.toJSON(null, false))` works.
 */
import { z } from 'zod';
import type { Backbone, BuildOptions } from './backbone';
import { ConvNetConfigSchema, createConvNet, type ConvNetConfig } from './convnet';
import { ResNetConfigSchema, createResNet18, type ResNetConfig } from './resnet';
import { createResNet50, type ResNet50Config } from './resnet50';
import {
  MobileNetV3ConfigSchema,
  createMobileNetV3Small,
  type MobileNetV3Config,
} from './mobilenetv3';

export {
  BackboneConfigSchema,
  type BackboneConfig,
  type BackboneConfigInput,
  type BackboneName,
} from './config-schema';
import type { BackboneConfig, BackboneConfigInput, BackboneName } from './config-schema';
import { BackboneConfigSchema } from './config-schema';

type Factory = (config: BackboneConfig, opts: BuildOptions) => Backbone<BackboneConfig>;

const FACTORIES: Record<BackboneName, Factory> = {
  convnet: (c, o) => createConvNet(c as ConvNetConfig, o),
  resnet18: (c, o) => createResNet18(c as ResNetConfig, o),
  resnet50: (c, o) => createResNet50(c as ResNet50Config, o),
  'mobilenetv3-small': (c, o) => createMobileNetV3Small(c as MobileNetV3Config, o),
};

export const BACKBONE_NAMES = Object.keys(FACTORIES) as BackboneName[];

/** Validates and defaults a config; throws a readable error (listing valid names for an unknown name). */
export function parseBackboneConfig(config: unknown): BackboneConfig {
  const name = (config as { name?: unknown } | null)?.name;
  if (typeof name !== 'string' || !(BACKBONE_NAMES as string[]).includes(name)) {
    throw new Error(
      `unknown backbone ${JSON.stringify(name)}; valid names: ${BACKBONE_NAMES.join(', ')}`,
    );
  }
  const r = BackboneConfigSchema.safeParse(config);
  if (!r.success) {
    const issues = r.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new Error(`invalid ${name} config: ${issues}`);
  }
  return r.data;
}

/** Builds the backbone named by `config.name`: input [N, S, S, 3] → embedding [N, embeddingDim]. Caller disposes `model`. */
export function createBackbone(
  config: BackboneConfigInput,
  opts: BuildOptions = {},
): Backbone<BackboneConfig> {
  const parsed = parseBackboneConfig(config);
  return FACTORIES[parsed.name](parsed, opts);
}

/** Trainable parameter count (what PyTorch's sum(p.numel() for p in parameters()) reports). */
export function countTrainableParams(model: {
  trainableWeights: { shape: (number | null)[] }[];
}): number {
  return model.trainableWeights.reduce(
    (n, w) => n + w.shape.reduce<number>((a, d) => a * (d ?? 1), 1),
    0,
  );
}

export type { Backbone, BuildOptions } from './backbone';
export {
  ConvNetConfigSchema,
  createConvNet,
  regularizationLoss,
  type ConvNetConfig,
  type ConvNetConfigInput,
} from './convnet';
export {
  ResNetConfigSchema,
  createResNet18,
  type ResNetConfig,
  type ResNetConfigInput,
} from './resnet';
export {
  ResNet50ConfigSchema,
  createResNet50,
  type ResNet50Config,
  type ResNet50ConfigInput,
} from './resnet50';
export {
  MobileNetV3ConfigSchema,
  createMobileNetV3Small,
  makeDivisible,
  MOBILENETV3_TABLES,
  type MobileNetV3Config,
  type MobileNetV3ConfigInput,
} from './mobilenetv3';
export {
  toTorchStateDict,
  loadTorchStateDict,
  torchWeightEntries,
  torchModuleName,
  type TorchStateDict,
  type TorchTensor,
  type TorchWeightEntry,
} from './torch-state-dict';
export { TorchBatchNorm } from './layers/torch-batch-norm';
export { HardSwish, HardSigmoid } from './layers/hard-activations';
export { SeededDropout } from './layers/seeded-dropout';
export { modelCost, type ModelCost } from './cost';

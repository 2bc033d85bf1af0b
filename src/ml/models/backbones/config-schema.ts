/**
 * Backbone configs as zod schemas (plain data, tfjs-free: run configs, the page and storage read
 * them); the factories that build the models live beside, in convnet.ts, resnet.ts, mobilenetv3.ts.
 */
import { z } from 'zod';

/** PyTorch's BatchNorm2d defaults: eps 1e-5, momentum 0.1 (PyTorch meaning, see TorchBatchNorm). */
export const bnFields = {
  bnMomentum: z.number().gt(0).lt(1).default(0.1),
  bnEpsilon: z.number().gt(0).default(1e-5),
};

/** Input side length in pixels (square RGB input). */
export const inputSizeField = z.number().int().min(8).max(512).default(32);
/** Seed for the weight initialisation (createRng). */
export const seedField = z.number().int().default(0);

export const ConvNetConfigSchema = z.object({
  name: z.literal('convnet'),
  inputSize: inputSizeField,
  /** Channels of the first block; block b has width·2^(b−1). */
  width: z.number().int().min(1).max(512).default(32),
  blocks: z.union([z.literal(3), z.literal(4)]).default(4),
  convsPerBlock: z.union([z.literal(1), z.literal(2)]).default(1),
  activation: z.enum(['relu', 'gelu', 'silu', 'leakyRelu']).default('relu'),
  batchNorm: z.boolean().default(true),
  /** Dropout rate after each block's max-pool (0 = none). */
  dropout: z.number().min(0).max(0.9).default(0),
  /** PyTorch-style L2 weight decay on conv kernels, via kernelRegularizer (see file comment). */
  weightDecay: z.number().min(0).default(0),
  seed: seedField,
  ...bnFields,
});
export type ConvNetConfig = z.infer<typeof ConvNetConfigSchema>;
export type ConvNetConfigInput = z.input<typeof ConvNetConfigSchema>;

export const ResNetConfigSchema = z.object({
  name: z.literal('resnet18'),
  inputSize: inputSizeField,
  /** Channels of layer1 (torchvision: 64); layer k has width·2^(k−1). */
  width: z.number().int().min(1).max(256).default(64),
  stem: z.enum(['cifar', 'imagenet']).default('cifar'),
  seed: seedField,
  ...bnFields,
});
export type ResNetConfig = z.infer<typeof ResNetConfigSchema>;
export type ResNetConfigInput = z.input<typeof ResNetConfigSchema>;

export const ResNet50ConfigSchema = z.object({
  name: z.literal('resnet50'),
  inputSize: inputSizeField,
  /** Planes of layer1 (torchvision: 64); layer k has width·2^(k−1) planes, 4× that out. */
  width: z.number().int().min(1).max(256).default(64),
  stem: z.enum(['cifar', 'imagenet']).default('imagenet'),
  seed: seedField,
  ...bnFields,
});
export type ResNet50Config = z.infer<typeof ResNet50ConfigSchema>;
export type ResNet50ConfigInput = z.input<typeof ResNet50ConfigSchema>;

export const MobileNetV3ConfigSchema = z.object({
  name: z.literal('mobilenetv3-small'),
  inputSize: inputSizeField,
  /** torchvision's width_mult: every channel count becomes _make_divisible(c·m, 8). */
  widthMultiplier: z.number().gt(0).max(4).default(1),
  table: z.enum(['lowres', 'torchvision']).default('lowres'),
  /** Stem stride; null = 1 for inputSize ≤ 64, else 2. */
  stemStride: z.union([z.literal(1), z.literal(2), z.null()]).default(null),
  seed: seedField,
  ...bnFields,
});
export type MobileNetV3Config = z.infer<typeof MobileNetV3ConfigSchema>;
export type MobileNetV3ConfigInput = z.input<typeof MobileNetV3ConfigSchema>;

export const BackboneConfigSchema = z.discriminatedUnion('name', [
  ConvNetConfigSchema,
  ResNetConfigSchema,
  ResNet50ConfigSchema,
  MobileNetV3ConfigSchema,
]);
/** Fully defaulted config (what factories return and runs store). */
export type BackboneConfig = z.infer<typeof BackboneConfigSchema>;
/** Config as a user or the UI writes it: `name` plus any subset of the options. */
export type BackboneConfigInput = z.input<typeof BackboneConfigSchema>;
export type BackboneName = BackboneConfig['name'];

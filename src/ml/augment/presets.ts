/**
 * Augmentation presets as data (validated by schema.ts). Parameters follow each paper's ImageNet
 * recipe; sizes are relative, so they scale to any image size: crop scales are area fractions and the
 * blur kernel is `kernelFraction` = 10% of the side, rounded to the nearest odd number (SimCLR's rule:
 * 64 px → 7, 32 px → 3, 96 px → 9). Every preset except None ends with ImageNet mean/std
 * normalisation (torchvision's constants), as the papers' code does; `denormalize` undoes it for display.
 */
import { IMAGENET_MEAN, IMAGENET_STD } from './ops/imagenet-stats';
import {
  augmentPipelineSchema,
  type AugmentOp,
  type AugmentPipeline,
  type ViewPipeline,
} from './schema';

export const PRESET_NAMES = [
  'simclr',
  'byol',
  'simsiam',
  'mocov2',
  'supervised',
  'transfer',
  'gentle',
  'none',
] as const;
export type AugmentPresetName = (typeof PRESET_NAMES)[number];

export interface AugmentPreset {
  name: AugmentPresetName;
  label: string;
  /** The paper and the parameters taken from it, for the UI. */
  citation: string;
  views: [ViewPipeline, ViewPipeline];
}

const INCEPTION_RATIO: [number, number] = [3 / 4, 4 / 3];
const SIGMA: [number, number] = [0.1, 2.0];

const crop = (lo: number): AugmentOp => ({
  op: 'random-resized-crop',
  enabled: true,
  p: 1,
  scale: [lo, 1],
  ratio: INCEPTION_RATIO,
});
const flip: AugmentOp = { op: 'horizontal-flip', enabled: true, p: 0.5 };
const jitter = (p: number, b: number, c: number, s: number, h: number): AugmentOp => ({
  op: 'color-jitter',
  enabled: true,
  p,
  brightness: b,
  contrast: c,
  saturation: s,
  hue: h,
});
const gray = (p: number): AugmentOp => ({ op: 'random-grayscale', enabled: true, p });
const blur = (p: number): AugmentOp => ({
  op: 'gaussian-blur',
  enabled: true,
  p,
  sigma: SIGMA,
  kernelFraction: 0.1,
});
const solarize = (p: number): AugmentOp => ({ op: 'solarize', enabled: true, p, threshold: 0.5 });
const norm: AugmentOp = {
  op: 'normalize',
  enabled: true,
  p: 1,
  mean: [...IMAGENET_MEAN],
  std: [...IMAGENET_STD],
};

/**
 * SimCLR (Chen et al. 2020, "A Simple Framework for Contrastive Learning of Visual Representations",
 * appendix A): random resized crop scale 0.08–1 and ratio 3/4–4/3, flip 0.5, colour jitter with
 * strength s = 1 (0.8, 0.8, 0.8, 0.2) applied with p = 0.8, grayscale p = 0.2, Gaussian blur p = 0.5
 * (σ 0.1–2.0, kernel 10% of the side). The same transform for both views.
 */
const SIMCLR_VIEW: ViewPipeline = [
  crop(0.08),
  flip,
  jitter(0.8, 0.8, 0.8, 0.8, 0.2),
  gray(0.2),
  blur(0.5),
  norm,
];

/**
 * BYOL (Grill et al. 2020, "Bootstrap Your Own Latent", appendix B table 6), asymmetric: crop 0.08–1,
 * flip 0.5, colour jitter (0.4, 0.4, 0.2, 0.1) p = 0.8, grayscale p = 0.2; blur p = 1.0 / 0.1 and
 * solarize p = 0 / 0.2 for view 1 / view 2.
 */
const BYOL_VIEWS: [ViewPipeline, ViewPipeline] = [
  [crop(0.08), flip, jitter(0.8, 0.4, 0.4, 0.2, 0.1), gray(0.2), blur(1.0), solarize(0), norm],
  [crop(0.08), flip, jitter(0.8, 0.4, 0.4, 0.2, 0.1), gray(0.2), blur(0.1), solarize(0.2), norm],
];

/**
 * MoCo v2 (Chen, Fan, Girshick & He 2020, "Improved Baselines with Momentum Contrastive Learning"):
 * crop 0.2–1, colour jitter (0.4, 0.4, 0.4, 0.1) p = 0.8, grayscale p = 0.2, blur p = 0.5 (σ 0.1–2.0),
 * flip 0.5 — the order of the authors' code. Both views the same.
 */
const MOCOV2_VIEW: ViewPipeline = [
  crop(0.2),
  jitter(0.8, 0.4, 0.4, 0.4, 0.1),
  gray(0.2),
  blur(0.5),
  flip,
  norm,
];

/** SimSiam (Chen & He 2021, "Exploring Simple Siamese Representation Learning", appendix A): MoCo v2's augmentation. */
const SIMSIAM_VIEW: ViewPipeline = MOCOV2_VIEW;

/**
 * Supervised training: random resized crop 0.5–1, flip 0.5, rotation ±20° (always, like torchvision's
 * RandomRotation(20)), colour jitter (0.3, 0.3, 0.3, 0.05) p = 0.8. View 2 repeats view 1.
 */
const SUPERVISED_VIEW: ViewPipeline = [
  crop(0.5),
  flip,
  { op: 'rotation', enabled: true, p: 1, degrees: 20 },
  jitter(0.8, 0.3, 0.3, 0.3, 0.05),
  norm,
];

/**
 * Transfer (fine-tuning pretrained weights, as the cats-vs-dogs seminar does): random resized crop
 * 0.5–1, flip 0.5, rotation ±20° (always), colour jitter saturation 0.05 and hue 0.05 (always, like
 * torchvision's ColorJitter(saturation=0.05, hue=0.05)), then ImageNet normalisation.
 */
const TRANSFER_VIEW: ViewPipeline = [
  crop(0.5),
  flip,
  { op: 'rotation', enabled: true, p: 1, degrees: 20 },
  jitter(1, 0, 0, 0.05, 0.05),
  norm,
];

/** Gentle: weaker crops (0.5–1), flip 0.5, mild colour jitter (0.2, 0.2, 0.2, 0.02) p = 0.5; for small or fragile datasets. */
const GENTLE_VIEW: ViewPipeline = [crop(0.5), flip, jitter(0.5, 0.2, 0.2, 0.2, 0.02), norm];

/** None: resize to the output size and normalise only. */
const NONE_VIEW: ViewPipeline = [norm];

const clone = <T>(v: T): T => structuredClone(v);

const PRESETS: Record<AugmentPresetName, Omit<AugmentPreset, 'name'>> = {
  simclr: {
    label: 'SimCLR',
    citation:
      'Chen et al. 2020: crop 0.08–1, flip 0.5, jitter (0.8,0.8,0.8,0.2) p 0.8, grayscale 0.2, blur p 0.5',
    views: [SIMCLR_VIEW, SIMCLR_VIEW],
  },
  byol: {
    label: 'BYOL',
    citation:
      'Grill et al. 2020: crop 0.08–1, flip, jitter (0.4,0.4,0.2,0.1) p 0.8, grayscale 0.2, blur 1.0/0.1, solarize 0/0.2',
    views: BYOL_VIEWS,
  },
  simsiam: {
    label: 'SimSiam',
    citation:
      'Chen & He 2021: as MoCo v2 (crop 0.2–1, jitter (0.4,0.4,0.4,0.1) p 0.8, grayscale 0.2, blur 0.5, flip)',
    views: [SIMSIAM_VIEW, SIMSIAM_VIEW],
  },
  mocov2: {
    label: 'MoCo v2',
    citation:
      'Chen et al. 2020: crop 0.2–1, jitter (0.4,0.4,0.4,0.1) p 0.8, grayscale 0.2, blur p 0.5, flip 0.5',
    views: [MOCOV2_VIEW, MOCOV2_VIEW],
  },
  supervised: {
    label: 'Supervised',
    citation: 'crop 0.5–1, flip 0.5, rotation ±20°, jitter (0.3,0.3,0.3,0.05) p 0.8',
    views: [SUPERVISED_VIEW, SUPERVISED_VIEW],
  },
  transfer: {
    label: 'Transfer (fine-tuning)',
    citation: 'crop 0.5–1, flip 0.5, rotation ±20°, jitter saturation 0.05 hue 0.05 (p 1)',
    views: [TRANSFER_VIEW, TRANSFER_VIEW],
  },
  gentle: {
    label: 'Gentle',
    citation: 'crop 0.5–1, flip 0.5, jitter (0.2,0.2,0.2,0.02) p 0.5',
    views: [GENTLE_VIEW, GENTLE_VIEW],
  },
  none: { label: 'None', citation: 'resize and normalise only', views: [NONE_VIEW, NONE_VIEW] },
};

/** All presets (fresh copies the caller may edit), in the order the UI lists them. */
export function listPresets(): AugmentPreset[] {
  return PRESET_NAMES.map((name) => ({ name, ...clone(PRESETS[name]) }));
}

/** A preset's pipeline at the given output size (a fresh, validated copy); unknown names list the valid ones. */
export function presetPipeline(name: string, outputSize = 64): AugmentPipeline {
  if (!(PRESET_NAMES as readonly string[]).includes(name)) {
    throw new Error(
      `unknown augmentation preset '${name}'; valid presets: ${PRESET_NAMES.join(', ')}`,
    );
  }
  const p = PRESETS[name as AugmentPresetName];
  return augmentPipelineSchema.parse({ outputSize, views: clone(p.views) });
}

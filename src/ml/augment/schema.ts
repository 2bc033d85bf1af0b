/**
 * Augmentation pipelines as data: a zod schema for `{ outputSize, views: [ViewPipeline, ViewPipeline] }`.
 * A view is an ordered list of ops, each `{ op, enabled, p, ...params }`; pipelines are plain JSON so the
 * UI can show and edit them and a run can store them. Types are inferred from the schema.
 */
import { z } from 'zod';

const prob = z.number().min(0, 'must be ≥ 0').max(1, 'must be ≤ 1');

/** A `[min, max]` pair inside `[lo, hi]` with min ≤ max. */
function range(lo: number, hi: number, loExclusive = false) {
  const bound = loExclusive
    ? z.number().gt(lo, `must be > ${lo}`)
    : z.number().min(lo, `must be ≥ ${lo}`);
  const v = bound.max(hi, `must be ≤ ${hi}`);
  return z
    .tuple([v, v])
    .refine(([a, b]) => a <= b, { message: 'must be [min, max] with min ≤ max' });
}

const base = { enabled: z.boolean(), p: prob };

export const randomResizedCropSchema = z.strictObject({
  op: z.literal('random-resized-crop'),
  ...base,
  /** Fraction of the input area kept, `[min, max]` (torchvision RandomResizedCrop `scale`). */
  scale: range(0, 1, true),
  /** Width / height of the crop, `[min, max]`, sampled log-uniformly (torchvision `ratio`). */
  ratio: range(0.05, 20, true),
});

export const horizontalFlipSchema = z.strictObject({ op: z.literal('horizontal-flip'), ...base });

export const rotationSchema = z.strictObject({
  op: z.literal('rotation'),
  ...base,
  /** The angle is uniform in [-degrees, +degrees], counter-clockwise, zero fill outside the image. */
  degrees: z.number().min(0, 'must be ≥ 0').max(180, 'must be ≤ 180'),
});

const strength = z.number().min(0, 'must be ≥ 0').max(10, 'must be ≤ 10');
export const colorJitterSchema = z.strictObject({
  op: z.literal('color-jitter'),
  ...base,
  /** Factor uniform in [max(0, 1 − b), 1 + b]; multiplies the image. */
  brightness: strength,
  /** Factor uniform in [max(0, 1 − c), 1 + c]; blends with the grayscale mean. */
  contrast: strength,
  /** Factor uniform in [max(0, 1 − s), 1 + s]; blends with the grayscale image. */
  saturation: strength,
  /** Shift uniform in [−h, h] turns of the HSV hue circle. */
  hue: z.number().min(0, 'must be ≥ 0').max(0.5, 'must be ≤ 0.5'),
});

export const randomGrayscaleSchema = z.strictObject({ op: z.literal('random-grayscale'), ...base });

export const gaussianBlurSchema = z.strictObject({
  op: z.literal('gaussian-blur'),
  ...base,
  /** Sigma in pixels, uniform in `[min, max]` per image (SimCLR: [0.1, 2.0]). */
  sigma: range(0, 50, true),
  /** Kernel side as a fraction of the image side, rounded to the nearest odd number ≥ 3 (SimCLR: 0.1). */
  kernelFraction: z.number().gt(0, 'must be > 0').max(1, 'must be ≤ 1'),
});

export const solarizeSchema = z.strictObject({
  op: z.literal('solarize'),
  ...base,
  /** Pixels ≥ threshold are inverted (1 − x). */
  threshold: z.number().min(0, 'must be ≥ 0').max(1, 'must be ≤ 1'),
});

const triple = (check: z.ZodNumber) => z.tuple([check, check, check]);
export const normalizeSchema = z.strictObject({
  op: z.literal('normalize'),
  enabled: z.boolean(),
  /** Normalisation is deterministic: always applied to every image when enabled. */
  p: z.literal(1, 'must be 1 (normalisation applies to every image)'),
  mean: triple(z.number().min(-10, 'must be ≥ −10').max(10, 'must be ≤ 10')),
  std: triple(z.number().gt(0, 'must be > 0').max(10, 'must be ≤ 10')),
});

export const augmentOpSchema = z.discriminatedUnion('op', [
  randomResizedCropSchema,
  horizontalFlipSchema,
  rotationSchema,
  colorJitterSchema,
  randomGrayscaleSchema,
  gaussianBlurSchema,
  solarizeSchema,
  normalizeSchema,
]);

export const viewPipelineSchema = z
  .array(augmentOpSchema)
  .max(16, 'at most 16 ops per view')
  .superRefine((ops, ctx) => {
    const crops = ops.flatMap((o, i) => (o.op === 'random-resized-crop' ? [i] : []));
    if (crops.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [crops[1]],
        message: 'only one random-resized-crop per view',
      });
    }
    ops.forEach((o, i) => {
      if (o.op === 'normalize' && i !== ops.length - 1) {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          message: 'normalize must be the last op of a view',
        });
      }
    });
  });

export const augmentPipelineSchema = z.strictObject({
  /** Side of the square views, in pixels. */
  outputSize: z.number().int('must be an integer').min(8, 'must be ≥ 8').max(512, 'must be ≤ 512'),
  views: z.tuple([viewPipelineSchema, viewPipelineSchema]),
});

export type RandomResizedCropOp = z.infer<typeof randomResizedCropSchema>;
export type HorizontalFlipOp = z.infer<typeof horizontalFlipSchema>;
export type RotationOp = z.infer<typeof rotationSchema>;
export type ColorJitterOp = z.infer<typeof colorJitterSchema>;
export type RandomGrayscaleOp = z.infer<typeof randomGrayscaleSchema>;
export type GaussianBlurOp = z.infer<typeof gaussianBlurSchema>;
export type SolarizeOp = z.infer<typeof solarizeSchema>;
export type NormalizeOp = z.infer<typeof normalizeSchema>;
export type AugmentOp = z.infer<typeof augmentOpSchema>;
export type AugmentOpName = AugmentOp['op'];
export type ViewPipeline = z.infer<typeof viewPipelineSchema>;
export type AugmentPipeline = z.infer<typeof augmentPipelineSchema>;

/** Every op name, in the order the UI lists them. */
export const AUGMENT_OP_NAMES: readonly AugmentOpName[] = [
  'random-resized-crop',
  'horizontal-flip',
  'rotation',
  'color-jitter',
  'random-grayscale',
  'gaussian-blur',
  'solarize',
  'normalize',
];

export interface PipelineIssue {
  /** Where the problem is, e.g. `views[1][2].sigma`. */
  path: string;
  /** What is wrong, naming the op when the path points into one, e.g. `gaussian-blur sigma: must be > 0`. */
  message: string;
}

export type PipelineValidation =
  { ok: true; pipeline: AugmentPipeline } | { ok: false; issues: PipelineIssue[] };

/** Formats a zod path as `views[0][2].sigma`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const k of path)
    s += typeof k === 'number' ? `[${k}]` : s === '' ? String(k) : `.${String(k)}`;
  return s === '' ? '(root)' : s;
}

function opNameAt(input: unknown, path: readonly PropertyKey[]): string | null {
  if (path[0] !== 'views' || typeof path[1] !== 'number' || typeof path[2] !== 'number')
    return null;
  const views = (input as { views?: unknown })?.views;
  if (!Array.isArray(views)) return null;
  const view = views[path[1]];
  if (!Array.isArray(view)) return null;
  const op = (view[path[2]] as { op?: unknown } | undefined)?.op;
  return typeof op === 'string' ? op : null;
}

/** Validates unknown JSON as a pipeline; on failure lists every problem with its path and the op it is in. */
export function validatePipeline(input: unknown): PipelineValidation {
  const r = augmentPipelineSchema.safeParse(input);
  if (r.success) return { ok: true, pipeline: r.data };
  return {
    ok: false,
    issues: r.error.issues.map((iss) => {
      const op = opNameAt(input, iss.path);
      const field = iss.path.length > 3 ? iss.path.slice(3).map(String).join('.') : null;
      const where = op ? `${op}${field ? ` ${field}` : ''}: ` : '';
      return { path: formatPath(iss.path), message: `${where}${iss.message}` };
    }),
  };
}

/** Parses a pipeline or throws one Error whose message lists every problem (`path: message` per line). */
export function parsePipeline(input: unknown): AugmentPipeline {
  const v = validatePipeline(input);
  if (v.ok) return v.pipeline;
  throw new Error(
    `invalid augmentation pipeline:\n${v.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
  );
}

/** Validates one view (an ordered op list); same issue format as `validatePipeline`, paths start at the op index. */
export function validateView(
  input: unknown,
): { ok: true; view: ViewPipeline } | { ok: false; issues: PipelineIssue[] } {
  const r = viewPipelineSchema.safeParse(input);
  if (r.success) return { ok: true, view: r.data };
  return {
    ok: false,
    issues: r.error.issues.map((iss) => ({ path: formatPath(iss.path), message: iss.message })),
  };
}

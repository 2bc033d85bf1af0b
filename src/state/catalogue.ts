/**
 * The dataset catalogue (datasets-manifest.json), validated with zod so a bad entry is reported,
 * not silently shown.
 */
import { z } from 'zod';
import raw from '../../datasets-manifest.json';

const Bundled = z.object({
  id: z.string(),
  kind: z.literal('bundled'),
  name: z.string(),
  url: z.string(),
  format: z.literal('imagefolder-zip'),
  description: z.string(),
  license: z.string(),
  images: z.number().int().positive(),
  classes: z.number().int().positive(),
});
const Generator = z.object({
  id: z.string(),
  kind: z.literal('generator'),
  generator: z.literal('shapes'),
  name: z.string(),
  description: z.string(),
  license: z.string(),
  defaults: z.object({
    count: z.number().int().positive(),
    seed: z.number().int(),
    size: z.literal(32),
  }),
});
const Remote = z.object({
  id: z.string(),
  kind: z.literal('remote'),
  name: z.string(),
  url: z.url(),
  format: z.literal('imagefolder-zip'),
  description: z.string(),
  license: z.string(),
  bytes: z.number().int().positive().optional(),
});
/** Pretrained weights: downloaded only on the user's click, kept in IndexedDB, checked by sha256. */
const Weights = z.object({
  id: z.string(),
  name: z.string(),
  architecture: z.enum(['resnet18', 'resnet50', 'mobilenetv3-small']),
  url: z.url(),
  /** File name the download is stored and imported under (its extension picks the reader). */
  file: z.string(),
  format: z.enum(['safetensors', 'pth']),
  license: z.string(),
  /** Expected size, for the progress bar before the server says. */
  bytes: z.number().int().positive(),
  source: z.string(),
  /** Full sha256 when known; else it is pinned at the first download. */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** torchvision names its files after the first hex digits of their sha256: checked too. */
  sha256Prefix: z
    .string()
    .regex(/^[0-9a-f]{4,64}$/)
    .optional(),
  normalization: z.literal('imagenet'),
  inputSize: z.number().int().positive(),
  note: z.string().optional(),
});
export const ManifestSchema = z.object({
  version: z.literal(1),
  datasets: z.array(z.discriminatedUnion('kind', [Bundled, Generator, Remote])),
  weights: z.array(Weights).default([]),
});
export type Manifest = z.infer<typeof ManifestSchema>;
export type CatalogueEntry = Manifest['datasets'][number];
export type WeightsEntry = Manifest['weights'][number];

/**
 * The weights catalogue. `base` (the page's `?weightsBase=` — tests serve fixtures from
 * 127.0.0.1) replaces each entry's URL by base + its file name.
 */
export function loadWeightsCatalogue(base: string | null = null): {
  entries: WeightsEntry[];
  error: string | null;
} {
  const r = ManifestSchema.safeParse(raw);
  if (!r.success)
    return { entries: [], error: `datasets-manifest.json is invalid: ${z.prettifyError(r.error)}` };
  const entries = base
    ? r.data.weights.map((e) => ({ ...e, url: new URL(e.file, base).href }))
    : r.data.weights;
  return { entries, error: null };
}

export function loadCatalogue(): { entries: CatalogueEntry[]; error: string | null } {
  const r = ManifestSchema.safeParse(raw);
  if (r.success) return { entries: r.data.datasets, error: null };
  return { entries: [], error: `datasets-manifest.json is invalid: ${z.prettifyError(r.error)}` };
}

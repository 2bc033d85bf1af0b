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
export const ManifestSchema = z.object({
  version: z.literal(1),
  datasets: z.array(z.discriminatedUnion('kind', [Bundled, Generator, Remote])),
});
export type Manifest = z.infer<typeof ManifestSchema>;
export type CatalogueEntry = Manifest['datasets'][number];

export function loadCatalogue(): { entries: CatalogueEntry[]; error: string | null } {
  const r = ManifestSchema.safeParse(raw);
  if (r.success) return { entries: r.data.datasets, error: null };
  return { entries: [], error: `datasets-manifest.json is invalid: ${z.prettifyError(r.error)}` };
}

/**
 * The JSON inside a simlab checkpoint zip, as zod schemas: manifest.json (format, version, models,
 * extra files, sha256 of every file) and each model's model.json (tfjs layers format). Parsing
 * throws an Error naming the first problem (`path: message`).
 */
import { z } from 'zod';
import { formatPath } from '../augment/schema';

export const CHECKPOINT_FILE_FORMAT = 'simlab-checkpoint';
export const CHECKPOINT_FILE_VERSION = 1;

const CheckpointModelInfoSchema = z.object({
  name: z.string(),
  /** models/<name>/model.json */
  path: z.string(),
  /** Number of weight values (trainable and not). */
  params: z.number().int().min(0),
  weightsBytes: z.number().int().min(0),
  /** The model's input shapes, batch dimension as null. */
  inputShape: z.array(z.array(z.number().int().min(0).nullable())),
});
export type CheckpointModelInfo = z.infer<typeof CheckpointModelInfoSchema>;

/** manifest.json (format and version are checked first, with their own messages, see importCheckpoint). */
const CheckpointManifestSchema = z.object({
  format: z.literal(CHECKPOINT_FILE_FORMAT),
  formatVersion: z.number(),
  /** ISO 8601 time of export. */
  created: z.string(),
  generatedBy: z.string(),
  models: z.array(CheckpointModelInfoSchema, 'must list the models'),
  /** Names of the extra files (stored as extra/<name>). */
  extra: z.array(z.string()).default([]),
  /** sha256 (hex) of every file in the zip except manifest.json. */
  files: z.record(
    z.string(),
    z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in hex'),
    'must map every file to its sha256',
  ),
});
export type CheckpointManifest = z.infer<typeof CheckpointManifestSchema>;

/** model.json as loadModel reads it (dtype, shape and file-name checks follow, naming the weight). */
const ModelJsonSchema = z.object({
  format: z
    .literal('layers-model', {
      error: (iss) => `is ${JSON.stringify(iss.input)}, expected "layers-model"`,
    })
    .optional(),
  modelTopology: z.record(z.string(), z.unknown(), 'must be an object'),
  weightsManifest: z
    .array(
      z.object({
        paths: z.array(z.string(), 'must list the weight files'),
        weights: z.array(
          z.looseObject({ name: z.string(), shape: z.array(z.number()), dtype: z.string() }),
          'must list the weight specs',
        ),
      }),
    )
    .default([]),
});

/** manifest.json checked: format and version first (their own messages), then the schema. */
export function parseManifest(json: unknown): CheckpointManifest {
  const raw = json as { format?: unknown; formatVersion?: unknown } | null;
  if (raw === null || typeof raw !== 'object' || raw.format !== CHECKPOINT_FILE_FORMAT) {
    throw new Error(
      `not a simlab checkpoint: manifest.json format is ${JSON.stringify(raw?.format)}, expected "${CHECKPOINT_FILE_FORMAT}"`,
    );
  }
  if (raw.formatVersion !== CHECKPOINT_FILE_VERSION) {
    const newer =
      typeof raw.formatVersion === 'number' && raw.formatVersion > CHECKPOINT_FILE_VERSION;
    throw new Error(
      `checkpoint format version ${JSON.stringify(raw.formatVersion)} is not supported: this simlab reads version ${CHECKPOINT_FILE_VERSION}${newer ? ' (the file comes from a newer simlab)' : ''}`,
    );
  }
  const parsed = CheckpointManifestSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `manifest.json is malformed: ${parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

export type ModelJson = z.infer<typeof ModelJsonSchema>;

/** A model's model.json checked against ModelJsonSchema; errors start with `model '<name>'`. */
export function parseModelJson(name: string, json: unknown): ModelJson {
  const raw = json as { modelTopology?: unknown } | null;
  if (raw === null || typeof raw !== 'object' || !raw.modelTopology)
    throw new Error(`model '${name}': model.json has no modelTopology`);
  const parsed = ModelJsonSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `model '${name}': model.json is malformed: ${parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

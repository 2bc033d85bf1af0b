/**
 * A run as one downloadable file: a zip (fflate) that other tools can open without simlab.
 *
 *   manifest.json               {format: 'simlab-checkpoint', formatVersion: 1, created, models, extra, files: {path: sha256}}
 *   README.txt                  what is inside and how to load it in TensorFlow.js and in PyTorch
 *   config.json                 the run config (validated on import by the caller's validator)
 *   history.json                curves / metrics so far
 *   models/<name>/model.json    standard tfjs layers format (tf.loadLayersModel reads it as is)
 *   models/<name>/weights.bin   its weights (float32, little-endian, in weightsManifest order)
 *   extra/<name>                caller's extra files, e.g. backbone.safetensors (torchvision resnet18)
 *
 * Import checks the zip, format, version, every file's sha256, the config, and each model's
 * topology (only layer / initializer classes registered with tf.serialization: nothing in the file
 * is ever evaluated as code) and weight shapes, and names the first problem it finds.
 */
import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
// simlab's custom layers must be registered before a topology that uses them is deserialised.
import '../models/backbones/layers/torch-batch-norm';
import '../models/backbones/layers/hard-activations';
import '../models/backbones/layers/seeded-dropout';
import {
  CHECKPOINT_FILE_FORMAT,
  CHECKPOINT_FILE_VERSION,
  parseManifest,
  parseModelJson,
  type CheckpointManifest,
  type CheckpointModelInfo,
} from './checkpoint-manifest';
import { checkpointReadme } from './checkpoint-readme';
import { pickledTorchKind } from './safetensors';
import { sha256Hex } from './sha256';

export { sha256Hex };
export { CHECKPOINT_FILE_FORMAT, CHECKPOINT_FILE_VERSION };
export type { CheckpointManifest, CheckpointModelInfo };

export interface ExportCheckpointInput {
  /** Models to store, by name ([A-Za-z0-9_.-], e.g. 'backbone', 'classifier'). Read with async data(); left untouched. */
  models: Record<string, tf.LayersModel>;
  /** Run config (JSON-serialisable). */
  config: unknown;
  /** Curves / metrics (JSON-serialisable). */
  history: unknown;
  /** Extra files by name, stored as extra/<name> (e.g. 'backbone.safetensors' from exportTorchvisionResNet18). */
  extra?: Record<string, Uint8Array>;
  /** Export time (default now); fixing it makes the bytes reproducible. */
  created?: Date;
}

export type ConfigValidator = (json: unknown) => { ok: boolean; problems: string[] };

export interface ImportedCheckpoint {
  /** Rebuilt models with their weights; the caller disposes them. */
  models: Record<string, tf.LayersModel>;
  config: unknown;
  history: unknown;
  manifest: CheckpointManifest;
  extra: Record<string, Uint8Array>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

function checkName(kind: string, name: string): void {
  if (!NAME.test(name) || name.includes('..'))
    throw new Error(
      `${kind} name ${JSON.stringify(name)} must be 1–100 characters of letters, digits, '_', '-', '.' (no '..')`,
    );
}

/** The tfjs layers-format model.json and weights.bin of `model` (via tf.io.withSaveHandler; reads weights with async data()). */
async function saveModel(model: tf.LayersModel): Promise<{
  json: Record<string, unknown>;
  weights: Uint8Array;
  specs: tf.io.WeightsManifestEntry[];
}> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = artifacts as tf.io.ModelArtifacts | null;
  if (!a || !a.modelTopology || !a.weightSpecs)
    throw new Error(`model '${model.name}' produced no topology or weights when saved`);
  const weights = new Uint8Array(
    a.weightData ? tf.io.CompositeArrayBuffer.join(a.weightData) : new ArrayBuffer(0),
  );
  const json: Record<string, unknown> = {
    format: 'layers-model',
    generatedBy: a.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
  };
  if (a.trainingConfig) json['trainingConfig'] = a.trainingConfig;
  return { json, weights, specs: a.weightSpecs };
}

/**
 * Packs models (tfjs layers format), config, history and extra files into one zip with a manifest
 * of sha256 hashes and a README. Returns the zip bytes; the models are not changed or disposed.
 */
export async function exportCheckpoint(input: ExportCheckpointInput): Promise<Uint8Array> {
  const created = (input.created ?? new Date()).toISOString();
  const files: Record<string, Uint8Array> = {};
  const infos: CheckpointModelInfo[] = [];
  const names = Object.keys(input.models);
  if (names.length === 0) throw new Error('a checkpoint needs at least one model');
  for (const name of names) {
    checkName('model', name);
    const model = input.models[name];
    const { json, weights, specs } = await saveModel(model);
    const seen = new Set<string>();
    for (const s of specs) {
      // Two nested models with the same layer names save clashing weight names; loading would mix them up.
      if (seen.has(s.name))
        throw new Error(
          `model '${name}' has two weights named '${s.name}'; store its nested models as separate entries`,
        );
      seen.add(s.name);
    }
    const path = `models/${name}/model.json`;
    files[path] = strToU8(JSON.stringify(json));
    files[`models/${name}/weights.bin`] = weights;
    infos.push({
      name,
      path,
      params: specs.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0),
      weightsBytes: weights.length,
      inputShape: model.inputs.map((t) => t.shape),
    });
  }
  const extra = Object.keys(input.extra ?? {});
  for (const e of extra) {
    checkName('extra file', e);
    files[`extra/${e}`] = input.extra![e];
  }
  files['config.json'] = strToU8(JSON.stringify(input.config ?? null, null, 1));
  files['history.json'] = strToU8(JSON.stringify(input.history ?? null));
  const base = {
    format: CHECKPOINT_FILE_FORMAT,
    formatVersion: CHECKPOINT_FILE_VERSION,
    created,
    generatedBy: 'simlab',
    models: infos,
    extra,
  } as const;
  files['README.txt'] = strToU8(checkpointReadme(base));
  const hashes: Record<string, string> = {};
  for (const [p, b] of Object.entries(files)) hashes[p] = await sha256Hex(b);
  const manifest: CheckpointManifest = { ...base, extra: [...extra], models: infos, files: hashes };

  const mtime = new Date(created);
  const zippable: Zippable = {
    'manifest.json': [strToU8(JSON.stringify(manifest, null, 1)), { mtime }],
  };
  for (const [p, b] of Object.entries(files)) {
    // Float weights barely compress (~7%), and deflating tens of MB costs seconds: store them.
    const binary = p.endsWith('.bin') || p.endsWith('.safetensors');
    zippable[p] = [b, { level: binary ? 0 : 6, mtime }];
  }
  return zipSync(zippable);
}

function parseJson(files: Record<string, Uint8Array>, path: string): unknown {
  const b = files[path];
  if (!b) throw new Error(`the checkpoint has no ${path}`);
  try {
    return JSON.parse(strFromU8(b));
  } catch (e) {
    throw new Error(`${path} in the checkpoint is not valid JSON (${(e as Error).message})`);
  }
}

/** Every class_name in a topology (layers, initializers, regularizers, constraints, nested models). */
function classNames(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => classNames(n, out));
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'class_name' && typeof v === 'string') out.add(v);
      else classNames(v, out);
    }
  }
  return out;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1 };

async function loadModel(name: string, files: Record<string, Uint8Array>): Promise<tf.LayersModel> {
  const dir = `models/${name}/`;
  const json = parseModelJson(name, parseJson(files, `${dir}model.json`));
  const registered = tf.serialization.SerializationMap.getMap().classNameMap;
  const unknown = [...classNames(json.modelTopology, new Set())].filter(
    (c) => !Object.prototype.hasOwnProperty.call(registered, c),
  );
  if (unknown.length > 0) {
    throw new Error(
      `model '${name}' uses classes this simlab does not know: ${unknown.join(', ')} (only registered tfjs / simlab layers are loaded; nothing in a file is run as code)`,
    );
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const g of json.weightsManifest) {
    for (const p of g.paths) {
      if (!NAME.test(p) || p.includes('..'))
        throw new Error(
          `model '${name}': weight file path ${JSON.stringify(p)} is not a plain file name`,
        );
      const b = files[dir + p];
      if (!b)
        throw new Error(`model '${name}': weight file ${dir}${p} is missing from the checkpoint`);
      parts.push(b);
    }
    specs.push(...(g.weights as tf.io.WeightsManifestEntry[]));
  }
  const total = parts.reduce((n, b) => n + b.length, 0);
  let need = 0;
  for (const s of specs) {
    if (!DTYPE_BYTES[s.dtype] || s.quantization)
      throw new Error(
        `model '${name}': weight '${s.name}' has unsupported dtype ${s.dtype}${s.quantization ? ' (quantized)' : ''}`,
      );
    if (!Array.isArray(s.shape) || s.shape.some((d) => !Number.isSafeInteger(d) || d < 0))
      throw new Error(
        `model '${name}': weight '${s.name}' has a bad shape ${JSON.stringify(s.shape)}`,
      );
    need += s.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[s.dtype];
  }
  if (need !== total)
    throw new Error(
      `model '${name}': the weight specs need ${need} bytes but the weight files hold ${total}`,
    );

  let model: tf.LayersModel;
  try {
    model = await tf.models.modelFromJSON({
      modelTopology: json.modelTopology as unknown as tf.io.ModelJSON['modelTopology'],
    });
  } catch (e) {
    throw new Error(`model '${name}': its topology could not be rebuilt (${(e as Error).message})`);
  }
  try {
    const bySpec = new Map(specs.map((s) => [s.name, s.shape]));
    for (const w of model.weights) {
      const s = bySpec.get(w.originalName);
      if (!s)
        throw new Error(
          `model '${name}': weight '${w.originalName}' ${JSON.stringify(w.shape)} is not in weights.bin`,
        );
      if (s.length !== w.shape.length || s.some((d, i) => d !== w.shape[i])) {
        throw new Error(
          `model '${name}': weight '${w.originalName}' has shape ${JSON.stringify(s)} in weights.bin but the architecture needs ${JSON.stringify(w.shape)}`,
        );
      }
    }
    if (specs.length !== model.weights.length) {
      const known = new Set(model.weights.map((w) => w.originalName));
      throw new Error(
        `model '${name}': weights.bin holds weights the architecture does not have: ${specs
          .filter((s) => !known.has(s.name))
          .map((s) => s.name)
          .join(', ')}`,
      );
    }
    const buf = new Uint8Array(total);
    let at = 0;
    for (const b of parts) {
      buf.set(b, at);
      at += b.length;
    }
    const values = tf.io.decodeWeights(buf.buffer, specs);
    model.loadWeights(values, true);
    tf.dispose(Object.values(values));
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * Opens a checkpoint zip made by exportCheckpoint: checks zip, format, version, sha256 of every
 * file, the config (with `validateConfig`) and each model's classes and weight shapes, then
 * rebuilds the models (tf.models.modelFromJSON + loadWeights). Throws an Error naming the first
 * problem. The caller owns (disposes) the returned models.
 */
export async function importCheckpoint(
  bytes: Uint8Array,
  validateConfig: ConfigValidator,
): Promise<ImportedCheckpoint> {
  const pickled = pickledTorchKind(bytes);
  if (pickled)
    throw new Error(
      'this is a pickled PyTorch file (torch.save), not a simlab checkpoint; PyTorch weights are imported as .safetensors',
    );
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    const looksSafetensors =
      bytes.length > 9 && bytes[8] === 0x7b && bytes[4] === 0 && bytes[5] === 0;
    throw new Error(
      looksSafetensors
        ? 'this is a .safetensors weights file, not a simlab checkpoint (.zip); import it as backbone weights instead'
        : `not a simlab checkpoint: the file does not start like a zip archive (${bytes.length} bytes)`,
    );
  }
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (e) {
    throw new Error(
      `the checkpoint zip is truncated or corrupt (${(e as Error).message}); download it again`,
    );
  }
  if (!files['manifest.json'])
    throw new Error('not a simlab checkpoint: the zip has no manifest.json');
  const manifest = parseManifest(parseJson(files, 'manifest.json'));
  for (const path of Object.keys(files)) {
    if (path === 'manifest.json' || path.endsWith('/')) continue;
    if (!(path in manifest.files))
      throw new Error(`the checkpoint holds ${path}, which its manifest does not list`);
  }
  for (const [path, hash] of Object.entries(manifest.files)) {
    const b = files[path];
    if (!b) throw new Error(`the checkpoint is missing ${path}, listed in its manifest`);
    if ((await sha256Hex(b)) !== hash)
      throw new Error(`${path} is corrupt: its sha256 does not match the manifest`);
  }
  const config = parseJson(files, 'config.json');
  const check = validateConfig(config);
  if (!check.ok)
    throw new Error(
      `config.json is not a valid run config: ${check.problems.join('; ') || 'rejected by the validator'}`,
    );
  const history = parseJson(files, 'history.json');

  const models: Record<string, tf.LayersModel> = {};
  try {
    for (const info of manifest.models) {
      checkName('model', info.name);
      models[info.name] = await loadModel(info.name, files);
    }
  } catch (e) {
    Object.values(models).forEach((m) => m.dispose());
    throw e;
  }
  const extra: Record<string, Uint8Array> = {};
  for (const e of manifest.extra) {
    checkName('extra file', e);
    const b = files[`extra/${e}`];
    if (!b) throw new Error(`the checkpoint is missing extra/${e}, listed in its manifest`);
    extra[e] = b;
  }
  return { models, config, history, manifest, extra };
}

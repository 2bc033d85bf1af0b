/**
 * A run imported from a file: a simlab checkpoint zip or a torchvision resnet18 .safetensors,
 * stored as a new finished run with a 'latest' checkpoint and an import note. An import either
 * stores a complete new run (record + checkpoint in one transaction, then its note) or throws
 * having stored nothing.
 */
import type * as tf from '@tensorflow/tfjs';
import { importCheckpoint, type ConfigValidator } from '../../ml/io/checkpoint-file';
import { pickledTorchKind } from '../../ml/io/safetensors';
import { readWeightsFile, type WeightsFile } from '../../ml/io/weights-file';
import { loadTorchvisionWeights } from '../../ml/io/torchvision-weights';
import { importTorchvisionResNet18 } from '../../ml/io/torchvision-resnet';
import { createBackbone, type BackboneConfigInput } from '../../ml/models/backbones';
import { parseRunConfig, type RunConfig } from '../../ml/train/config';
import type { DatasetStore } from '../../storage/dataset-store';
import type { RunNotesStore } from '../../storage/run-notes-store';
import { newRunRecord, type RunStatus } from '../../storage/run-schema';
import type { RunStore } from '../../storage/run-store';
import type { DatasetMeta } from '../../storage/schema';
import { parseRunHistory } from './run-history-file';
import { checkpointFrom } from './seed-run';
import type { ImportedRunInfo, RunImportNote } from '../../common/run-types';

/** Where an import stores what it reads. */
export interface ImportStores {
  datasets: DatasetStore;
  runs: RunStore;
  notes: RunNotesStore;
}

/** parseRunConfig as the checkpoint importer's validator (problems as `path: message`). */
export const runConfigValidator: ConfigValidator = (json) => {
  const r = parseRunConfig(json);
  return r.ok
    ? { ok: true, problems: [] }
    : { ok: false, problems: r.problems.map((p) => `${p.path || '(root)'}: ${p.message}`) };
};

/** The stored dataset a config refers to, or the one with the same images (fingerprint) under another id. */
async function findDataset(datasets: DatasetStore, config: RunConfig): Promise<DatasetMeta | null> {
  const direct = await datasets.getMeta(config.dataset.id);
  if (direct && direct.status === 'ready' && direct.fingerprint === config.dataset.fingerprint)
    return direct;
  const all = await datasets.allMeta();
  return (
    all.find((m) => m.status === 'ready' && m.fingerprint === config.dataset.fingerprint) ?? null
  );
}

/**
 * Validates a checkpoint zip (or a torchvision resnet18 .safetensors / .pth) and stores it as a new
 * finished run with a 'latest' checkpoint (backbone weights from the file; heads of
 * self-supervised methods and the optimiser state start fresh). Throws, storing nothing, on a
 * malformed file, a .pth whose pickle names a code-execution global, or the legacy .pth format
 * (with the conversion recipe).
 */
export async function importRunFile(
  stores: ImportStores,
  data: Blob | Uint8Array,
  fileName: string,
  opts: { datasetId?: string } = {},
): Promise<ImportedRunInfo> {
  const t0 = performance.now();
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(await data.arrayBuffer());
  // torch.save output (.pth / .pt zip, or the legacy pickle, whose reader gives the recipe).
  if (pickledTorchKind(bytes)) return importWeightsRun(stores, bytes, fileName, opts, t0);
  const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b;
  if (!isZip && (/\.safetensors$/i.test(fileName) || (bytes.length > 9 && bytes[8] === 0x7b))) {
    return importWeightsRun(stores, bytes, fileName, opts, t0);
  }
  const file = await importCheckpoint(bytes, runConfigValidator);
  const backbone = file.models.backbone;
  const owned = Object.values(file.models);
  try {
    if (!backbone)
      throw new Error(
        `the checkpoint has no 'backbone' model (it holds ${Object.keys(file.models).join(', ')})`,
      );
    const parsed = parseRunConfig(file.config);
    if (!parsed.ok) throw new Error('config.json is not a valid run config');
    let config = parsed.config;
    const h = parseRunHistory(file.history);
    const notes: string[] = [];
    const ds = await findDataset(stores.datasets, config);
    if (ds && ds.id !== config.dataset.id) {
      config = { ...config, dataset: { ...config.dataset, id: ds.id, name: ds.name } };
      notes.push(`linked to the stored dataset “${ds.name}” (same images, another id)`);
    } else if (!ds) {
      notes.push(
        `the dataset “${config.dataset.name}” it was trained on is not stored here: import the same images to continue training or evaluate`,
      );
    }
    checkBackboneFits(config, backbone);
    const head = file.models.classifier ?? null;
    const ckpt = await checkpointFrom(config, backbone, head, {
      position: h.position ?? { epoch: config.epochs, stepInEpoch: 0, step: 0 },
      curves: h.curves ?? { steps: [], epochs: [] },
      best: h.best ?? null,
    });
    if (config.method.method === 'supervised')
      notes.push(
        head
          ? 'classifier head restored from the file'
          : 'the file has no classifier head: it starts fresh',
      );
    else
      notes.push(
        `${config.method.method} heads and optimiser state start fresh (the file carries the backbone)`,
      );
    const status: RunStatus = h.run?.status === 'stopped' ? 'stopped' : 'finished';
    const now = Date.now();
    let record = newRunRecord({
      id: crypto.randomUUID(),
      config,
      backend: h.run?.backend ?? 'imported',
      adapter: h.run?.adapter ?? null,
      now,
    });
    record = {
      ...record,
      name: h.run?.name ?? (config.name || record.name),
      status,
      endedAt: now,
      curves: ckpt.curves,
      final: h.final ?? null,
    };
    const note: RunImportNote = {
      runId: record.id,
      fileName,
      fileBytes: bytes.length,
      importedAt: now,
      kind: 'simlab-checkpoint',
      choice: null,
    };
    if (h.classNames?.length) note.classNames = h.classNames;
    record = await stores.runs.saveCheckpoint(record, ckpt, ['latest']);
    await stores.notes.put(note);
    return {
      record,
      note,
      models: file.manifest.models.map((m) => ({ name: m.name, params: m.params })),
      extras: Object.keys(file.extra),
      classNames: h.classNames ?? [],
      datasetFound: !!ds,
      notes,
      ms: performance.now() - t0,
    };
  } finally {
    owned.forEach((m) => m.dispose());
  }
}

/** Throws unless the file's backbone has the weight shapes of a backbone built from its config. */
function checkBackboneFits(config: RunConfig, backbone: tf.LayersModel): void {
  const fresh = createBackbone(config.backbone, { initWeights: false });
  const freshShapes = fresh.model.weights.map((w) => w.shape.join('x'));
  fresh.model.dispose();
  const fileShapes = backbone.weights.map((w) => w.shape.join('x'));
  if (freshShapes.join(',') !== fileShapes.join(',')) {
    throw new Error(
      `the file's backbone (${fileShapes.length} weights) does not match a ${config.backbone.name} backbone built from its config (${freshShapes.length} weights)`,
    );
  }
}

/**
 * A torchvision resnet18 state_dict (.safetensors, or a .pth / training checkpoint) as a new run on
 * a stored dataset (`opts.datasetId`, else the first labelled one).
 */
async function importWeightsRun(
  stores: ImportStores,
  bytes: Uint8Array,
  fileName: string,
  opts: { datasetId?: string },
  t0: number,
): Promise<ImportedRunInfo> {
  const st = readWeightsFile(bytes, fileName);
  const arch = architectureOf(st, fileName);
  const all = (await stores.datasets.allMeta()).filter((m) => m.status === 'ready');
  if (opts.datasetId && !all.some((m) => m.id === opts.datasetId))
    throw new Error(
      `dataset ${opts.datasetId} is not stored (or not fully imported): pick another for these weights`,
    );
  // Without a choice: the first labelled dataset (the page asks the user; API callers may not).
  const meta = opts.datasetId
    ? all.find((m) => m.id === opts.datasetId)
    : (all.find((m) => m.classes.length > 0) ?? all[0]);
  if (!meta)
    throw new Error(
      'a run needs a dataset: import or generate one in the Data panel, then import the weights again',
    );
  const parsed = parseRunConfig({
    name: fileName.replace(/\.(safetensors|pth|pt|ckpt|bin)$/i, ''),
    dataset: { id: meta.id, name: meta.name, fingerprint: meta.fingerprint, size: meta.size },
    method: { method: 'simclr' },
    backbone: { ...arch.backbone, inputSize: meta.size },
  });
  if (!parsed.ok)
    throw new Error(
      `no run config fits these weights on “${meta.name}”: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    );
  const config = parsed.config;
  const bb = createBackbone(config.backbone, { initWeights: false });
  try {
    const ignored =
      arch.backbone.name === 'resnet18'
        ? importTorchvisionResNet18(bytes, bb.model, { fileName }).ignored
        : loadTorchvisionWeights(st.tensors, bb.model).ignored;
    const ckpt = await checkpointFrom(config, bb.model, null, {
      position: { epoch: 0, stepInEpoch: 0, step: 0 },
      curves: { steps: [], epochs: [] },
      best: null,
    });
    const now = Date.now();
    let record = newRunRecord({ id: crypto.randomUUID(), config, backend: 'imported', now });
    record = {
      ...record,
      name: `${config.name} (torchvision ${arch.label})`,
      status: 'finished',
      endedAt: now,
    };
    const note: RunImportNote = {
      runId: record.id,
      fileName,
      fileBytes: bytes.length,
      importedAt: now,
      kind: st.format === 'pth' ? 'torchvision-pth' : 'torchvision-safetensors',
      choice: null,
      report: fileReport(st),
    };
    record = await stores.runs.saveCheckpoint(record, ckpt, ['latest']);
    await stores.notes.put(note);
    const notes = [
      `${arch.described}, attached to dataset “${meta.name}” with a SimCLR config to edit`,
    ];
    notes.push(...fileReport(st));
    if (ignored.length) notes.push(`ignored: ${ignored.join(', ')}`);
    return {
      record,
      note,
      models: [{ name: 'backbone', params: bb.model.countParams() }],
      extras: [],
      classNames: meta.classes,
      datasetFound: true,
      notes,
      ms: performance.now() - t0,
    };
  } finally {
    bb.model.dispose();
  }
}

/** What the page says about a weights file beyond the architecture: what was taken, left, kept inert. */
function fileReport(st: WeightsFile): string[] {
  const out: string[] = [];
  if (st.took) out.push(`took ${st.took}`);
  if (st.skipped.length)
    out.push(
      `left out: ${st.skipped.slice(0, 8).join(', ')}${st.skipped.length > 8 ? ` and ${st.skipped.length - 8} more` : ''}`,
    );
  if (st.placeholders.length)
    out.push(`kept as inert placeholders (not run): ${st.placeholders.join(', ')}`);
  return out;
}

/**
 * The backbone a torchvision state_dict is for, from its keys: resnet50 (bottleneck conv3 keys),
 * mobilenet_v3_small (features.*; width multiplier from the stem's 16·m channels, torchvision's BN
 * eps 1e-3 / momentum 0.01), else resnet18; width and stem from conv1.
 */
function architectureOf(
  st: WeightsFile,
  fileName: string,
): { backbone: BackboneConfigInput; label: string; described: string } {
  const t = st.tensors;
  const stem0 = t['features.0.0.weight']?.shape;
  if (stem0 && t['features.1.block.0.0.weight']) {
    const m = stem0[0] / 16;
    return {
      backbone: {
        name: 'mobilenetv3-small',
        table: 'torchvision',
        widthMultiplier: m,
        bnEpsilon: 1e-3,
        bnMomentum: 0.01,
      },
      label: `mobilenet_v3_small ×${m}`,
      described: `MobileNetV3-Small (torchvision's 11-block table, width ×${m}, BN eps 1e-3)`,
    };
  }
  const conv1 = t['conv1.weight']?.shape;
  if (!conv1 || conv1.length !== 4 || (conv1[2] !== 3 && conv1[2] !== 7))
    throw new Error(
      `${fileName} is not a torchvision resnet18 / resnet50 / mobilenet_v3_small state_dict: it has no 3×3 or 7×7 conv1.weight and no features.0.0.weight${st.took ? ` (took ${st.took})` : ''}`,
    );
  const width = conv1[0];
  const stem = conv1[2] === 7 ? 'imagenet' : 'cifar';
  const deep = 'layer1.0.conv3.weight' in t;
  const name = deep ? 'resnet50' : 'resnet18';
  return {
    backbone: { name, width, stem },
    label: `${name} w${width}, ${stem} stem`,
    described: `${deep ? 'ResNet-50' : 'ResNet-18'} width ${width}, ${stem} stem`,
  };
}

/**
 * Runs as files: a stored run's checkpoint exported as a simlab checkpoint zip (tfjs layers
 * models + config + history, and a torchvision .safetensors for ResNet-18), a run imported back
 * from such a zip (or from a torchvision resnet18 .safetensors), and the kNN figure of a stored
 * run measured the way its training monitor measured it.
 *
 * An import either stores a complete new run (record + 'latest' checkpoint, in one transaction)
 * or throws having stored nothing.
 */
import * as tf from '@tensorflow/tfjs';
import { createStore, get, getMany, keys, set, type UseStore } from 'idb-keyval';
import {
  exportCheckpoint,
  importCheckpoint,
  type ConfigValidator,
} from '../../ml/io/checkpoint-file';
import { pickledTorchKind, readSafetensors } from '../../ml/io/safetensors';
import {
  exportTorchvisionResNet18,
  importTorchvisionResNet18,
} from '../../ml/io/torchvision-resnet';
import { createMethod, type AnyMethod } from '../../ml/methods/create-method';
import type { SupervisedMethod } from '../../ml/methods/supervised';
import { createBackbone } from '../../ml/models/backbones';
import { createOptimizer } from '../../ml/optim/optimizers';
import {
  captureCheckpoint,
  toTensor,
  type RunPosition,
  type TrainCheckpoint,
} from '../../ml/train/checkpoint';
import { parseRunConfig, toMethodConfig, type RunConfig } from '../../ml/train/config';
import type { BestMetric, Curves } from '../../ml/train/events';
import { toOptimizerConfig } from '../../ml/train/loop';
import { measureMonitors, planMonitor } from '../../ml/train/monitor';
import type { DatasetStore } from '../../storage/dataset-store';
import {
  newRunRecord,
  type CheckpointSlot,
  type FinalMetrics,
  type RunRecord,
  type RunStatus,
} from '../../storage/run-schema';
import type { RunStore } from '../../storage/run-store';
import type { DatasetMeta } from '../../storage/schema';
import { storeDataSource } from '../train/store-data-source';
import { fileSlug } from './file-name';
import type {
  ImportChoice,
  ImportedRunInfo,
  RelinkCandidate,
  RunFile,
  RunImportNote,
  RunKnn,
} from './types';

/** history.json of an exported run (the checkpoint file's free-form history, as simlab writes it). */
export interface RunHistoryFile {
  format: 'simlab-run-history';
  run: {
    name: string;
    status: RunStatus;
    backend: string;
    adapter: string | null;
    createdAt: number;
    endedAt: number | null;
  };
  slot: CheckpointSlot;
  classNames: string[];
  datasetFingerprint: string;
  position: RunPosition;
  best: BestMetric | null;
  curves: Curves;
  final: FinalMetrics | null;
}

/** parseRunConfig as the checkpoint importer's validator (problems as `path: message`). */
export const runConfigValidator: ConfigValidator = (json) => {
  const r = parseRunConfig(json);
  return r.ok
    ? { ok: true, problems: [] }
    : { ok: false, problems: r.problems.map((p) => `${p.path || '(root)'}: ${p.message}`) };
};

/** A backbone and method rebuilt from a stored checkpoint (weights and method state restored); dispose() frees both. */
interface Rebuilt {
  config: RunConfig;
  backbone: tf.LayersModel;
  method: AnyMethod;
  dispose(): void;
}

function rebuild(ckpt: TrainCheckpoint): Rebuilt {
  const config = ckpt.config;
  const bb = createBackbone(config.backbone, { initWeights: false });
  let method: AnyMethod | null = null;
  const temps: tf.Tensor[] = [];
  try {
    const ws = bb.model.weights;
    if (ws.length !== ckpt.backbone.length)
      throw new Error(
        `the checkpoint has ${ckpt.backbone.length} backbone weights, the ${config.backbone.name} backbone ${ws.length}`,
      );
    ws.forEach((w, i) => {
      if (ckpt.backbone[i].shape.join(',') !== w.shape.join(','))
        throw new Error(
          `backbone weight ${i} (${w.name}) has shape [${ckpt.backbone[i].shape}] in the checkpoint, [${w.shape}] in the model`,
        );
    });
    const values = ckpt.backbone.map(toTensor);
    temps.push(...values);
    bb.model.setWeights(values);
    method = createMethod(bb.model, toMethodConfig(config.method));
    const mt: Record<string, tf.Tensor> = {};
    for (const [k, d] of Object.entries(ckpt.method.tensors)) temps.push((mt[k] = toTensor(d)));
    method.setState({
      method: ckpt.method.method,
      step: ckpt.method.step,
      scalars: ckpt.method.scalars,
      tensors: mt,
    });
  } catch (e) {
    method?.dispose();
    bb.model.dispose();
    throw e;
  } finally {
    tf.dispose(temps);
  }
  const m = method;
  return {
    config,
    backbone: bb.model,
    method: m,
    dispose() {
      m.dispose();
      bb.model.dispose();
    },
  };
}

/** The supervised method's linear classifier (the only head a file carries). */
function classifierOf(method: AnyMethod): tf.Sequential | null {
  return method.name === 'supervised' ? (method as SupervisedMethod).classifier : null;
}

export class RunFiles {
  readonly #datasets: DatasetStore;
  readonly #runs: RunStore;
  readonly #notes: UseStore;

  constructor(datasets: DatasetStore, runs: RunStore, notesDb = 'simlab-run-imports') {
    this.#datasets = datasets;
    this.#runs = runs;
    this.#notes = createStore(notesDb, 'kv');
  }

  async #load(
    runId: string,
    slot: CheckpointSlot,
  ): Promise<{ record: RunRecord; ckpt: TrainCheckpoint }> {
    const record = await this.#runs.get(runId);
    if (!record) throw new Error(`run ${runId} does not exist`);
    const ckpt = await this.#runs.getCheckpoint(runId, slot);
    if (!ckpt)
      throw new Error(
        `run “${record.name}” has no stored ${slot} checkpoint${record.storage.latest + record.storage.best === 0 ? ' (its checkpoints were deleted, or it never finished an epoch)' : ''}`,
      );
    return { record, ckpt };
  }

  /** The run's checkpoint `slot` as a simlab checkpoint zip: backbone (+ supervised classifier), config, history, and backbone.safetensors for ResNet-18. */
  async exportCheckpoint(runId: string, slot: CheckpointSlot): Promise<RunFile> {
    const t0 = performance.now();
    const { record, ckpt } = await this.#load(runId, slot);
    const meta = await this.#datasets.getMeta(ckpt.config.dataset.id);
    const r = rebuild(ckpt);
    try {
      const models: Record<string, tf.LayersModel> = { backbone: r.backbone };
      const head = classifierOf(r.method);
      if (head) models.classifier = head;
      const extra: Record<string, Uint8Array> = {};
      if (r.config.backbone.name === 'resnet18') {
        extra['backbone.safetensors'] = await exportTorchvisionResNet18(r.backbone, {
          fc: head ?? undefined,
          metadata: { run: record.name, epoch: String(ckpt.position.epoch) },
        });
      }
      const history: RunHistoryFile = {
        format: 'simlab-run-history',
        run: {
          name: record.name,
          status: record.status,
          backend: record.backend,
          adapter: record.adapter,
          createdAt: record.createdAt,
          endedAt: record.endedAt,
        },
        slot,
        classNames: meta?.classes ?? [],
        datasetFingerprint: ckpt.config.dataset.fingerprint,
        position: ckpt.position,
        best: ckpt.best,
        curves: slot === 'latest' ? record.curves : ckpt.curves,
        final: slot === 'latest' ? record.final : null,
      };
      const bytes = await exportCheckpoint({ models, config: ckpt.config, history, extra });
      return {
        fileName: `${fileSlug(record.name)}-epoch${ckpt.position.epoch}.simlab.zip`,
        bytes,
        ms: performance.now() - t0,
      };
    } finally {
      r.dispose();
    }
  }

  /** A ResNet-18 run's backbone (+ supervised fc) as a torchvision resnet18 .safetensors file. */
  async exportSafetensors(runId: string, slot: CheckpointSlot): Promise<RunFile> {
    const t0 = performance.now();
    const { record, ckpt } = await this.#load(runId, slot);
    if (ckpt.config.backbone.name !== 'resnet18')
      throw new Error(
        `.safetensors export is for ResNet-18 backbones (torchvision resnet18 layout); this run uses ${ckpt.config.backbone.name}`,
      );
    const r = rebuild(ckpt);
    try {
      const bytes = await exportTorchvisionResNet18(r.backbone, {
        fc: classifierOf(r.method) ?? undefined,
        metadata: { run: record.name, epoch: String(ckpt.position.epoch) },
      });
      return {
        fileName: `${fileSlug(record.name)}-epoch${ckpt.position.epoch}-resnet18.safetensors`,
        bytes,
        ms: performance.now() - t0,
      };
    } finally {
      r.dispose();
    }
  }

  /** The stored dataset a config refers to, or the one with the same images (fingerprint) under another id. */
  async #findDataset(config: RunConfig): Promise<DatasetMeta | null> {
    const direct = await this.#datasets.getMeta(config.dataset.id);
    if (direct && direct.status === 'ready' && direct.fingerprint === config.dataset.fingerprint)
      return direct;
    const all = await this.#datasets.allMeta();
    return (
      all.find((m) => m.status === 'ready' && m.fingerprint === config.dataset.fingerprint) ?? null
    );
  }

  /**
   * Validates a checkpoint zip (or a torchvision resnet18 .safetensors) and stores it as a new
   * finished run with a 'latest' checkpoint (backbone weights from the file; heads of
   * self-supervised methods and the optimiser state start fresh). Throws, storing nothing, on a
   * malformed file; pickled PyTorch files are refused with the conversion recipe.
   */
  async importFile(
    data: Blob | Uint8Array,
    fileName: string,
    opts: { datasetId?: string } = {},
  ): Promise<ImportedRunInfo> {
    const t0 = performance.now();
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(await data.arrayBuffer());
    if (pickledTorchKind(bytes) || /\.(pth?|ckpt|bin)$/i.test(fileName)) {
      // readSafetensors names the file and gives the safetensors conversion recipe.
      readSafetensors(bytes, fileName);
    }
    const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b;
    if (!isZip && (/\.safetensors$/i.test(fileName) || (bytes.length > 9 && bytes[8] === 0x7b))) {
      return this.#importSafetensors(bytes, fileName, opts, t0);
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
      const h = (file.history ?? {}) as Partial<RunHistoryFile>;
      const notes: string[] = [];
      const ds = await this.#findDataset(config);
      if (ds && ds.id !== config.dataset.id) {
        config = { ...config, dataset: { ...config.dataset, id: ds.id, name: ds.name } };
        notes.push(`linked to the stored dataset “${ds.name}” (same images, another id)`);
      } else if (!ds) {
        notes.push(
          `the dataset “${config.dataset.name}” it was trained on is not stored here: import the same images to continue training or evaluate`,
        );
      }
      const fresh = createBackbone(config.backbone, { initWeights: false });
      const freshShapes = fresh.model.weights.map((w) => w.shape.join('x'));
      fresh.model.dispose();
      const fileShapes = backbone.weights.map((w) => w.shape.join('x'));
      if (freshShapes.join(',') !== fileShapes.join(',')) {
        throw new Error(
          `the file's backbone (${fileShapes.length} weights) does not match a ${config.backbone.name} backbone built from its config (${freshShapes.length} weights)`,
        );
      }
      const head = file.models.classifier ?? null;
      const ckpt = await this.#checkpointFrom(config, backbone, head, {
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
      if (Array.isArray(h.classNames) && h.classNames.length) note.classNames = h.classNames;
      record = await this.#runs.saveCheckpoint(record, ckpt, ['latest']);
      await set(record.id, note, this.#notes);
      return {
        record,
        note,
        models: file.manifest.models.map((m) => ({ name: m.name, params: m.params })),
        extras: Object.keys(file.extra),
        classNames: Array.isArray(h.classNames) ? h.classNames : [],
        datasetFound: !!ds,
        notes,
        ms: performance.now() - t0,
      };
    } finally {
      owned.forEach((m) => m.dispose());
    }
  }

  async #importSafetensors(
    bytes: Uint8Array,
    fileName: string,
    opts: { datasetId?: string },
    t0: number,
  ): Promise<ImportedRunInfo> {
    const st = readSafetensors(bytes, fileName);
    const conv1 = st.tensors['conv1.weight']?.shape;
    if (!conv1 || conv1.length !== 4 || (conv1[2] !== 3 && conv1[2] !== 7))
      throw new Error(
        `${fileName} is not a torchvision resnet18 state_dict: it has no 3×3 or 7×7 conv1.weight`,
      );
    const width = conv1[0];
    const stem = conv1[2] === 7 ? 'imagenet' : 'cifar';
    const all = (await this.#datasets.allMeta()).filter((m) => m.status === 'ready');
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
      name: fileName.replace(/\.safetensors$/i, ''),
      dataset: { id: meta.id, name: meta.name, fingerprint: meta.fingerprint, size: meta.size },
      method: { method: 'simclr' },
      backbone: { name: 'resnet18', width, stem, inputSize: meta.size },
    });
    if (!parsed.ok)
      throw new Error(
        `no run config fits these weights on “${meta.name}”: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      );
    const config = parsed.config;
    const bb = createBackbone(config.backbone, { initWeights: false });
    try {
      const r = importTorchvisionResNet18(bytes, bb.model, { fileName });
      const ckpt = await this.#checkpointFrom(config, bb.model, null, {
        position: { epoch: 0, stepInEpoch: 0, step: 0 },
        curves: { steps: [], epochs: [] },
        best: null,
      });
      const now = Date.now();
      let record = newRunRecord({ id: crypto.randomUUID(), config, backend: 'imported', now });
      record = {
        ...record,
        name: `${config.name} (torchvision resnet18 w${width}, ${stem} stem)`,
        status: 'finished',
        endedAt: now,
      };
      const note: RunImportNote = {
        runId: record.id,
        fileName,
        fileBytes: bytes.length,
        importedAt: now,
        kind: 'torchvision-safetensors',
        choice: null,
      };
      record = await this.#runs.saveCheckpoint(record, ckpt, ['latest']);
      await set(record.id, note, this.#notes);
      const notes = [
        `ResNet-18 width ${width}, ${stem} stem, attached to dataset “${meta.name}” with a SimCLR config to edit`,
      ];
      if (r.ignored.length) notes.push(`ignored: ${r.ignored.join(', ')}`);
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

  /** A TrainCheckpoint of `backbone` (weights read as they are) with a fresh method (classifier weights from `head` when supervised) and optimiser. */
  async #checkpointFrom(
    config: RunConfig,
    backbone: tf.LayersModel,
    head: tf.LayersModel | null,
    at: { position: RunPosition; curves: Curves; best: BestMetric | null },
  ): Promise<TrainCheckpoint> {
    const method = createMethod(backbone, toMethodConfig(config.method));
    const optimizer = createOptimizer(toOptimizerConfig(config.optimizer));
    try {
      const cls = classifierOf(method);
      if (cls && head) {
        const ws = head.getWeights();
        if (
          ws.length !== cls.weights.length ||
          ws.some((w, i) => w.shape.join(',') !== cls.weights[i].shape.join(','))
        ) {
          throw new Error(
            `the file's classifier has shapes ${JSON.stringify(ws.map((w) => w.shape))}, the run's ${JSON.stringify(cls.weights.map((w) => w.shape))}`,
          );
        }
        cls.setWeights(ws);
      }
      const ckpt = await captureCheckpoint({
        config,
        backbone,
        method,
        optimizer,
        position: at.position,
        curves: at.curves,
        best: at.best,
      });
      // The step counter restarts: the imported state has no optimiser moments to continue from.
      return { ...ckpt, method: { ...ckpt.method, step: at.position.step } };
    } finally {
      optimizer.dispose();
      method.dispose();
    }
  }

  /**
   * A new run that starts from a stored run's weights: its 'latest' backbone (and, for the same
   * supervised classes, the classifier) with fresh heads and optimiser, at epoch 0, stored as
   * 'stopped' so resumeRun trains it (fine-tuning / continuing an imported run). `epochs` and
   * `name` override the source config.
   */
  async seedRun(runId: string, opts: { epochs?: number; name?: string } = {}): Promise<RunRecord> {
    const { record, ckpt } = await this.#load(runId, 'latest');
    const parsed = parseRunConfig({
      ...ckpt.config,
      epochs: opts.epochs ?? ckpt.config.epochs,
      name: opts.name ?? `${record.name} (from weights)`,
    });
    if (!parsed.ok)
      throw new Error(parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; '));
    const config = parsed.config;
    const r = rebuild(ckpt);
    try {
      const head = classifierOf(r.method);
      const seeded = await this.#checkpointFrom(config, r.backbone, head, {
        position: { epoch: 0, stepInEpoch: 0, step: 0 },
        curves: { steps: [], epochs: [] },
        best: null,
      });
      const now = Date.now();
      let rec = newRunRecord({
        id: crypto.randomUUID(),
        config,
        backend: record.backend,
        adapter: record.adapter,
        now,
      });
      rec = { ...rec, status: 'stopped', endedAt: now };
      return await this.#runs.saveCheckpoint(rec, seeded, ['latest']);
    } finally {
      r.dispose();
    }
  }

  /** Why `meta` cannot stand in for the dataset of an imported run (null when it can): ready, same image size, same classes in the same order. */
  #relinkProblem(record: RunRecord, note: RunImportNote, meta: DatasetMeta): string | null {
    if (meta.status !== 'ready') return `“${meta.name}” is not fully imported`;
    if (meta.size !== record.config.dataset.size)
      return `“${meta.name}” stores ${meta.size} px images, the run was trained on ${record.config.dataset.size} px`;
    const classes = note.classNames;
    if (!classes?.length)
      return 'the file does not name its classes, so no dataset can be matched to it';
    if (meta.classes.join('\n') !== classes.join('\n'))
      return `“${meta.name}” has classes ${meta.classes.join(', ') || '(none)'}, the run ${classes.join(', ')}`;
    return null;
  }

  /** Stored datasets an imported run can be re-linked to (see relinkDataset). */
  async relinkCandidates(runId: string): Promise<RelinkCandidate[]> {
    const record = await this.#runs.get(runId);
    const note = await get<RunImportNote>(runId, this.#notes);
    if (!record || !note) return [];
    return (await this.#datasets.allMeta())
      .filter(
        (m) => m.id !== record.config.dataset.id && this.#relinkProblem(record, note, m) === null,
      )
      .map((m) => ({ datasetId: m.id, name: m.name, size: m.size, count: m.count }));
  }

  /**
   * Points an imported run whose dataset is not stored at a stored dataset with the same classes
   * (same order) and image size: the config of its record and checkpoints takes that dataset's id,
   * name and fingerprint (a monitor source on another missing dataset falls back to the val split).
   * Its recorded curves stay those of the original images. Throws, changing nothing, when the
   * dataset does not fit.
   */
  async relinkDataset(runId: string, datasetId: string): Promise<RunRecord> {
    const record = await this.#runs.get(runId);
    if (!record) throw new Error(`run ${runId} does not exist`);
    const note = await get<RunImportNote>(runId, this.#notes);
    if (!note)
      throw new Error(
        `“${record.name}” was not imported from a file; only imported runs are re-linked`,
      );
    const meta = await this.#datasets.getMeta(datasetId);
    if (!meta) throw new Error(`dataset ${datasetId} is not stored`);
    const problem = this.#relinkProblem(record, note, meta);
    if (problem) throw new Error(`cannot link “${record.name}” to “${meta.name}”: ${problem}`);
    const relinked = async (config: RunConfig): Promise<RunConfig> => {
      const src = config.monitor.source;
      const keepSource =
        typeof src !== 'object' ||
        (await this.#datasets.getMeta(src.datasetId))?.status === 'ready';
      const parsed = parseRunConfig({
        ...config,
        dataset: { id: meta.id, name: meta.name, fingerprint: meta.fingerprint, size: meta.size },
        monitor: { ...config.monitor, source: keepSource ? src : 'val-split' },
      });
      if (!parsed.ok)
        throw new Error(
          `the re-linked config is invalid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
        );
      return parsed.config;
    };
    let rec: RunRecord = {
      ...record,
      config: await relinked(record.config),
      updatedAt: Date.now(),
    };
    const ckpts: [CheckpointSlot, TrainCheckpoint][] = [];
    for (const slot of ['latest', 'best'] as const) {
      const c = record.storage[slot] > 0 ? await this.#runs.getCheckpoint(runId, slot) : undefined;
      if (c) ckpts.push([slot, { ...c, config: await relinked(c.config) }]);
    }
    for (const [slot, c] of ckpts) rec = await this.#runs.saveCheckpoint(rec, c, [slot]);
    if (!ckpts.length) await this.#runs.put(rec);
    await set(
      runId,
      { ...note, relinkedTo: { datasetId: meta.id, name: meta.name, at: Date.now() } },
      this.#notes,
    );
    return rec;
  }

  /** Import notes by run id. */
  async notes(): Promise<Record<string, RunImportNote>> {
    const ks = (await keys<string>(this.#notes)).filter((k) => typeof k === 'string');
    const vs = await getMany<RunImportNote>(ks, this.#notes);
    const out: Record<string, RunImportNote> = {};
    for (const v of vs) if (v) out[v.runId] = v;
    return out;
  }

  /** Records what the user chose to do with an imported run. */
  async setChoice(runId: string, choice: ImportChoice): Promise<RunImportNote> {
    const n = await get<RunImportNote>(runId, this.#notes);
    if (!n) throw new Error(`run ${runId} was not imported from a file`);
    const out = { ...n, choice };
    await set(runId, out, this.#notes);
    return out;
  }

  async rename(runId: string, name: string): Promise<RunRecord> {
    const trimmed = name.trim();
    if (!trimmed) throw new Error('a run name must not be empty');
    if (trimmed.length > 200) throw new Error('a run name must be at most 200 characters');
    const r = await this.#runs.get(runId);
    if (!r) throw new Error(`run ${runId} does not exist`);
    const out = { ...r, name: trimmed, updatedAt: Date.now() };
    await this.#runs.put(out);
    return out;
  }

  /** kNN top-1 (and val accuracy when supervised) of a stored checkpoint on the run's own monitor plan (same queries, bank, k, T as in training). */
  async knn(runId: string, slot: CheckpointSlot): Promise<RunKnn> {
    const { ckpt } = await this.#load(runId, slot);
    const config = ckpt.config;
    const { source } = await storeDataSource(this.#datasets, config.dataset.id);
    const src = config.monitor.source;
    const queryData =
      typeof src === 'object'
        ? (await storeDataSource(this.#datasets, src.datasetId)).source
        : source;
    const plan = planMonitor(source, config.monitor, config.seed, {
      supervised: config.method.method === 'supervised',
      queryData: queryData === source ? undefined : queryData,
    });
    const r = rebuild(ckpt);
    try {
      const m = await measureMonitors(
        r.method,
        source,
        queryData,
        plan,
        config.augmentation,
        config.monitor,
        Math.max(source.numClasses, queryData.numClasses),
      );
      return {
        runId,
        slot,
        knnTop1: m.knnTop1 ?? null,
        valAcc: m.valAcc ?? null,
        queries: plan.queries.length,
        bank: plan.bank.length,
      };
    } finally {
      r.dispose();
    }
  }
}

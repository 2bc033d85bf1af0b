import 'fake-indexeddb/auto';
import * as tf from '@tensorflow/tfjs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../ml/models/backbones/backbones-reference.testing';
import { sha256Hex } from '../../ml/io/sha256';
import { createMethod } from '../../ml/methods/create-method';
import { createBackbone } from '../../ml/models/backbones';
import { createOptimizer } from '../../ml/optim/optimizers';
import { useWasmBackend } from '../../ml/node-backend.testing';
import {
  captureCheckpoint,
  type TensorData,
  type TrainCheckpoint,
} from '../../ml/train/checkpoint';
import { toMethodConfig } from '../../ml/methods/create-method';
import type { RunConfig } from '../../ml/train/config';
import { toOptimizerConfig } from '../../ml/train/optim-settings';
import { tinyConfig } from '../../ml/train/tiny-runs.testing';
import { DatasetStore } from '../../storage/dataset-store';
import { RunNotesStore } from '../../storage/run-notes-store';
import { newRunRecord, type RunRecord } from '../../storage/run-schema';
import { RunStore } from '../../storage/run-store';
import { DATASET_SCHEMA_VERSION, type DatasetMeta } from '../../storage/schema';
import { RunFiles } from './run-files';

const fresh = (kind: string) => `${kind}-${crypto.randomUUID()}`;

/** Three stores in a database of their own (fake IndexedDB), with the tiny dataset's meta stored. */
async function stores() {
  const datasets = new DatasetStore(fresh('datasets'));
  const runs = new RunStore(fresh('runs'));
  const notes = new RunNotesStore(fresh('notes'));
  await datasets.open();
  await runs.open();
  await datasets.putMeta(META);
  return { datasets, runs, notes, files: new RunFiles(datasets, runs, notes) };
}

const META: DatasetMeta = {
  schemaVersion: DATASET_SCHEMA_VERSION,
  id: 'tiny',
  name: 'tiny',
  status: 'ready',
  createdAt: 1,
  updatedAt: 1,
  size: 8,
  classes: ['red', 'green', 'blue'],
  count: 96,
  counts: { train: [20, 20, 20], val: [6, 6, 6], test: [4, 4, 4] },
  bytes: 96 * 8 * 8 * 3,
  shardCapacity: 96,
  shardCount: 1,
  source: { kind: 'generator', description: 'test' },
  splitSource: 'random',
  fingerprint: 'tiny-fp',
};

/** A stored finished run of `config` with randomly initialised weights (BN statistics moved off 0/1). */
async function storeRun(
  runs: RunStore,
  config: RunConfig,
): Promise<{ record: RunRecord; ckpt: TrainCheckpoint }> {
  const bb = createBackbone(config.backbone);
  const method = createMethod(bb.model, toMethodConfig(config.method));
  const optimizer = createOptimizer(toOptimizerConfig(config.optimizer));
  // Non-trivial moving statistics, so a lost BN buffer shows.
  const moving = bb.model.weights.filter((w) => /moving_(mean|variance)/.test(w.name));
  expect(moving.length).toBeGreaterThan(0);
  moving.forEach((w, i) => {
    const variable = w.read() as tf.Variable;
    const v = tf.fill(variable.shape, 0.5 + i / 100);
    variable.assign(v);
    v.dispose();
  });
  const curves = {
    steps: [{ step: 4, epoch: 0, loss: 1.2, lr: 0.05, imagesPerSec: 50, extras: {} }],
    epochs: [{ epoch: 1, step: 8, trainLoss: 1.1, valAcc: 0.4 }],
  };
  const best = { metric: 'valAcc' as const, value: 0.4, epoch: 1 };
  const ckpt = await captureCheckpoint({
    config,
    backbone: bb.model,
    method,
    optimizer,
    position: { epoch: 1, stepInEpoch: 0, step: 8 },
    curves,
    best,
  });
  optimizer.dispose();
  method.dispose();
  bb.model.dispose();
  let record = newRunRecord({ id: 'src-run', config, backend: 'wasm', now: 100 });
  record = {
    ...record,
    name: 'tiny supervised run',
    status: 'finished',
    endedAt: 200,
    curves,
    final: { epoch: 1, step: 8, trainLoss: 1.1, valAcc: 0.4, best },
  };
  record = await runs.saveCheckpoint(record, ckpt, ['latest']);
  return { record, ckpt };
}

/** The bytes of a tensor's values (bitwise comparison, NaN and -0 included). */
const bits = (d: TensorData) => new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.byteLength);

function expectSameWeights(a: TensorData[], b: TensorData[]) {
  expect(b.length).toBe(a.length);
  a.forEach((d, i) => {
    expect(b[i].shape).toEqual(d.shape);
    expect(b[i].dtype).toBe(d.dtype);
    expect(bits(b[i])).toEqual(bits(d));
  });
}

/** A checkpoint zip with files edited and the manifest's hashes recomputed. */
async function repack(bytes: Uint8Array, edit: (files: Record<string, Uint8Array>) => void) {
  const files = unzipSync(bytes);
  edit(files);
  const m = JSON.parse(strFromU8(files['manifest.json']));
  for (const p of Object.keys(m.files)) m.files[p] = await sha256Hex(files[p]);
  files['manifest.json'] = strToU8(JSON.stringify(m));
  return zipSync(files);
}

describe('run files: export → import round trip (fake IndexedDB, wasm)', () => {
  beforeAll(useWasmBackend);

  it('a ConvNet run exported as .simlab.zip imports into a fresh store with the same record, config and weights (bitwise)', async () => {
    const a = await stores();
    const config = tinyConfig('supervised');
    const { record, ckpt } = await storeRun(a.runs, config);
    const before = tf.memory().numTensors;
    const file = await a.files.exportCheckpoint(record.id, 'latest');
    expect(file.fileName).toBe('tiny-supervised-run-epoch1.simlab.zip');

    const b = await stores();
    const info = await b.files.importFile(file.bytes, file.fileName);
    expect(tf.memory().numTensors).toBe(before);
    expect(info.datasetFound).toBe(true);
    expect(info.classNames).toEqual(META.classes);
    expect(info.models.map((m) => m.name).sort()).toEqual(['backbone', 'classifier']);
    expect(info.notes).toContain('classifier head restored from the file');

    const stored = await b.runs.get(info.record.id);
    expect(stored).toEqual(info.record);
    expect(stored!.id).not.toBe(record.id);
    expect(stored!.config).toEqual(record.config);
    expect(stored!.name).toBe(record.name);
    expect(stored!.status).toBe('finished');
    expect(stored!.backend).toBe('wasm');
    expect(stored!.curves).toEqual(record.curves);
    expect(stored!.final).toEqual(record.final);

    const got = (await b.runs.getCheckpoint(info.record.id, 'latest'))!;
    expect(got.config).toEqual(ckpt.config);
    expect(got.position).toEqual(ckpt.position);
    expect(got.best).toEqual(ckpt.best);
    expectSameWeights(ckpt.backbone, got.backbone);
    // The supervised classifier travels in the file too.
    const keys = Object.keys(ckpt.method.tensors).sort();
    expect(Object.keys(got.method.tensors).sort()).toEqual(keys);
    expectSameWeights(
      keys.map((k) => ckpt.method.tensors[k]),
      keys.map((k) => got.method.tensors[k]),
    );

    const note = await b.notes.get(info.record.id);
    expect(note).toEqual(info.note);
    expect(note).toMatchObject({
      kind: 'simlab-checkpoint',
      fileName: file.fileName,
      classNames: META.classes,
    });
    expect(note!.fileBytes).toBe(file.bytes.length);
  });

  it('a truncated zip or a malformed history.json is refused with a message, leaving the store unchanged', async () => {
    const a = await stores();
    const { record } = await storeRun(a.runs, tinyConfig('supervised'));
    const file = await a.files.exportCheckpoint(record.id, 'latest');
    const b = await stores();
    const runsBefore = await b.runs.list();
    const before = tf.memory().numTensors;
    await expect(
      b.files.importFile(file.bytes.subarray(0, file.bytes.length - 200), 'cut.simlab.zip'),
    ).rejects.toThrow(/the checkpoint zip is truncated or corrupt/);
    const badHistory = await repack(file.bytes, (files) => {
      const h = JSON.parse(strFromU8(files['history.json']));
      h.position = { epoch: -1, stepInEpoch: 0, step: 0 };
      h.curves.epochs = 'none';
      files['history.json'] = strToU8(JSON.stringify(h));
    });
    await expect(b.files.importFile(badHistory, 'bad.simlab.zip')).rejects.toThrow(
      /history\.json is malformed: position\.epoch: .*; curves\.epochs: /,
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(await b.runs.list()).toEqual(runsBefore);
    expect(await b.notes.all()).toEqual({});
  });

  it('a tiny ResNet-18 run round-trips through .safetensors (torchvision layout): the same backbone weights', async () => {
    const a = await stores();
    const config = tinyConfig('supervised', {
      backbone: { name: 'resnet18', inputSize: 8, width: 2, stem: 'cifar', seed: 3 },
    });
    const { record, ckpt } = await storeRun(a.runs, config);
    const file = await a.files.exportSafetensors(record.id, 'latest');
    expect(file.fileName).toBe('tiny-supervised-run-epoch1-resnet18.safetensors');
    const b = await stores();
    const info = await b.files.importFile(file.bytes, file.fileName, { datasetId: 'tiny' });
    expect(info.note.kind).toBe('torchvision-safetensors');
    const got = (await b.runs.getCheckpoint(info.record.id, 'latest'))!;
    expect(got.config.backbone).toMatchObject({ name: 'resnet18', width: 2, stem: 'cifar' });
    expect(got.config.dataset.id).toBe('tiny');
    expectSameWeights(ckpt.backbone, got.backbone);
  });

  it('torchvision .pth files of ResNet-50 and MobileNetV3-Small (torch 1.13) become weights-only runs of those backbones', async () => {
    const a = await stores();
    await a.datasets.putMeta({
      ...META,
      id: 'px64',
      name: 'px64',
      size: 64,
      fingerprint: 'px64-fp',
    });
    const fix = (f: string) =>
      new Uint8Array(readFileSync(resolve(REPO_ROOT, 'tests/reference/fixtures', f)));
    const r50 = await a.files.importFile(fix('pth_resnet50_w8.pth'), 'r50.pth', {
      datasetId: 'px64',
    });
    expect(r50.note.kind).toBe('torchvision-pth');
    expect(r50.record.config.backbone).toMatchObject({
      name: 'resnet50',
      width: 8,
      stem: 'imagenet',
      inputSize: 64,
    });
    expect(r50.notes[0]).toMatch(/^ResNet-50 width 8, imagenet stem/);
    expect(r50.notes).toContain('took the state_dict');
    expect(r50.notes).toContain('ignored: fc.weight, fc.bias');
    const mb = await a.files.importFile(fix('pth_mobilenet_v3_small.pth'), 'mb.pth', {
      datasetId: 'px64',
    });
    expect(mb.record.config.backbone).toMatchObject({
      name: 'mobilenetv3-small',
      table: 'torchvision',
      widthMultiplier: 0.5,
      bnEpsilon: 1e-3,
    });
    const ckpt = (await a.runs.getCheckpoint(mb.record.id, 'latest'))!;
    expect(ckpt.backbone.length).toBeGreaterThan(100);
  });
});

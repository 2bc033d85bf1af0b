/**
 * Fine-tuning in Node + wasm: backbone / head learning rates, embedding snapshots, imported
 * weights, and the recorded 'fine-tune' run whose checkpoint reproduces the final test accuracy.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { classificationReport } from '../../ml/eval/metrics';
import { createMethod } from '../../ml/methods/create-method';
import type { SupervisedMethod } from '../../ml/methods/supervised';
import { createBackbone } from '../../ml/models/backbones';
import { createOptimizer } from '../../ml/optim/optimizers';
import { useWasmBackend } from '../../ml/node-backend.testing';
import { restoreCheckpoint } from '../../ml/train/checkpoint';
import { toMethodConfig } from '../../ml/methods/create-method';
import { toOptimizerConfig } from '../../ml/train/optim-settings';
import { monitorInput } from '../../ml/train/monitor';
import { makeEvalFixture, FIXTURE_SIZE, type EvalFixture } from './eval-engine.testing';
import { Evaluator } from './evaluator';
import { fineTune, MAX_SNAPSHOTS, snapshotEpochs, snapshotRows } from './finetune';
import { paramGroupOptimizer } from './param-groups';

let fx: EvalFixture;
let evaluator: Evaluator;

beforeAll(async () => {
  await useWasmBackend();
  fx = await makeEvalFixture(96);
  evaluator = new Evaluator(fx.cache, {
    runs: fx.runs.asRunStore(),
    backend: () => ({ name: 'wasm', adapter: 'test adapter' }),
  });
}, 60_000);

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('paramGroupOptimizer', () => {
  it('updates head variables at headFactor × lr (SGD: exactly), keeps one step count, and round-trips its state', async () => {
    const body = tf.variable(tf.tensor1d([1, 2, 3]), true, 'pg_body');
    const head = tf.variable(tf.tensor1d([1, 2, 3]), true, 'pg_head');
    const isHead = (v: tf.Variable) => v.name === 'pg_head';
    const g = { pg_body: tf.tensor1d([0.5, -1, 2]), pg_head: tf.tensor1d([0.5, -1, 2]) };
    const sgd = paramGroupOptimizer({ kind: 'sgd' }, isHead, 10);
    sgd.apply([body, head], g, 0.01);
    expect(maxAbsDiff(await body.data(), [1 - 0.005, 2 + 0.01, 3 - 0.02])).toBeLessThan(1e-6);
    expect(maxAbsDiff(await head.data(), [1 - 0.05, 2 + 0.1, 3 - 0.2])).toBeLessThan(1e-6);
    sgd.dispose();

    // Adam's first step moves every weight by ≈ lr: the head 10× further than the backbone.
    const adam = paramGroupOptimizer({ kind: 'adam' }, isHead, 10);
    const b0 = await body.data(),
      h0 = await head.data();
    adam.apply([body, head], g, 0.001);
    expect(maxAbsDiff(await body.data(), b0)).toBeCloseTo(0.001, 5);
    expect(maxAbsDiff(await head.data(), h0)).toBeCloseTo(0.01, 4);
    const before = tf.memory().numTensors;
    const st = adam.getState([body, head]);
    expect(st.t).toBe(1);
    expect(st.slots.map((s) => s.length)).toEqual([2, 2]);
    const copy = paramGroupOptimizer({ kind: 'adam' }, isHead, 10);
    copy.setState([body, head], st);
    const st2 = copy.getState([body, head]);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++)
        expect(Array.from(await st2.slots[i][j].data())).toEqual(
          Array.from(await st.slots[i][j].data()),
        );
    tf.dispose([...st.slots.flat(), ...st2.slots.flat()]);
    copy.dispose();
    adam.dispose();
    // adam's slot variables (2 vars × 2 moments) are gone; the copies and copy's own slots too.
    expect(tf.memory().numTensors).toBe(before - 4);
    tf.dispose([body, head, g.pg_body, g.pg_head]);
  });
});

describe('snapshot plan', () => {
  it('epoch 0, every N-th and the last epoch; N raised for long runs so at most MAX_SNAPSHOTS are kept', () => {
    expect(snapshotEpochs(3, 2)).toEqual([0, 2, 3]);
    expect(snapshotEpochs(4, 1)).toEqual([0, 1, 2, 3, 4]);
    expect(snapshotEpochs(5, 0)).toEqual([]);
    const long = snapshotEpochs(1000, 1);
    expect(long.length).toBeLessThanOrEqual(MAX_SNAPSHOTS);
    expect(long[0]).toBe(0);
    expect(long.at(-1)).toBe(1000);
    expect(snapshotRows([5, 1, 9, 3], 10, 0)).toEqual([5, 1, 9, 3]);
    const some = snapshotRows(
      Array.from({ length: 100 }, (_, i) => i),
      10,
      4,
    );
    expect(some.length).toBe(10);
    expect(some).toEqual([...some].sort((a, b) => a - b));
    expect(
      snapshotRows(
        Array.from({ length: 100 }, (_, i) => i),
        10,
        4,
      ),
    ).toEqual(some);
  });
});

describe('fineTune', () => {
  it('backbone and head learning rates apply separately: a near-zero backbone rate leaves its weights, the head moves', async () => {
    const { ckpt } = await fx.cache.checkpoint('r', 'latest');
    const trainable = new Set<number>();
    let headDelta = 0,
      bodyDelta = 0;
    await fineTune(
      fx.cache,
      {
        runId: 'r',
        slot: 'latest',
        init: 'ssl',
        epochs: 1,
        learningRate: 1e-12,
        headLearningRate: 0.01,
        batchSize: 24,
        seed: 3,
        snapshotEvery: 0,
      },
      undefined,
      async (parts) => {
        parts.backbone.weights.forEach((w, i) => w.trainable && trainable.add(i));
        for (const i of trainable)
          bodyDelta = Math.max(
            bodyDelta,
            maxAbsDiff(await parts.backbone.weights[i].read().data(), ckpt.backbone[i].data),
          );
        // The head starts from the seeded linear classifier of a fresh SupervisedMethod.
        const freshBb = createBackbone(ckpt.config.backbone, { initWeights: false });
        const fresh = createMethod(freshBb.model, {
          method: 'supervised',
          numClasses: 2,
          seed: 3,
        }) as SupervisedMethod;
        const w0 = await fresh.classifier.weights[0].read().data();
        headDelta = maxAbsDiff(await parts.method.classifier.weights[0].read().data(), w0);
        fresh.dispose();
        freshBb.model.dispose();
      },
    );
    expect(trainable.size).toBeGreaterThan(0);
    expect(bodyDelta).toBeLessThan(1e-6);
    expect(headDelta).toBeGreaterThan(1e-3);
    console.log(
      `backbone lr 1e-12 / head lr 0.01, one epoch: max |Δ backbone| ${bodyDelta.toExponential(1)}, max |Δ head| ${headDelta.toFixed(4)}`,
    );
  }, 60_000);

  it('snapshots: epoch 0 (the starting weights, inference mode) and every N epochs, the same capped rows each time', async () => {
    const before = tf.memory().numTensors;
    const r = await evaluator.fineTune({
      runId: 'r',
      slot: 'latest',
      init: 'ssl',
      epochs: 3,
      learningRate: 0.002,
      batchSize: 24,
      seed: 1,
      snapshotEvery: 2,
      snapshotPoints: 50,
    });
    expect(tf.memory().numTensors).toBe(before);
    const s = r.snapshots;
    expect(s).not.toBeNull();
    if (!s) return;
    expect(s.epochs).toEqual([0, 2, 3]);
    expect(s.n).toBe(50);
    expect(s.dim).toBe(s.x[0].length / 50);
    for (const x of s.x) expect(x.length).toBe(50 * s.dim);
    expect(new Set(s.splits)).toEqual(new Set([0, 2]));
    expect(Array.from(s.labels)).toEqual(Array.from(s.indices, (i) => fx.index.labels[i]));
    expect(Array.from(s.indices)).toEqual(snapshotRows(Array.from(s.indices), 50, 1));
    // Epoch 0 = the explorer's embeddings of the checkpoint (inference mode) for the same images.
    const all = await evaluator.embeddings({
      runId: 'r',
      slot: 'latest',
      splits: ['train', 'test'],
    });
    const row = new Map(Array.from(all.indices, (img, k) => [img, k]));
    let d = 0;
    s.indices.forEach((img, k) => {
      const j = row.get(img) as number;
      d = Math.max(
        d,
        maxAbsDiff(
          s.x[0].subarray(k * s.dim, (k + 1) * s.dim),
          all.x.subarray(j * all.dim, (j + 1) * all.dim),
        ),
      );
    });
    expect(d).toBeLessThan(1e-4);
    // Training moved the embeddings.
    expect(maxAbsDiff(s.x[2], s.x[0])).toBeGreaterThan(1e-3);
    expect(r.headLearningRate).toBeCloseTo(0.02, 12);
  }, 60_000);

  it('stops when asked: the epochs done are kept, the result says where it stopped, nothing leaks', async () => {
    const before = tf.memory().numTensors;
    const p = evaluator.fineTune(
      {
        runId: 'r',
        slot: 'latest',
        init: 'ssl',
        epochs: 5,
        learningRate: 0.002,
        batchSize: 8,
        seed: 1,
        snapshotEvery: 0,
      },
      (e) => {
        if (e.epoch === 1) evaluator.stopFineTune();
      },
    );
    const r = await p;
    expect(tf.memory().numTensors).toBe(before);
    // Stopped at the start of epoch 2: one full epoch kept.
    expect(r.curves.map((e) => e.epoch)).toEqual([1]);
    expect(r.stoppedAtEpoch).toBe(1);
    // The next fine-tune is not stopped by the old request.
    const full = await evaluator.fineTune({
      runId: 'r',
      slot: 'latest',
      init: 'ssl',
      epochs: 2,
      learningRate: 0.002,
      batchSize: 24,
      seed: 1,
      snapshotEvery: 0,
    });
    expect(full.curves).toHaveLength(2);
    expect(full.stoppedAtEpoch).toBeUndefined();
  }, 60_000);

  it('is recorded as a supervised fine-tune run whose checkpoint reproduces its final test accuracy; imported weights start it', async () => {
    await fx.addRun('imp2', { seed: 11, name: 'weights.safetensors' });
    const r = await evaluator.fineTune({
      runId: 'r',
      slot: 'latest',
      init: 'imported',
      initRunId: 'imp2',
      epochs: 2,
      learningRate: 0.002,
      batchSize: 24,
      seed: 2,
      snapshotEvery: 1,
      snapshotPoints: 30,
    });
    // Epoch 0's snapshot is the imported run's embeddings.
    const imp = await evaluator.embeddings({
      runId: 'imp2',
      slot: 'latest',
      splits: ['train', 'test'],
    });
    const k0 = Array.from(imp.indices).indexOf(r.snapshots?.indices[0] as number);
    expect(
      maxAbsDiff(
        r.snapshots?.x[0].subarray(0, imp.dim) as Float32Array,
        imp.x.subarray(k0 * imp.dim, (k0 + 1) * imp.dim),
      ),
    ).toBeLessThan(1e-4);

    const rec = await fx.runs.get(r.recordedRunId as string);
    expect(rec).toBeDefined();
    if (!rec) return;
    expect(rec.kind).toBe('fine-tune');
    expect(rec.status).toBe('finished');
    expect(rec.backend).toBe('wasm');
    expect(rec.adapter).toBe('test adapter');
    expect(rec.name).toMatch(/imported weights “weights\.safetensors”/);
    expect(rec.evaluation).toMatchObject({
      parentRunId: 'imp2',
      parentName: 'weights.safetensors',
      init: 'imported',
      datasetId: 'ds',
      querySplit: 'test',
      testAccuracy: r.final.testAccuracy,
      testMacroF1: r.final.testMacroF1,
    });
    expect(rec.config.method).toMatchObject({ method: 'supervised', numClasses: 2 });
    expect(rec.config).toMatchObject({
      epochs: 2,
      batchSize: 24,
      optimizer: { name: 'adam', lr: 0.002 },
    });
    expect(rec.curves.epochs.map((e) => [e.epoch, e.trainLoss, e.testAcc])).toEqual(
      r.curves.map((e) => [e.epoch, e.trainLoss, e.testAccuracy]),
    );
    expect(rec.final?.epoch).toBe(2);
    expect(rec.storage.latest).toBeGreaterThan(0);

    // The stored checkpoint loads the way the Trainer resumes (same config), and its logits give the final test accuracy.
    const ckpt = await fx.runs.getCheckpoint(rec.id, 'latest');
    expect(ckpt?.config).toEqual(rec.config);
    if (!ckpt) return;
    const before = tf.memory().numTensors;
    const bb = createBackbone(ckpt.config.backbone, { initWeights: false });
    const method = createMethod(bb.model, toMethodConfig(ckpt.config.method)) as SupervisedMethod;
    const opt = createOptimizer(toOptimizerConfig(ckpt.config.optimizer));
    restoreCheckpoint(ckpt, { backbone: bb.model, method, optimizer: opt });
    const test = Array.from(fx.index.splits.keys()).filter((i) => fx.index.splits[i] === 2);
    const px = new Uint8Array(test.length * FIXTURE_SIZE * FIXTURE_SIZE * 3);
    const per = FIXTURE_SIZE * FIXTURE_SIZE * 3;
    test.forEach((i, k) => px.set(fx.pixels.subarray(i * per, (i + 1) * per), k * per));
    const t = tf.tidy(() =>
      tf.argMax(
        method.logits(monitorInput(px, test.length, FIXTURE_SIZE, ckpt.config.augmentation)),
        1,
      ),
    );
    const pred = (await t.data()) as Int32Array;
    t.dispose();
    const acc = classificationReport(
      test.map((i) => fx.index.labels[i]),
      pred,
      2,
    ).accuracy;
    expect(acc).toBe(r.final.testAccuracy);
    // The optimiser state carries both groups' Adam moments for every trainable variable.
    expect(ckpt.optimizer.slots.filter((s) => s.length === 2).length).toBe(
      method.trainableVariables().length,
    );
    opt.dispose();
    method.dispose();
    bb.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // It evaluates like any run.
    const knn = await evaluator.knn({ runId: rec.id, slot: 'latest', k: 10, temperature: 0.1 });
    expect(knn.queryIndices.length).toBe(test.length);
    console.log(
      `fine-tune from imported weights, 2 epochs: test acc ${r.final.testAccuracy.toFixed(3)}; its recorded checkpoint: ${acc.toFixed(3)}; kNN of it ${knn.accuracy.toFixed(3)}`,
    );
  }, 60_000);
});

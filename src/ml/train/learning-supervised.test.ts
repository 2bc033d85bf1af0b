/**
 * Learning test (issue "Train in the browser"): supervised training of a small ConvNet on the real
 * mnist-png subset (5,000 train / 1,000 test, 28 px, no flips) through the Trainer reaches ≥ 90% test
 * accuracy. Runs on the wasm backend; prints the figures and the wall time.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../kernels/wasm/register';
import { useWasmBackend } from '../node-backend.testing';
import { runConfigOrThrow } from './config';
import type { EpochPoint } from './events';
import { Trainer } from './loop';
import { loadPngImageFolder, sharedDatasetsDir } from './image-folder.testing';

beforeAll(async () => {
  await useWasmBackend();
  registerWasmTrainingKernels();
});

describe('learning: supervised on mnist-png', () => {
  it('reaches ≥ 90% test accuracy', async () => {
    const dir = sharedDatasetsDir();
    if (!dir)
      throw new Error(
        'the shared datasets folder (../shared/datasets or /work/shared/datasets) is missing',
      );
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const { data } = loadPngImageFolder(path.join(dir, 'mnist-png'));
    expect(data.count).toBe(6000);
    const view = [
      // Digits must not be flipped: a mild crop only, then normalisation.
      { op: 'random-resized-crop', enabled: true, p: 1, scale: [0.8, 1], ratio: [0.9, 1.1] },
      { op: 'normalize', enabled: true, p: 1, mean: [0.13, 0.13, 0.13], std: [0.3, 0.3, 0.3] },
    ];
    const config = runConfigOrThrow({
      dataset: { id: 'mnist-png', name: 'mnist-png', fingerprint: 'mnist-png', size: 28 },
      backbone: { name: 'convnet', inputSize: 28, width: 8, blocks: 4, seed: 1 },
      method: { method: 'supervised', numClasses: 10 },
      augmentation: { outputSize: 28, views: [view, view] },
      epochs: 2,
      batchSize: 64,
      optimizer: { name: 'adam', lr: 2e-3 },
      schedule: { kind: 'cosine' },
      seed: 1,
      // Accuracy on the whole test split at the end; a small kNN bank keeps the monitor cheap.
      monitor: { knnEvery: 2, source: 'test-split', maxQueries: 1000, bankSize: 1000 },
      logEvery: 20,
    });
    const epochs: EpochPoint[] = [];
    const errors: string[] = [];
    const trainer = new Trainer({
      config,
      data,
      onEvent: (e) => {
        if (e.type === 'epoch') epochs.push(e);
        if (e.type === 'error') errors.push(e.message);
      },
    });
    const status = await trainer.run();
    trainer.dispose();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const first = epochs[0],
      last = epochs.at(-1)!;
    console.log(
      `mnist supervised ConvNet w8: test accuracy ${first.valAcc?.toFixed(3)} at init → ${last.valAcc?.toFixed(3)} after ${last.epoch} epochs ` +
        `(train acc ${last.trainAcc?.toFixed(3)}, loss ${last.trainLoss?.toFixed(3)}); wall ${seconds.toFixed(1)} s, CPU ${cpuSeconds.toFixed(1)} s`,
    );
    expect(errors).toEqual([]);
    expect(status).toBe('finished');
    expect(last.epoch).toBe(2);
    expect(last.valAcc).toBeGreaterThanOrEqual(0.9);
  }, 1_800_000);
});

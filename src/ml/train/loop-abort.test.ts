import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../kernels/wasm/register';
import { useWasmBackend } from '../node-backend.testing';
import type { DataSource } from './data-source';
import type { TrainEvent } from './events';
import { Trainer } from './loop';
import { tinyConfig, tinyDataset } from './tiny-runs.testing';

beforeAll(async () => {
  await useWasmBackend();
  registerWasmTrainingKernels();
});

/** `data` whose reads stop answering (forever) once `hang` is set, as on a lost GPU. */
function hanging(data: DataSource): DataSource & { hang: boolean; hung: number } {
  const out = {
    size: data.size,
    count: data.count,
    numClasses: data.numClasses,
    labels: data.labels,
    splits: data.splits,
    hang: false,
    hung: 0,
    getImages(idx: number[]) {
      if (!out.hang) return data.getImages(idx);
      out.hung++;
      return new Promise<Uint8Array>(() => undefined);
    },
  };
  return out;
}

describe('Trainer.abort', () => {
  it('ends a run stuck on a read that never answers, with the abort error and no new checkpoint', async () => {
    const config = tinyConfig('supervised', { epochs: 3, checkpointEvery: 1 });
    const before = tf.memory().numTensors;
    // Reads hang after epoch 1's checkpoint: epoch 2's is never taken.
    const source = hanging(tinyDataset());
    const events: TrainEvent[] = [];
    const trainer = new Trainer({
      config,
      data: source,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'checkpoint') source.hang = true;
      },
    });
    const running = trainer.run();
    while (source.hung === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    trainer.abort(new Error('the GPU was lost'));
    expect(await running).toBe('error');
    trainer.dispose();
    const kinds = events.map((e) => e.type);
    expect(kinds.slice(-2)).toEqual(['error', 'done']);
    expect(events.at(-2)).toMatchObject({ type: 'error', message: 'the GPU was lost' });
    expect(events.at(-1)).toMatchObject({ type: 'done', reason: 'error' });
    const ckpts = events.filter((e) => e.type === 'checkpoint');
    expect(ckpts.map((e) => e.epoch)).toEqual([1]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a paused run aborted ends at once', async () => {
    const config = tinyConfig('simclr', { epochs: 2 });
    const events: TrainEvent[] = [];
    let trainer: Trainer | null = null;
    trainer = new Trainer({
      config,
      data: tinyDataset(),
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'step' && e.step === 2) trainer?.pause();
        if (e.type === 'paused') setTimeout(() => trainer?.abort(new Error('out of memory')), 10);
      },
    });
    expect(await trainer.run()).toBe('error');
    trainer.dispose();
    expect(events.map((e) => e.type).slice(-3)).toEqual(['paused', 'error', 'done']);
  });
});

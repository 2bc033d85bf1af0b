import { describe, expect, it } from 'vitest';
import type { TrainCheckpoint } from '../ml/train/checkpoint-types';
import { defaultRunConfig } from '../ml/train/config';
import type { TrainEvent } from '../ml/train/events';
import {
  applyEvent,
  bestOf,
  canResume,
  markInterrupted,
  newRunRecord,
  runStorageBytes,
  slotsFor,
  withCheckpointSize,
} from './run-schema';

const config = defaultRunConfig('simclr', { id: 'd', name: 'cifar', fingerprint: 'f', size: 32 });

function ckpt(floats: number): TrainCheckpoint {
  return {
    format: 'simlab-checkpoint',
    version: 1,
    config,
    position: { epoch: 1, stepInEpoch: 0, step: 10 },
    backbone: [{ shape: [floats], dtype: 'float32', data: new Float32Array(floats) }],
    method: {
      method: 'simclr',
      step: 10,
      scalars: {},
      tensors: { 'projector.0': { shape: [2], dtype: 'float32', data: new Float32Array(2) } },
    },
    optimizer: {
      kind: 'adam',
      t: 10,
      slots: [[{ shape: [floats], dtype: 'float32', data: new Float32Array(floats) }]],
    },
    curves: { steps: [], epochs: [] },
    best: null,
    createdAt: 0,
  };
}

describe('run records', () => {
  it('names a new run from its config and starts it running', () => {
    const r = newRunRecord({ id: 'r1', config, backend: 'wasm', now: 5 });
    expect(r).toMatchObject({
      id: 'r1',
      name: 'simclr · convnet · cifar',
      status: 'running',
      createdAt: 5,
      endedAt: null,
      adapter: null,
    });
    expect(runStorageBytes(r)).toBe(0);
  });

  it('folds trainer events into curves, final metrics and status', () => {
    let r = newRunRecord({ id: 'r1', config, backend: 'webgpu', adapter: 'SwiftShader', now: 0 });
    const events: TrainEvent[] = [
      { type: 'epoch', epochs: 2, epoch: 0, step: 0, knnTop1: 0.3 },
      {
        type: 'step',
        step: 10,
        epoch: 0,
        loss: 4.1,
        lr: 0.1,
        imagesPerSec: 50,
        extras: { zStd: 0.1 },
        totalSteps: 20,
        etaSec: 3,
      },
      { type: 'epoch', epochs: 2, epoch: 1, step: 10, trainLoss: 4.2, knnTop1: 0.35 },
      { type: 'paused', step: 10 },
      { type: 'resumed', step: 10 },
      { type: 'epoch', epochs: 2, epoch: 2, step: 20, trainLoss: 4.0, knnTop1: 0.33 },
      { type: 'done', reason: 'finished', step: 20, epoch: 2 },
    ];
    const seen: string[] = [];
    events.forEach((e, i) => {
      r = applyEvent(r, e, 100 + i);
      seen.push(r.status);
    });
    expect(seen).toEqual([
      'running',
      'running',
      'running',
      'paused',
      'running',
      'running',
      'finished',
    ]);
    expect(r.curves.steps).toEqual([
      { step: 10, epoch: 0, loss: 4.1, lr: 0.1, imagesPerSec: 50, extras: { zStd: 0.1 } },
    ]);
    expect(r.curves.epochs.map((p) => p.epoch)).toEqual([0, 1, 2]);
    expect(r.final).toEqual({
      epoch: 2,
      step: 20,
      trainLoss: 4.0,
      knnTop1: 0.33,
      best: { metric: 'knnTop1', value: 0.35, epoch: 1 },
    });
    expect(r.endedAt).toBe(106);
    const failed = applyEvent(
      applyEvent(r, { type: 'error', message: 'loss NaN', step: 3, epoch: 0 }),
      { type: 'done', reason: 'error', step: 3, epoch: 0 },
    );
    expect(failed).toMatchObject({ status: 'error', error: 'loss NaN' });
  });

  it('picks the best epoch ignoring the untrained epoch 0', () => {
    expect(
      bestOf(
        {
          steps: [],
          epochs: [
            { epoch: 0, step: 0, valAcc: 0.9 },
            { epoch: 1, step: 5, valAcc: 0.5 },
          ],
        },
        'valAcc',
      ),
    ).toEqual({ metric: 'valAcc', value: 0.5, epoch: 1 });
    expect(bestOf({ steps: [], epochs: [] }, 'knnTop1')).toBeNull();
  });

  it('tracks checkpoint storage per slot and what can resume', () => {
    const r0 = newRunRecord({ id: 'r1', config, backend: 'wasm' });
    const c = ckpt(100);
    expect(
      slotsFor({ type: 'checkpoint', epoch: 1, step: 10, isBest: true, checkpoint: c }),
    ).toEqual(['latest', 'best']);
    expect(
      slotsFor({ type: 'checkpoint', epoch: 1, step: 10, isBest: false, checkpoint: c }),
    ).toEqual(['latest']);
    const r1 = withCheckpointSize(withCheckpointSize(r0, 'latest', c), 'best', c);
    expect(r1.storage).toEqual({ latest: 808, best: 808 });
    expect(runStorageBytes(r1)).toBe(1616);
    expect(runStorageBytes(withCheckpointSize(r1, 'best', null))).toBe(808);
    expect(canResume({ ...r1, status: 'stopped' })).toBe(true);
    expect(canResume({ ...r1, status: 'finished' })).toBe(false);
    expect(canResume({ ...r0, status: 'stopped' })).toBe(false);
  });

  it('marks runs left running by a closed page as interrupted', () => {
    const a = { ...newRunRecord({ id: 'a', config, backend: 'wasm' }), status: 'running' as const };
    const b = {
      ...newRunRecord({ id: 'b', config, backend: 'wasm' }),
      status: 'finished' as const,
    };
    const c = { ...newRunRecord({ id: 'c', config, backend: 'wasm' }), status: 'paused' as const };
    expect(markInterrupted([a, b, c], 9).map((r) => [r.id, r.status, r.updatedAt])).toEqual([
      ['a', 'interrupted', 9],
      ['c', 'interrupted', 9],
    ]);
  });
});

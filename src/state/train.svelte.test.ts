/**
 * TrainState against a fake engine client (a plain object standing in for the comlink worker):
 * a run's events as the engine streams them become the panel's progress, curves, checkpoint note,
 * status and closing message.
 */
import { describe, expect, it } from 'vitest';
import type { RunConfig, RunEvent, RunRecord } from '../worker/api';
import type { EngineClient } from '../worker/client';
import { TrainState } from './train.svelte';

const config = { epochs: 2, method: { method: 'simclr' }, dataset: { id: 'ds' } } as RunConfig;
const record = { id: 'r1', curves: { steps: [], epochs: [] } } as unknown as RunRecord;

const step = (s: number, epoch: number, loss: number): RunEvent => ({
  type: 'step',
  runId: 'r1',
  step: s,
  epoch,
  loss,
  lr: 0.5,
  imagesPerSec: 40,
  extras: {},
  totalSteps: 4,
  etaSec: 6 - s,
});

/** A client whose startRun streams `events` (checking the state after each one) and resolves. */
function fakeClient(events: RunEvent[], seen: (e: RunEvent) => void) {
  const client = {
    remote: {
      listRuns: async () => [record],
      validateRunConfig: async (c: unknown) => ({ ok: true, config: c }),
    },
    startRun: async (_c: unknown, onEvent: (e: RunEvent) => void) => {
      for (const e of events) {
        onEvent(e);
        seen(e);
      }
      return record;
    },
  };
  return client as unknown as EngineClient;
}

describe('TrainState', () => {
  it('turns a streamed run into progress, curves and a closing message', async () => {
    const events: RunEvent[] = [
      { type: 'record', runId: 'r1', record },
      { type: 'epoch', runId: 'r1', epochs: 2, epoch: 0, step: 0, knnTop1: 0.1 },
      step(1, 0, 3),
      step(2, 0, 2),
      { type: 'epoch', runId: 'r1', epochs: 2, epoch: 1, step: 2, trainLoss: 2.5, knnTop1: 0.4 },
      { type: 'checkpoint', runId: 'r1', epoch: 1, step: 2, isBest: true, bytes: 1234 },
      { type: 'paused', runId: 'r1', step: 2 },
      { type: 'resumed', runId: 'r1', step: 2 },
      step(3, 1, 1.5),
      { type: 'done', runId: 'r1', reason: 'stopped', step: 3, epoch: 1 },
    ];
    const statuses: string[] = [];
    let state!: TrainState;
    state = new TrainState(fakeClient(events, () => statuses.push(state.status)));
    state.config = config;
    await state.start();

    expect(statuses).toEqual([
      'starting', // record
      'starting', // epoch 0 (before any step)
      'running',
      'running',
      'running',
      'running', // checkpoint
      'paused',
      'running',
      'running',
      'running', // done: idle comes when startRun resolves
    ]);
    expect(state.status).toBe('idle');
    expect(state.runId).toBe('r1');
    expect(state.steps.map((p) => [p.step, p.epoch, p.loss])).toEqual([
      [1, 0, 3],
      [2, 0, 2],
      [3, 1, 1.5],
    ]);
    expect(state.epochs).toEqual([
      { epoch: 0, step: 0, knnTop1: 0.1 },
      { epoch: 1, step: 2, trainLoss: 2.5, knnTop1: 0.4 },
    ]);
    expect(state.progress).toEqual({
      step: 3,
      totalSteps: 4,
      epoch: 1,
      epochs: 2,
      etaSec: 3,
      imagesPerSec: 40,
      loss: 1.5,
      lr: 0.5,
    });
    expect(state.lastCheckpoint).toEqual({ epoch: 1, bytes: 1234 });
    expect(state.message).toBe(
      'Stopped at epoch 1, step 3; the checkpoint is kept and the run can be resumed.',
    );
    expect(state.error).toBeNull();
    expect(state.runs).toEqual([record]);
  });
});

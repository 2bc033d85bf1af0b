import { describe, expect, it } from 'vitest';
import { curvesWith } from './curve-events';
import type { Curves } from './curves';
import type { TrainEvent } from './events';

const step = (s: number, epoch: number, loss: number): TrainEvent => ({
  type: 'step',
  step: s,
  epoch,
  loss,
  lr: 0.1 * s,
  imagesPerSec: 100 + s,
  extras: { zStd: s / 10 },
  totalSteps: 4,
  etaSec: 9,
  gradNorms: { 'backbone/conv1': 1 },
});

describe('curvesWith (the run-event reducer)', () => {
  it('replays a run: step points appended without progress fields, an epoch point replaced, other events ignored', () => {
    const events: TrainEvent[] = [
      { type: 'epoch', epochs: 2, epoch: 0, step: 0, knnTop1: 0.2 },
      step(1, 0, 2.5),
      step(2, 0, 2.25),
      { type: 'paused', step: 2 },
      { type: 'resumed', step: 2 },
      { type: 'epoch', epochs: 2, epoch: 1, step: 2, trainLoss: 2.375, knnTop1: 0.3 },
      // a resumed run re-reports epoch 1: the newer point replaces the older one
      { type: 'epoch', epochs: 2, epoch: 1, step: 2, trainLoss: 2.3, knnTop1: 0.35 },
      step(3, 1, 2),
      { type: 'done', reason: 'finished', step: 3, epoch: 2 },
    ];
    const start: Curves = { steps: [], epochs: [] };
    const end = events.reduce(curvesWith, start);
    expect(end).toEqual({
      steps: [
        { step: 1, epoch: 0, loss: 2.5, lr: 0.1, imagesPerSec: 101, extras: { zStd: 0.1 } },
        { step: 2, epoch: 0, loss: 2.25, lr: 0.2, imagesPerSec: 102, extras: { zStd: 0.2 } },
        {
          step: 3,
          epoch: 1,
          loss: 2,
          lr: 0.30000000000000004,
          imagesPerSec: 103,
          extras: { zStd: 0.3 },
        },
      ],
      epochs: [
        { epoch: 0, step: 0, knnTop1: 0.2 },
        { epoch: 1, step: 2, trainLoss: 2.3, knnTop1: 0.35 },
      ],
    });
    expect(start).toEqual({ steps: [], epochs: [] });
  });

  it("drops a page event's runId from the epoch point", () => {
    const e = { type: 'epoch', epochs: 1, epoch: 1, step: 5, trainLoss: 1, runId: 'r' } as const;
    expect(curvesWith({ steps: [], epochs: [] }, e).epochs).toEqual([
      { epoch: 1, step: 5, trainLoss: 1 },
    ]);
  });
});

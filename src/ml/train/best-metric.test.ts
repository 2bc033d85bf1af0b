import { describe, expect, it } from 'vitest';
import { bestMetricFor, bestOf, improvedBest } from './best-metric';
import type { EpochPoint } from './events';

const pt = (epoch: number, m: Partial<EpochPoint> = {}): EpochPoint => ({
  epoch,
  step: epoch * 10,
  trainLoss: 1,
  seconds: 1,
  ...m,
});

describe('best metric', () => {
  it('supervised runs are judged on validation accuracy, the others on kNN top-1', () => {
    expect(bestMetricFor('supervised')).toBe('valAcc');
    for (const m of ['simclr', 'byol', 'simsiam', 'mocov2'])
      expect(bestMetricFor(m)).toBe('knnTop1');
  });

  it('improvedBest: strictly higher wins; epoch 0, unmeasured and ties do not', () => {
    const best = { metric: 'knnTop1' as const, value: 0.5, epoch: 2 };
    expect(improvedBest(null, pt(0, { knnTop1: 0.9 }), 'knnTop1')).toBeNull();
    expect(improvedBest(null, pt(1), 'knnTop1')).toBeNull();
    expect(improvedBest(null, pt(1, { knnTop1: 0.1 }), 'knnTop1')).toEqual({
      metric: 'knnTop1',
      value: 0.1,
      epoch: 1,
    });
    expect(improvedBest(best, pt(3, { knnTop1: 0.5 }), 'knnTop1')).toBeNull();
    expect(improvedBest(best, pt(3, { knnTop1: 0.4 }), 'knnTop1')).toBeNull();
    expect(improvedBest(best, pt(3, { knnTop1: 0.6 }), 'knnTop1')).toEqual({
      metric: 'knnTop1',
      value: 0.6,
      epoch: 3,
    });
    // A best of another metric (e.g. a config that changed kind) is replaced by any measured value.
    expect(improvedBest(best, pt(3, { valAcc: 0.2 }), 'valAcc')).toEqual({
      metric: 'valAcc',
      value: 0.2,
      epoch: 3,
    });
  });

  it('bestOf over hand-written curves: the earliest maximum after epoch 0', () => {
    const epochs = [
      pt(0, { knnTop1: 0.99, valAcc: 0.99 }),
      pt(1, { knnTop1: 0.3 }),
      pt(2, { knnTop1: 0.7, valAcc: 0.4 }),
      pt(3),
      pt(4, { knnTop1: 0.7, valAcc: 0.6 }),
      pt(5, { knnTop1: 0.65 }),
    ];
    expect(bestOf({ steps: [], epochs }, 'knnTop1')).toEqual({
      metric: 'knnTop1',
      value: 0.7,
      epoch: 2,
    });
    expect(bestOf({ steps: [], epochs }, 'valAcc')).toEqual({
      metric: 'valAcc',
      value: 0.6,
      epoch: 4,
    });
    expect(bestOf({ steps: [], epochs: [pt(0, { knnTop1: 1 })] }, 'knnTop1')).toBeNull();
  });
});

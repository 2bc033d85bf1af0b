import { describe, expect, it } from 'vitest';
import { EpochStats, mean } from './epoch-stats';

describe('EpochStats', () => {
  it('means over every step of the epoch, across windows (hand-computed)', () => {
    const s = new EpochStats();
    s.add({ losses: Float32Array.from([1, 2]), extras: { accuracy: Float32Array.from([0.5, 1]) } });
    s.add({
      losses: Float32Array.from([3]),
      extras: { accuracy: Float32Array.from([0]) },
      gradNorms: { a: 2 },
    });
    expect(s.point(1, 3, 0.5)).toEqual({
      epoch: 1,
      step: 3,
      trainLoss: 2,
      seconds: 0.5,
      trainAcc: 0.5,
      gradNorms: { a: 2 },
    });
    s.reset();
    s.add({ losses: Float32Array.from([4]), extras: { zStd: Float32Array.from([0.25]) } });
    expect(s.point(2, 4, 1)).toEqual({ epoch: 2, step: 4, trainLoss: 4, seconds: 1, zStd: 0.25 });
    expect(mean([])).toBeNaN();
  });
});

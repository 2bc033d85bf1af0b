import { describe, expect, it } from 'vitest';
import { learningRateAt } from '../optim/schedules';
import { toScheduleConfig } from './optim-settings';
import { deriveSeed, epochOrder, seededSubset } from './seeds';

describe('run seeds', () => {
  const idx = Array.from({ length: 50 }, (_, i) => i * 2);

  it('gives each epoch its own order, the same every time it is asked for', () => {
    const e0 = epochOrder(idx, 7, 0);
    expect(epochOrder(idx, 7, 0)).toEqual(e0);
    expect([...e0].sort((a, b) => a - b)).toEqual(idx);
    expect(epochOrder(idx, 7, 1)).not.toEqual(e0);
    expect(epochOrder(idx, 8, 0)).not.toEqual(e0);
    expect(idx[0]).toBe(0); // input untouched
  });

  it('derives distinct seeds per stream and position', () => {
    const seen = new Set<number>();
    for (const s of ['shuffle', 'augment', 'bank', 'carve', 'queries'] as const)
      for (let n = 0; n < 100; n++) seen.add(deriveSeed(3, s, n));
    expect(seen.size).toBe(500);
    expect(deriveSeed(3, 'augment', 5)).toBe(deriveSeed(3, 'augment', 5));
  });

  it('picks seeded sorted subsets', () => {
    const s = seededSubset(idx, 10, 1, 'bank');
    expect(s).toHaveLength(10);
    expect(s).toEqual([...s].sort((a, b) => a - b));
    expect(seededSubset(idx, 10, 1, 'bank')).toEqual(s);
    expect(seededSubset(idx, 10, 2, 'bank')).not.toEqual(s);
    expect(seededSubset(idx, 100, 1, 'bank')).toEqual(idx);
  });

  it('maps epoch-based schedules to steps', () => {
    const cos = toScheduleConfig({ kind: 'cosine', warmupEpochs: 1, finalFactor: 0 }, 10, 20);
    expect(cos).toEqual({ kind: 'cosine', totalSteps: 200, warmupSteps: 20, finalFactor: 0 });
    expect(learningRateAt(1, cos, 0)).toBeCloseTo(1 / 20);
    expect(learningRateAt(1, cos, 19)).toBeCloseTo(1);
    expect(learningRateAt(1, cos, 110)).toBeCloseTo(0.5);
    const st = toScheduleConfig({ kind: 'step', every: 3, gamma: 0.1, warmupEpochs: 0 }, 10, 20);
    expect(learningRateAt(1, st, 59)).toBe(1);
    expect(learningRateAt(1, st, 60)).toBeCloseTo(0.1);
    expect(toScheduleConfig({ kind: 'constant', warmupEpochs: 0.5 }, 10, 20)).toEqual({
      kind: 'constant',
      warmupSteps: 10,
    });
  });
});

import { describe, expect, it } from 'vitest';
import { learningRateAt, makeSchedule } from './schedules';

describe('learningRateAt', () => {
  it('cosine with linear warm-up: values at key steps', () => {
    const cfg = { kind: 'cosine', warmupSteps: 10, totalSteps: 110 } as const;
    expect(learningRateAt(1, cfg, 0)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(1, cfg, 4)).toBeCloseTo(0.5, 12);
    expect(learningRateAt(1, cfg, 9)).toBeCloseTo(1, 12);
    expect(learningRateAt(1, cfg, 10)).toBeCloseTo(1, 12);
    expect(learningRateAt(1, cfg, 35)).toBeCloseTo((1 + Math.cos(Math.PI / 4)) / 2, 12);
    expect(learningRateAt(1, cfg, 60)).toBeCloseTo(0.5, 12);
    expect(learningRateAt(1, cfg, 110)).toBeCloseTo(0, 12);
    expect(learningRateAt(1, cfg, 500)).toBeCloseTo(0, 12);
    expect(learningRateAt(2, { ...cfg, finalFactor: 0.1 }, 60)).toBeCloseTo(
      2 * (0.1 + 0.9 * 0.5),
      12,
    );
  });
  it('cosine without warm-up starts at the base rate', () => {
    expect(learningRateAt(0.3, { kind: 'cosine', totalSteps: 100 }, 0)).toBeCloseTo(0.3, 12);
    expect(learningRateAt(0.3, { kind: 'cosine', totalSteps: 100 }, 100)).toBeCloseTo(0, 12);
  });
  it('step decay multiplies by gamma every k epochs', () => {
    const cfg = { kind: 'step', gamma: 0.1, everyEpochs: 30, stepsPerEpoch: 10 } as const;
    expect(learningRateAt(1, cfg, 0)).toBe(1);
    expect(learningRateAt(1, cfg, 299)).toBe(1);
    expect(learningRateAt(1, cfg, 300)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(1, cfg, 600)).toBeCloseTo(0.01, 12);
    expect(() => learningRateAt(1, { ...cfg, stepsPerEpoch: 0 }, 5)).toThrow(/stepsPerEpoch/);
  });
  it('constant, with optional warm-up', () => {
    expect(learningRateAt(0.05, { kind: 'constant' }, 1234)).toBe(0.05);
    expect(makeSchedule(1, { kind: 'constant', warmupSteps: 4 })(1)).toBeCloseTo(0.5, 12);
    expect(() => learningRateAt(1, { kind: 'constant' }, -1)).toThrow(/≥ 0/);
  });
});

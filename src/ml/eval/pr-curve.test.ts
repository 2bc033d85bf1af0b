import { describe, expect, it } from 'vitest';
import { loadEvalFixture } from './eval-reference.testing';
import {
  applyThreshold,
  bestF1Threshold,
  precisionRecallAt,
  precisionRecallCurve,
} from './pr-curve';

const fixture = loadEvalFixture();

describe('precision-recall curve', () => {
  it('equals sklearn.metrics.precision_recall_curve on tied scores', () => {
    const { scores, labels } = fixture.pr;
    const c = precisionRecallCurve(scores, labels);
    expect(c.thresholds).toEqual(fixture.pr.thresholds);
    expect(c.precision.length).toBe(fixture.pr.precision.length);
    c.precision.forEach((p, i) => expect(p).toBeCloseTo(fixture.pr.precision[i], 10));
    c.recall.forEach((r, i) => expect(r).toBeCloseTo(fixture.pr.recall[i], 10));
    expect(bestF1Threshold(c).f1).toBeCloseTo(fixture.pr.best_f1, 10);
  });

  it('hand-computed small case with a tie', () => {
    // scores 0.9(+) 0.8(-) 0.8(+) 0.1(-): thresholds 0.1, 0.8, 0.9
    const c = precisionRecallCurve([0.9, 0.8, 0.8, 0.1], [1, 0, 1, 0]);
    expect(c.thresholds).toEqual([0.1, 0.8, 0.9]);
    expect(c.precision).toEqual([0.5, 2 / 3, 1, 1]);
    expect(c.recall).toEqual([1, 1, 0.5, 0]);
    const best = bestF1Threshold(c);
    expect(best.threshold).toBe(0.8);
    expect(best.f1).toBeCloseTo(0.8, 12);
    expect(best.precision).toBeCloseTo(2 / 3, 12);
    expect(best.recall).toBe(1);
  });

  it('thresholding reproduces the curve point it came from', () => {
    const { scores, labels } = fixture.pr;
    const c = precisionRecallCurve(scores, labels);
    const best = bestF1Threshold(c);
    const at = precisionRecallAt(scores, labels, best.threshold);
    expect(at.precision).toBeCloseTo(best.precision, 12);
    expect(at.recall).toBeCloseTo(best.recall, 12);
    expect(at.f1).toBeCloseTo(best.f1, 12);
    const pred = applyThreshold(scores, best.threshold);
    expect(pred.reduce((s, v) => s + v, 0)).toBe(scores.filter((s) => s >= best.threshold).length);
  });
});

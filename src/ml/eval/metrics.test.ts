import { describe, expect, it } from 'vitest';
import { accuracy, classificationReport, confusionMatrix } from './metrics';

describe('classification metrics', () => {
  // Hand-computed: true 0 0 0 1 1 2 2 2 2 ; pred 0 1 0 1 1 1 2 0 2 ; class 3 absent from both.
  const yTrue = [0, 0, 0, 1, 1, 2, 2, 2, 2];
  const yPred = [0, 1, 0, 1, 1, 1, 2, 0, 2];

  it('accuracy and confusion matrix (rows true, columns predicted)', () => {
    expect(accuracy(yTrue, yPred)).toBeCloseTo(6 / 9, 12);
    expect(confusionMatrix(yTrue, yPred, 3)).toEqual([
      [2, 1, 0],
      [0, 2, 0],
      [1, 1, 2],
    ]);
  });

  it('per-class precision, recall, F1, support and macro-F1', () => {
    const r = classificationReport(yTrue, yPred, 3);
    // class 0: tp 2, predicted 3, support 3 → P 2/3, R 2/3, F1 2/3
    // class 1: tp 2, predicted 4, support 2 → P 1/2, R 1, F1 2/3
    // class 2: tp 2, predicted 2, support 4 → P 1, R 1/2, F1 2/3
    const expected = [
      { precision: 2 / 3, recall: 2 / 3, f1: 2 / 3, support: 3 },
      { precision: 1 / 2, recall: 1, f1: 2 / 3, support: 2 },
      { precision: 1, recall: 1 / 2, f1: 2 / 3, support: 4 },
    ];
    r.perClass.forEach((c, i) => {
      expect(c.precision).toBeCloseTo(expected[i].precision, 12);
      expect(c.recall).toBeCloseTo(expected[i].recall, 12);
      expect(c.f1).toBeCloseTo(expected[i].f1, 12);
      expect(c.support).toBe(expected[i].support);
    });
    expect(r.macroF1).toBeCloseTo(2 / 3, 12);
  });

  it('a never-predicted class has precision 0 (sklearn zero_division=0) and counts in macro-F1', () => {
    // true 0 1 1 2 ; pred 0 0 0 2 → class 1 never predicted.
    const r = classificationReport([0, 1, 1, 2], [0, 0, 0, 2], 3);
    expect(r.perClass[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 2 });
    // class 0: P 1/3, R 1 → F1 0.5; class 2: F1 1 → macro (0.5 + 0 + 1) / 3
    expect(r.perClass[0].f1).toBeCloseTo(0.5, 12);
    expect(r.macroF1).toBeCloseTo(0.5, 12);
    // A class with no true samples: recall 0, precision from its (wrong) predictions.
    const r2 = classificationReport([0, 0], [0, 1], 2);
    expect(r2.perClass[1]).toEqual({ precision: 0, recall: 0, f1: 0, support: 0 });
  });

  it('rejects labels out of range and mismatched lengths', () => {
    expect(() => confusionMatrix([0, 3], [0, 0], 3)).toThrow(/out of range/);
    expect(() => accuracy([0, 1], [0])).toThrow(/differ in length/);
  });
});

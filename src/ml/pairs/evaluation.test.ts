import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  centreReport,
  comparisonTable,
  failureGallery,
  histogram,
  histogramEdges,
  scoreHistogram,
  scoreMedians,
  splitCurve,
  transferThreshold,
} from './evaluation';
import { loadPairsFixture, PAIRS_SCRIPT_URL } from './pairs-reference.testing';

const fx = loadPairsFixture();
const ev = fx.evaluation;

describe('pairs reference fixture', () => {
  it('was written by the current tests/reference/pairs_reference.py with sklearn 1.2 and torch 1.13', () => {
    const sha = createHash('sha256').update(readFileSync(PAIRS_SCRIPT_URL)).digest('hex');
    expect(fx.script_sha256, 'pairs_reference.json is stale: rerun the script').toBe(sha);
    expect(fx.sklearn).toMatch(/^1\.2\./);
    expect(fx.torch).toMatch(/^1\.13\./);
  });
});

describe('pair evaluation against sklearn / numpy', () => {
  for (const kind of ['cosine', 'probability'] as const) {
    const block = ev[kind];
    for (const name of ['test', 'colour', 'texture'] as const) {
      it(`${kind} scores, ${name}: PR curve, best F1, histograms, medians`, () => {
        const s = block.splits[name];
        const { curve, best } = splitCurve(s);
        expect(curve.thresholds).toEqual(s.thresholds);
        expect(curve.precision).toHaveLength(s.precision.length);
        curve.precision.forEach((p, i) => expect(p).toBeCloseTo(s.precision[i], 7));
        curve.recall.forEach((r, i) => expect(r).toBeCloseTo(s.recall[i], 7));
        expect(best.threshold).toBe(s.best.threshold);
        expect(best.f1).toBeCloseTo(s.best.f1, 12);
        expect(best.precision).toBeCloseTo(s.best.precision, 12);
        expect(best.recall).toBeCloseTo(s.best.recall, 12);
        const h = scoreHistogram(s, block.range, ev.bins);
        expect(h.same).toEqual(s.hist_same);
        expect(h.different).toEqual(s.hist_different);
        expect(h.edges).toHaveLength(ev.bins + 1);
        const m = scoreMedians(s);
        expect(m.same).toBeCloseTo(s.median_same, 12);
        expect(m.different).toBeCloseTo(s.median_different, 12);
      });
    }

    it(`${kind} scores: colour threshold applied to every split, and galleries`, () => {
      const t = transferThreshold(block.splits.colour, block.splits);
      expect(t.threshold).toBe(block.colour_threshold);
      for (const name of ['test', 'colour', 'texture'] as const) {
        const want = block.splits[name].at_colour_threshold;
        expect(t.applied[name].precision).toBeCloseTo(want.precision, 12);
        expect(t.applied[name].recall).toBeCloseTo(want.recall, 12);
        expect(t.applied[name].f1).toBeCloseTo(want.f1, 12);
        const g = failureGallery(block.splits[name], t.threshold, ev.k);
        expect(g.closestDifferent.map((x) => x.index)).toEqual(
          block.splits[name].galleries.closest_different,
        );
        expect(g.farthestSame.map((x) => x.index)).toEqual(
          block.splits[name].galleries.farthest_same,
        );
        expect(g.confidentCorrect.map((x) => x.index)).toEqual(
          block.splits[name].galleries.confident_correct,
        );
      }
      const rows = comparisonTable([{ model: 'm', splits: block.splits }]);
      expect(rows.map((r) => r.split)).toEqual(['test', 'colour', 'texture']);
      expect(rows[2].f1).toBeCloseTo(block.splits.texture.at_colour_threshold.f1, 12);
      expect(rows[2].bestF1).toBeCloseTo(block.splits.texture.best.f1, 12);
      expect(rows[1].f1).toBeCloseTo(block.splits.colour.best.f1, 12);
    });
  }

  it('centre report: MSE as sklearn, best and worst images', () => {
    const c = centreReport(ev.centre.pred, ev.centre.truth, ev.k);
    expect(c.mse).toBeCloseTo(ev.centre.mse, 10);
    expect(c.best.map((x) => x.index)).toEqual(ev.centre.best);
    expect(c.worst.map((x) => x.index)).toEqual(ev.centre.worst);
    expect(c.worst[0].truth).toEqual([
      ev.centre.truth[2 * c.worst[0].index],
      ev.centre.truth[2 * c.worst[0].index + 1],
    ]);
    expect(() => centreReport([1, 2, 3], [1, 2, 3])).toThrow(/\[n·2\]/);
  });
});

describe('histogram', () => {
  it('follows numpy: last bin closed, outside values dropped, edges exact', () => {
    expect(histogram([0, 0.5, 1, 1.5, -0.1, 0.25], 0, 1, 4)).toEqual([1, 1, 1, 1]);
    expect(histogramEdges(-1, 1, 4)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(() => histogram([1], 1, 1, 3)).toThrow(/hi > lo/);
    const h = scoreHistogram({ scores: [1.0000001, -1.5, 0.2], labels: [1, 0, 0] }, [-1, 1], 4);
    expect(h.same).toEqual([0, 0, 0, 1]);
    expect(h.different).toEqual([1, 0, 1, 0]);
  });

  it('galleries break ties by lower index and respect the threshold', () => {
    const g = failureGallery(
      { scores: [0.5, 0.9, 0.9, 0.1, 0.2], labels: [1, 0, 0, 1, 0] },
      0.4,
      2,
    );
    expect(g.closestDifferent.map((x) => x.index)).toEqual([1, 2]);
    expect(g.farthestSame.map((x) => x.index)).toEqual([3, 0]);
    expect(g.confidentCorrect.map((x) => x.index)).toEqual([4, 0]);
  });
});

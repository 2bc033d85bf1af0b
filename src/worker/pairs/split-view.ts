/** One evaluated split as the page sees it: scores, curve, histogram, and galleries carrying their pairs' pixels. */
import type { PairSet, PairSplit } from '../../ml/data/pairs';
import type { PairModelReport } from '../../ml/pairs/scoring';
import type { PairsCentreItem, PairsGalleryItem, PairsSplitView } from '../../common/pairs-types';

/** Split `name` of report `r` with the pixels of `set`'s pairs copied into its gallery and centre items (`label`: the split's display name). */
export function splitView(
  r: PairModelReport,
  name: PairSplit,
  set: PairSet,
  label: string,
): PairsSplitView {
  const s = r.splits[name];
  if (!s) throw new Error(`split ${name} was not evaluated`);
  const withPixels = (g: { index: number; score: number; label: 0 | 1 }): PairsGalleryItem => {
    const p = set.pairs[g.index];
    return {
      index: g.index,
      score: g.score,
      label: g.label,
      a: p.a.pixels.slice(),
      b: p.b.pixels.slice(),
    };
  };
  const centreItem = (c: {
    index: number;
    error: number;
    pred: [number, number];
    truth: [number, number];
  }): PairsCentreItem => {
    const p = set.pairs[Math.floor(c.index / 2)];
    return { ...c, pixels: (c.index % 2 === 0 ? p.a : p.b).pixels.slice() };
  };
  return {
    split: name,
    label,
    scores: s.scores,
    labels: s.labels,
    curve: s.curve,
    best: s.best,
    atThreshold: s.atColourThreshold,
    histogram: s.histogram,
    medians: s.medians,
    gallery: {
      closestDifferent: s.gallery.closestDifferent.map(withPixels),
      farthestSame: s.gallery.farthestSame.map(withPixels),
      confidentCorrect: s.gallery.confidentCorrect.map(withPixels),
    },
    centre: s.centre
      ? {
          mse: s.centre.mse,
          best: s.centre.best.map(centreItem),
          worst: s.centre.worst.map(centreItem),
        }
      : null,
  };
}

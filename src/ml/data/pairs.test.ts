import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmBackend } from '../node-backend.testing';
import {
  freshTrainPairs,
  generatePairs,
  generatePairSplits,
  labelCounts,
  pairLabels,
  pairsFromLabeled,
  pairTensors,
  type PairSet,
  type ShapePair,
} from './pairs';

const digest = (ps: ShapePair[]): string => {
  const h = createHash('sha256');
  for (const p of ps) {
    h.update(p.a.pixels)
      .update(p.b.pixels)
      .update(`${p.label}${p.a.kind}${p.b.kind}${p.a.cx},${p.a.cy},${p.b.cx},${p.b.cy}`);
  }
  return h.digest('hex');
};

/** Mean squared difference of grey values between horizontal neighbours, over all images of a set. */
function gradientEnergy(set: PairSet): number {
  const s = set.size;
  let e = 0,
    n = 0;
  for (const p of set.pairs) {
    for (const im of [p.a, p.b]) {
      for (let y = 0; y < s; y++) {
        for (let x = 0; x < s - 1; x++) {
          const o = (y * s + x) * 3;
          const g0 = 0.299 * im.pixels[o] + 0.587 * im.pixels[o + 1] + 0.114 * im.pixels[o + 2];
          const g1 = 0.299 * im.pixels[o + 3] + 0.587 * im.pixels[o + 4] + 0.114 * im.pixels[o + 5];
          e += (g1 - g0) ** 2;
          n++;
        }
      }
    }
  }
  return e / n;
}

describe('shape pairs', () => {
  beforeAll(useWasmBackend);

  it('are deterministic per seed and differ across seeds and epochs', () => {
    expect(digest(generatePairs(30, 5))).toBe(digest(generatePairs(30, 5)));
    expect(digest(generatePairs(30, 5))).not.toBe(digest(generatePairs(30, 6)));
    const s1 = generatePairSplits({ seed: 3, train: 20, test: 10, colour: 6, texture: 6 });
    const s2 = generatePairSplits({ seed: 3, train: 20, test: 10, colour: 6, texture: 6 });
    for (const k of ['train', 'test', 'colour', 'texture'] as const)
      expect(digest(s1[k].pairs)).toBe(digest(s2[k].pairs));
    expect(digest(s1.train.pairs)).not.toBe(digest(s1.test.pairs));
    expect(digest(freshTrainPairs(20, 0, { seed: 3 }).pairs)).toBe(digest(s1.train.pairs));
    const e1 = freshTrainPairs(20, 1, { seed: 3 }),
      e2 = freshTrainPairs(20, 2, { seed: 3 });
    expect(digest(e1.pairs)).toBe(digest(freshTrainPairs(20, 1, { seed: 3 }).pairs));
    expect(digest(e1.pairs)).not.toBe(digest(e2.pairs));
    expect(digest(e1.pairs)).not.toBe(digest(s1.train.pairs));
  });

  it('have balanced labels, labels that match the kinds, and both kinds in each slot', () => {
    const ps = generatePairs(101, 9);
    const c = labelCounts(ps);
    expect(Math.abs(c.same - c.different)).toBe(1);
    for (const p of ps) expect(p.label).toBe(p.a.kind === p.b.kind ? 1 : 0);
    const circlesA = ps.filter((p) => p.a.kind === 'circle').length;
    expect(Math.abs(circlesA - 50.5)).toBeLessThanOrEqual(1.5);
    // Shuffled: the first half is not all one label.
    const firstHalfSame = ps.slice(0, 50).filter((p) => p.label === 1).length;
    expect(firstHalfSame).toBeGreaterThan(15);
    expect(firstHalfSame).toBeLessThan(35);
    expect(generatePairs(0, 1)).toEqual([]);
  });

  it('use the default split sizes and keep kind and centre of each image', () => {
    const s = generatePairSplits({ seed: 1, train: 8 });
    expect([
      s.train.pairs.length,
      s.test.pairs.length,
      s.colour.pairs.length,
      s.texture.pairs.length,
    ]).toEqual([8, 200, 100, 100]);
    expect(s.texture.texture).toBe(true);
    expect(s.colour.texture).toBe(false);
    for (const p of s.test.pairs.slice(0, 20)) {
      for (const im of [p.a, p.b]) {
        expect(im.pixels).toHaveLength(32 * 32 * 3);
        expect(im.cx).toBeGreaterThan(0);
        expect(im.cx).toBeLessThan(1);
        expect(['circle', 'square']).toContain(im.kind);
      }
    }
  });

  it('texture split differs from colour in pixel statistics', () => {
    const s = generatePairSplits({ seed: 2, train: 0, test: 0, colour: 40, texture: 40 });
    const plain = gradientEnergy(s.colour),
      tex = gradientEnergy(s.texture);
    expect(tex).toBeGreaterThan(1.3 * plain);
    // Distinct colour count per image: flat images have two colours plus anti-aliased edges.
    const distinct = (set: PairSet): number => {
      let total = 0;
      for (const p of set.pairs) {
        const seen = new Set<number>();
        for (let o = 0; o < p.a.pixels.length; o += 3)
          seen.add((p.a.pixels[o] << 16) | (p.a.pixels[o + 1] << 8) | p.a.pixels[o + 2]);
        total += seen.size;
      }
      return total / set.pairs.length;
    };
    expect(distinct(s.texture)).toBeGreaterThan(1.5 * distinct(s.colour));
  });

  it('pairTensors gives images in 0..1, labels and centres', () => {
    const set: PairSet = { split: 'test', size: 32, texture: false, pairs: generatePairs(6, 4) };
    const before = tf.memory().numTensors;
    const t = pairTensors(set, [1, 3]);
    expect(t.xa.shape).toEqual([2, 32, 32, 3]);
    expect(Array.from(t.y.dataSync())).toEqual([set.pairs[1].label, set.pairs[3].label]);
    expect(Array.from(t.centres.dataSync())[2]).toBeCloseTo(set.pairs[1].b.cx, 6);
    expect(t.xb.dataSync()[0]).toBeCloseTo(set.pairs[1].b.pixels[0] / 255, 6);
    const mx = tf.max(t.xa);
    expect(mx.dataSync()[0]).toBeLessThanOrEqual(1);
    tf.dispose([mx, t.xa, t.xb, t.y, t.centres]);
    expect(tf.memory().numTensors).toBe(before + 0);
    expect(Array.from(pairLabels(set.pairs))).toEqual(set.pairs.map((p) => p.label));
  });
});

describe('pairsFromLabeled', () => {
  const labels = [0, 0, 0, 1, 1, 2, 2, 2, 0, 1, 1, 2];
  const splits = ['tr', 'tr', 'tr', 'tr', 'tr', 'tr', 'tr', 'tr', 'te', 'te', 'te', 'te'];

  it('builds balanced within-split pairs whose labels say same class', () => {
    const out = pairsFromLabeled(labels, splits, { tr: 41, te: 10 }, 7);
    expect(Object.keys(out).sort()).toEqual(['te', 'tr']);
    for (const [split, p] of Object.entries(out)) {
      let same = 0;
      for (let k = 0; k < p.label.length; k++) {
        expect(splits[p.a[k]]).toBe(split);
        expect(splits[p.b[k]]).toBe(split);
        expect(p.a[k]).not.toBe(p.b[k]);
        expect(p.label[k]).toBe(labels[p.a[k]] === labels[p.b[k]] ? 1 : 0);
        same += p.label[k];
      }
      expect(Math.abs(2 * same - p.label.length)).toBeLessThanOrEqual(1);
    }
    expect(out.tr.label).toHaveLength(41);
    expect(pairsFromLabeled(labels, splits, 20, 7)).toEqual(
      pairsFromLabeled(labels, splits, 20, 7),
    );
    expect(pairsFromLabeled(labels, splits, 20, 7)).not.toEqual(
      pairsFromLabeled(labels, splits, 20, 8),
    );
  });

  it('refuses splits that cannot give same or different pairs', () => {
    expect(() => pairsFromLabeled([0, 1, 2], ['a', 'a', 'a'], 4, 1)).toThrow(
      /no class with two items/,
    );
    expect(() => pairsFromLabeled([0, 0, 0], ['a', 'a', 'a'], 4, 1)).toThrow(/one class only/);
    expect(() => pairsFromLabeled([0, 0], ['a'], 4, 1)).toThrow(/differ in length/);
  });
});

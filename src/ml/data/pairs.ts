/**
 * Seeded "same or different?" pairs on top of the shapes generator: each pair holds two 32×32
 * shape images and label 1 when both are the same kind (circle/circle, square/square), else 0.
 * Every image keeps its kind and centre (the siamese auxiliary head regresses the centre).
 *
 * Splits: 'train', 'test' (same distribution as train), and two validation domains: 'colour'
 * (flat colours, the training distribution) and 'texture' (procedural textures, a domain shift).
 * `pairsFromLabeled` builds pairs of indices from any labelled dataset instead.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng, hashSeed, type Rng } from '../rng';
import { renderShape, type ShapeKind } from './shapes';

export { PAIR_SPLITS, type PairSplit } from './pair-split';
import { PAIR_SPLITS, type PairSplit } from './pair-split';

/** One image of a pair: S·S·3 uint8 RGB, its kind and centre (0..1 of the image size). */
export interface PairImage {
  pixels: Uint8Array;
  kind: ShapeKind;
  cx: number;
  cy: number;
}

export interface ShapePair {
  a: PairImage;
  b: PairImage;
  /** 1 = same kind, 0 = different kinds. */
  label: 0 | 1;
}

export interface PairSet {
  split: PairSplit;
  /** Image side S. */
  size: number;
  texture: boolean;
  pairs: ShapePair[];
}

export interface PairSplitsOptions {
  seed?: number;
  /** Image side (default 32). */
  size?: number;
  /** Pairs per split; defaults train 1,000, test 200, colour 100, texture 100. */
  train?: number;
  test?: number;
  colour?: number;
  texture?: number;
}

export type PairSplits = Record<PairSplit, PairSet>;

export const DEFAULT_PAIR_COUNTS: Readonly<Record<PairSplit, number>> = {
  train: 1000,
  test: 200,
  colour: 100,
  texture: 100,
};

/** Split index mixed into the seed, so each split (and each fresh epoch) draws its own images. */
const SPLIT_SALT: Record<PairSplit, number> = { train: 1, test: 2, colour: 3, texture: 4 };

function renderPairImage(rng: Rng, kind: ShapeKind, size: number, texture: boolean): PairImage {
  const s = renderShape(rng, { kind, size, texture });
  return { pixels: s.pixels, kind: s.kind, cx: s.cx, cy: s.cy };
}

/**
 * n pairs from one seed: labels balanced (⌈n/2⌉ same, ⌊n/2⌋ different; the odd one by coin) and
 * shuffled; within each label the kinds alternate (circle/circle vs square/square, circle/square
 * vs square/circle), so both kinds appear equally often in either slot.
 */
export function generatePairs(
  n: number,
  seed: number,
  opts: { size?: number; texture?: boolean } = {},
): ShapePair[] {
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`pair count must be a non-negative integer, got ${n}`);
  const size = opts.size ?? 32,
    texture = opts.texture ?? false;
  const rng = createRng(seed);
  const labels: (0 | 1)[] = [];
  for (let i = 0; i < Math.floor(n / 2); i++) labels.push(1, 0);
  if (n % 2 === 1) labels.push(rng.bernoulli(0.5) ? 1 : 0);
  rng.shuffle(labels);
  let same = 0,
    diff = 0;
  return labels.map((label) => {
    let ka: ShapeKind, kb: ShapeKind;
    if (label === 1) {
      ka = kb = same++ % 2 === 0 ? 'circle' : 'square';
    } else {
      ka = diff % 2 === 0 ? 'circle' : 'square';
      kb = diff++ % 2 === 0 ? 'square' : 'circle';
    }
    return {
      a: renderPairImage(rng, ka, size, texture),
      b: renderPairImage(rng, kb, size, texture),
      label,
    };
  });
}

function splitSeed(seed: number, split: PairSplit, epoch = 0): number {
  return hashSeed(hashSeed(seed * 7919 + SPLIT_SALT[split]) + epoch * 104729);
}

/** One split's pairs; 'texture' renders textured shapes, the others flat colours. */
export function generatePairSplit(
  split: PairSplit,
  n: number,
  opts: { seed?: number; size?: number } = {},
): PairSet {
  const size = opts.size ?? 32;
  const texture = split === 'texture';
  return {
    split,
    size,
    texture,
    pairs: generatePairs(n, splitSeed(opts.seed ?? 0, split), { size, texture }),
  };
}

/** All four splits (train, test, colour validation, texture validation) from one seed. */
export function generatePairSplits(opts: PairSplitsOptions = {}): PairSplits {
  const out = {} as PairSplits;
  for (const split of PAIR_SPLITS) {
    out[split] = generatePairSplit(split, opts[split] ?? DEFAULT_PAIR_COUNTS[split], {
      seed: opts.seed,
      size: opts.size,
    });
  }
  return out;
}

/**
 * Fresh training pairs for `epoch` (≥ 1): same distribution as 'train', new images, seeded by
 * (seed, epoch) so a run replays exactly. Epoch 0 is the fixed train split itself.
 */
export function freshTrainPairs(
  n: number,
  epoch: number,
  opts: { seed?: number; size?: number } = {},
): PairSet {
  if (epoch === 0) return generatePairSplit('train', n, opts);
  const size = opts.size ?? 32;
  return {
    split: 'train',
    size,
    texture: false,
    pairs: generatePairs(n, splitSeed(opts.seed ?? 0, 'train', epoch), { size }),
  };
}

/** Count of same (label 1) and different (label 0) pairs. */
export function labelCounts(pairs: readonly { label: number }[]): {
  same: number;
  different: number;
} {
  let same = 0;
  for (const p of pairs) if (p.label === 1) same++;
  return { same, different: pairs.length - same };
}

/** Pair labels as an array [n] (1 same, 0 different). */
export function pairLabels(pairs: readonly { label: number }[]): Uint8Array {
  return Uint8Array.from(pairs, (p) => p.label);
}

/** uint8 RGB images → float32 [N,S,S,3] in 0..1. Caller disposes. */
export function imagesToTensor(
  images: readonly { pixels: Uint8Array }[],
  size: number,
): tf.Tensor4D {
  const px = size * size * 3;
  const data = new Float32Array(images.length * px);
  images.forEach((im, i) => {
    if (im.pixels.length !== px)
      throw new Error(`image ${i} has ${im.pixels.length} values, expected ${px}`);
    for (let j = 0; j < px; j++) data[i * px + j] = im.pixels[j] / 255;
  });
  return tf.tensor4d(data, [images.length, size, size, 3]);
}

/** A batch of pairs as tensors; caller disposes all four. */
export interface PairTensors {
  /** First images [N,S,S,3], 0..1. */
  xa: tf.Tensor4D;
  /** Second images [N,S,S,3]. */
  xb: tf.Tensor4D;
  /** Labels [N] float32 (1 same, 0 different). */
  y: tf.Tensor1D;
  /** Centres [N,4]: (cx, cy) of a, then (cx, cy) of b, 0..1. */
  centres: tf.Tensor2D;
}

/** Tensors for pairs[indices] (all pairs when indices is omitted). Caller disposes. */
export function pairTensors(set: PairSet, indices?: ArrayLike<number>): PairTensors {
  const idx = indices ? Array.from(indices) : set.pairs.map((_, i) => i);
  const ps = idx.map((i) => {
    const p = set.pairs[i];
    if (!p) throw new Error(`pair index ${i} out of range (${set.pairs.length} pairs)`);
    return p;
  });
  const centres = new Float32Array(ps.length * 4);
  ps.forEach((p, i) => centres.set([p.a.cx, p.a.cy, p.b.cx, p.b.cy], i * 4));
  return {
    xa: imagesToTensor(
      ps.map((p) => p.a),
      set.size,
    ),
    xb: imagesToTensor(
      ps.map((p) => p.b),
      set.size,
    ),
    y: tf.tensor1d(Float32Array.from(ps, (p) => p.label)),
    centres: tf.tensor2d(centres, [ps.length, 4]),
  };
}

/** Pairs of item indices (a[i], b[i]) with label[i] = 1 when both items share a class. */
export interface IndexPairs {
  a: Int32Array;
  b: Int32Array;
  label: Uint8Array;
}

/**
 * Balanced pairs of indices into any labelled dataset, drawn within each split: for every split
 * name occurring in `splits` (splits[i] is item i's split), `n` pairs (or n[split]), half with both
 * items of one class (label 1) and half from two different classes (label 0), shuffled. Throws
 * when a split cannot give one of the two kinds (every class a singleton, or only one class).
 */
export function pairsFromLabeled(
  labels: ArrayLike<number>,
  splits: ArrayLike<string>,
  n: number | Record<string, number>,
  seed: number,
): Record<string, IndexPairs> {
  if (labels.length !== splits.length)
    throw new Error(`labels (${labels.length}) and splits (${splits.length}) differ in length`);
  const bySplit = new Map<string, number[]>();
  for (let i = 0; i < splits.length; i++) {
    const list = bySplit.get(splits[i]);
    if (list) list.push(i);
    else bySplit.set(splits[i], [i]);
  }
  const out: Record<string, IndexPairs> = {};
  const names = [...bySplit.keys()].sort();
  for (const split of names) {
    const count = typeof n === 'number' ? n : n[split];
    if (count === undefined) continue;
    const items = bySplit.get(split) ?? [];
    const byClass = new Map<number, number[]>();
    for (const i of items) {
      const list = byClass.get(labels[i]);
      if (list) list.push(i);
      else byClass.set(labels[i], [i]);
    }
    const classes = [...byClass.keys()].sort((x, y) => x - y);
    // Same-class pairs come from classes with ≥ 2 items, chosen in proportion to their pair count.
    const multi = classes.filter((c) => (byClass.get(c) ?? []).length >= 2);
    const weights = multi.map((c) => {
      const k = (byClass.get(c) ?? []).length;
      return (k * (k - 1)) / 2;
    });
    const totalW = weights.reduce((s, w) => s + w, 0);
    const rng = createRng(hashSeed(seed) ^ hashSeed(names.indexOf(split) + 1));
    const want: (0 | 1)[] = [];
    for (let i = 0; i < Math.floor(count / 2); i++) want.push(1, 0);
    if (count % 2 === 1) want.push(rng.bernoulli(0.5) ? 1 : 0);
    rng.shuffle(want);
    if (want.includes(1) && multi.length === 0)
      throw new Error(`split "${split}" has no class with two items: no same-class pairs`);
    if (want.includes(0) && classes.length < 2)
      throw new Error(`split "${split}" has one class only: no different-class pairs`);
    const a = new Int32Array(count),
      b = new Int32Array(count),
      label = new Uint8Array(count);
    want.forEach((l, k) => {
      if (l === 1) {
        let u = rng.next() * totalW,
          ci = 0;
        while (ci < multi.length - 1 && u >= weights[ci]) u -= weights[ci++];
        const members = byClass.get(multi[ci]) ?? [];
        const i = rng.int(members.length);
        let j = rng.int(members.length - 1);
        if (j >= i) j++;
        a[k] = members[i];
        b[k] = members[j];
      } else {
        // Uniform over ordered pairs of items from different classes: first item uniform, then a
        // uniform item among those outside its class (rejection keeps it exact).
        let i: number, j: number;
        do {
          i = items[rng.int(items.length)];
        } while ((byClass.get(labels[i]) ?? []).length === items.length);
        do {
          j = items[rng.int(items.length)];
        } while (labels[j] === labels[i]);
        a[k] = i;
        b[k] = j;
      }
      label[k] = l;
    });
    out[split] = { a, b, label };
  }
  return out;
}

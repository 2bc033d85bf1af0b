/**
 * Seeded stratified train/val/test splits: each class is shuffled on its own and cut by
 * largest-remainder allocation, so per-class proportions follow the fractions as closely as
 * integer counts allow.
 */
import { createRng, type Rng } from '../rng';

export interface SplitFractions {
  train: number;
  val: number;
  test: number;
}

/** Split codes stored per image by `stratifiedSplit` (code k is `SPLIT_NAMES[k]` of ./types). */
export const SPLIT_TRAIN = 0;
export const SPLIT_VAL = 1;
export const SPLIT_TEST = 2;

/** Checks split fractions; returns a message for the user, or null when they are valid. */
export function validateFractions(f: SplitFractions): string | null {
  for (const name of ['train', 'val', 'test'] as const) {
    const v = f[name];
    if (typeof v !== 'number' || !Number.isFinite(v))
      return `the ${name} fraction must be a number (got ${String(v)})`;
    if (v < 0 || v > 1) return `the ${name} fraction must be between 0 and 1 (got ${v})`;
  }
  if (f.train <= 0) return 'the train fraction must be above 0: training needs images';
  const sum = f.train + f.val + f.test;
  if (Math.abs(sum - 1) > 1e-6) {
    return `the fractions must add up to 1 (train ${f.train} + val ${f.val} + test ${f.test} = ${+sum.toFixed(6)})`;
  }
  return null;
}

/**
 * Per-split counts for one class of n images: floors of n·fraction, the remainder to the largest
 * fractional parts (ties broken by the rng); with n ≥ 3 every split with a nonzero fraction gets ≥ 1.
 */
export function allocateCounts(n: number, f: SplitFractions, rng: Rng): [number, number, number] {
  const fr = [f.train, f.val, f.test];
  const target = fr.map((x) => n * x);
  const counts = target.map((t) => Math.floor(t + 1e-9)) as [number, number, number];
  let rem = n - counts[0] - counts[1] - counts[2];
  const order = [0, 1, 2]
    .map((s) => ({ s, frac: target[s] - counts[s], key: rng.next() }))
    .sort((a, b) => b.frac - a.frac || a.key - b.key);
  for (let k = 0; rem > 0; k = (k + 1) % 3) {
    if (fr[order[k].s] > 0) {
      counts[order[k].s]++;
      rem--;
    }
  }
  if (n >= 3) {
    for (const s of [1, 2, 0]) {
      if (fr[s] > 0 && counts[s] === 0) {
        const donor = counts.indexOf(Math.max(...counts));
        counts[donor]--;
        counts[s]++;
      }
    }
  }
  return counts;
}

/**
 * Stratified split: labels (class index per image, -1 = unlabeled, all unlabeled form one group)
 * → Uint8Array of split codes (0 train, 1 val, 2 test). Deterministic per seed.
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  fractions: SplitFractions,
  seed: number,
): Uint8Array {
  const problem = validateFractions(fractions);
  if (problem) throw new Error(`invalid split fractions: ${problem}`);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const g = labels[i] < 0 ? -1 : labels[i];
    const list = groups.get(g);
    if (list) list.push(i);
    else groups.set(g, [i]);
  }
  const rng = createRng(seed);
  const out = new Uint8Array(labels.length);
  for (const g of [...groups.keys()].sort((a, b) => a - b)) {
    const idx = rng.shuffle(groups.get(g)!);
    const [nTrain, nVal] = allocateCounts(idx.length, fractions, rng);
    idx.forEach((imageIndex, k) => {
      out[imageIndex] = k < nTrain ? SPLIT_TRAIN : k < nTrain + nVal ? SPLIT_VAL : SPLIT_TEST;
    });
  }
  return out;
}

/** Image counts per split and class: counts[split][class]; unlabeled images (-1) are not counted. */
export function splitCounts(
  labels: ArrayLike<number>,
  splits: ArrayLike<number>,
  numClasses: number,
): number[][] {
  if (labels.length !== splits.length)
    throw new Error(`labels (${labels.length}) and splits (${splits.length}) differ in length`);
  const counts = [0, 1, 2].map(() => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (c < 0) continue;
    if (c >= numClasses)
      throw new Error(`label ${c} at image ${i} is not below numClasses ${numClasses}`);
    const s = splits[i];
    if (s > 2) throw new Error(`split code ${s} at image ${i} is not 0, 1 or 2`);
    counts[s][c]++;
  }
  return counts;
}

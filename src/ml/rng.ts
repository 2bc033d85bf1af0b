/**
 * Seeded pseudo-random numbers (mulberry32 + splitmix32 seeding). Pure JS, so the same seed gives
 * the same sequence in the worker, in Node tests and on every tfjs backend: randomness is drawn
 * here on the CPU and handed to tensor ops as data, never from tf.random*.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** True with probability p. */
  bernoulli(p: number): boolean;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** A new independent generator derived from this one's next state. */
  fork(): Rng;
  /** Fisher–Yates shuffle in place; returns the array. */
  shuffle<T>(a: T[]): T[];
}

/** splitmix32: spreads a seed (any integer) into a well-mixed 32-bit state. */
export function hashSeed(seed: number): number {
  let z = (seed | 0) + 0x9e3779b9;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Creates a seeded generator. Same seed, same sequence, everywhere. */
export function createRng(seed: number): Rng {
  let state = hashSeed(seed);
  let spare: number | null = null;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const rng: Rng = {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    int: (n) => Math.floor(next() * n),
    bernoulli: (p) => next() < p,
    normal: () => {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    fork: () => createRng(Math.floor(next() * 4294967296)),
    shuffle: <T>(a: T[]): T[] => {
      for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const tmp = a[i];
        a[i] = a[j];
        a[j] = tmp;
      }
      return a;
    },
  };
  return rng;
}

/**
 * Seeds a run derives from its one seed. Each random stream (shuffling, augmentation, monitor
 * subsets) and each position in it (epoch, step) gets its own seed, so a run resumed at any step
 * draws exactly what an uninterrupted run would have drawn there.
 */
import { createRng, hashSeed, type Rng } from '../rng';

export const SEED_STREAMS = { shuffle: 1, augment: 2, bank: 3, carve: 4, queries: 5 } as const;
export type SeedStream = keyof typeof SEED_STREAMS;

/** A 32-bit seed for position `n` of stream `stream` of a run seeded `seed` (pure). */
export function deriveSeed(seed: number, stream: SeedStream, n = 0): number {
  return hashSeed(
    (hashSeed(seed) ^ Math.imul(SEED_STREAMS[stream], 0x9e3779b1)) + hashSeed(n + 0x632be5ab),
  );
}

/** A generator for position `n` of a stream. */
export function streamRng(seed: number, stream: SeedStream, n = 0): Rng {
  return createRng(deriveSeed(seed, stream, n));
}

/** The order of `indices` in epoch `epoch` (a shuffled copy; the input is left alone). */
export function epochOrder(indices: readonly number[], seed: number, epoch: number): number[] {
  return streamRng(seed, 'shuffle', epoch).shuffle([...indices]);
}

/** A seeded subset of at most `n` of `indices`, in ascending order (pure). */
export function seededSubset(
  indices: readonly number[],
  n: number,
  seed: number,
  stream: SeedStream,
): number[] {
  if (indices.length <= n) return [...indices];
  return streamRng(seed, stream)
    .shuffle([...indices])
    .slice(0, n)
    .sort((a, b) => a - b);
}

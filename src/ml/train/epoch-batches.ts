/**
 * The batch plumbing the training loops share (the Trainer, the pairs trainer, fine-tuning and the
 * linear probe): how many batches an epoch has and which indices each takes from the epoch's order.
 * The order itself stays with each loop (its own seeded shuffle, so each keeps its RNG draws).
 */

/** What happens to the last batch of an epoch when the batch size does not divide the set. */
export type LastBatch = 'drop' | 'keep';

/** Batches in an epoch of `n` items: ⌊n / size⌋ when the partial last batch is dropped, ⌈n / size⌉ when kept. */
export function batchesPerEpoch(n: number, batchSize: number, last: LastBatch): number {
  if (!(batchSize >= 1)) throw new Error(`batch size must be ≥ 1, got ${batchSize}`);
  return last === 'drop' ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/** Batch `b` of an epoch: order[b·size, (b+1)·size), shorter only for a kept partial last batch. */
export function batchAt(order: readonly number[], batchSize: number, b: number): number[] {
  return order.slice(b * batchSize, (b + 1) * batchSize);
}

/** The batches of one epoch in order (from batch `from`, for a resumed epoch); each index in at most one. */
export function epochBatches(
  order: readonly number[],
  batchSize: number,
  last: LastBatch,
  from = 0,
): number[][] {
  const out: number[][] = [];
  const nb = batchesPerEpoch(order.length, batchSize, last);
  for (let b = from; b < nb; b++) out.push(batchAt(order, batchSize, b));
  return out;
}

/** Shared dataset types for the import pipeline (pure data, no DOM, no tfjs). */

/**
 * The three dataset splits in their canonical order; a split's index here is its split code, the
 * byte stored per image in DatasetIndex.splits and produced by `stratifiedSplit`.
 */
export const SPLIT_NAMES = ['train', 'val', 'test'] as const;

/** The three dataset splits every dataset is partitioned into. */
export type SplitName = (typeof SPLIT_NAMES)[number];

/** Split name → split code (the inverse of SPLIT_NAMES). */
export const SPLIT_CODES = Object.fromEntries(SPLIT_NAMES.map((s, i) => [s, i])) as Record<
  SplitName,
  number
>;

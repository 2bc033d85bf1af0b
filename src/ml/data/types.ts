/** Shared dataset types for the import pipeline (pure data, no DOM). */

/** The three dataset splits every dataset is partitioned into. */
export type SplitName = 'train' | 'val' | 'test';

/** All split names in their canonical order (index = split code used by `stratifiedSplit`). */
export const SPLITS: SplitName[] = ['train', 'val', 'test'];

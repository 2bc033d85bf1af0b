/** The pairs lab's splits (tfjs-free: requests and reports the page reads). */
export type PairSplit = 'train' | 'test' | 'colour' | 'texture';
export const PAIR_SPLITS: readonly PairSplit[] = ['train', 'test', 'colour', 'texture'];

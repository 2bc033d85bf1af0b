/**
 * The pairs lab's model kinds and epoch event as plain data (tfjs-free: requests and reports the
 * page reads; pair-model.ts, input-norm.ts and trainer.ts build and train the models).
 */
import type { PairSplit } from '../data/pair-split';
import type { BestF1 } from '../eval/pr-curve';
import type { ScoreHistogram } from './evaluation';

/** How the pair models normalise their input images: 'none' (0..1 pixels as given) or 'per-image'. */
export type InputNormKind = 'none' | 'per-image';
export const INPUT_NORM_KINDS: readonly InputNormKind[] = ['none', 'per-image'];

export type PairModelKind = 'early-fusion' | 'siamese' | 'siamese-aux';
export const PAIR_MODEL_KINDS: readonly PairModelKind[] = [
  'early-fusion',
  'siamese',
  'siamese-aux',
];

/** Siamese training loss: torch's CosineEmbeddingLoss, or the contrastive loss on distance. */
export type SiameseLossKind = 'cosine-embedding' | 'contrastive';

/** The layer(s) between a siamese backbone and the cosine score; see SiameseConfig.embeddingHead. */
export type EmbeddingHeadKind = 'none' | 'batchnorm' | 'linear-batchnorm';
export const EMBEDDING_HEAD_KINDS: readonly EmbeddingHeadKind[] = [
  'none',
  'batchnorm',
  'linear-batchnorm',
];

export interface PairEpochEvent {
  /** 1-based epoch just finished. */
  epoch: number;
  epochs: number;
  /** Optimiser steps so far. */
  step: number;
  /** Learning rate of the epoch's last step. */
  lr: number;
  /** Mean unscaled total loss over the epoch's steps. */
  loss: number;
  /** Mean of each unweighted term ('pair', and 'centre' for the auxiliary head). */
  terms: Record<string, number>;
  /** Training pairs seen this epoch. */
  pairs: number;
  /** Wall-clock seconds of this epoch's training steps (scoring excluded). */
  seconds: number;
  /** Scored splits this epoch (empty when skipped by evalEvery). */
  histograms: Partial<Record<PairSplit, ScoreHistogram>>;
  bestF1: Partial<Record<PairSplit, BestF1>>;
  medians: Partial<Record<PairSplit, { same: number; different: number }>>;
  /** Per-layer gradient norms of the last step, keyed '<part>/<layer>' (when asked). */
  gradNorms?: Record<string, number>;
}

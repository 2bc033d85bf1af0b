/**
 * The curves a run keeps (one point per logged step window and per epoch) and its best monitor
 * value: plain data the trainer, checkpoints, storage and the page share.
 */

/** One logged point of the step curve (means over the steps since the previous point). */
export interface StepPoint {
  /** Optimiser steps completed (the last step of the window is step − 1). */
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  /** Source images per second over the window (a view pair counts as one image). */
  imagesPerSec: number;
  /** Method monitors averaged over the window ('zStd', 'accuracy', 'tau', …). */
  extras: Record<string, number>;
}

/** One point per finished epoch; epoch 0 is the untrained network (monitors only, no trainLoss). */
export interface EpochPoint {
  /** Epochs completed. */
  epoch: number;
  step: number;
  /** Mean training loss over the epoch (absent at epoch 0). */
  trainLoss?: number;
  /** Mean batch accuracy over the epoch (supervised, MoCo's positive-is-top). */
  trainAcc?: number;
  /** Weighted kNN top-1 of monitor queries against a bank of train embeddings. */
  knnTop1?: number;
  /** Supervised: accuracy and cross-entropy of the monitor queries in inference mode. */
  valAcc?: number;
  valLoss?: number;
  /** Probe and fine-tune runs: accuracy and macro-F1 on the evaluated (test) split, in inference mode. */
  testAcc?: number;
  testMacroF1?: number;
  /** Mean z-std of the epoch's steps (collapse monitor). */
  zStd?: number;
  /** The last per-layer gradient norms measured in the epoch. */
  gradNorms?: Record<string, number>;
  /** Seconds the epoch's training steps took (monitors excluded). */
  seconds?: number;
}

export interface Curves {
  steps: StepPoint[];
  epochs: EpochPoint[];
}

/** Which monitor chooses the 'best' checkpoint, and its best value so far. */
export interface BestMetric {
  metric: 'knnTop1' | 'valAcc';
  value: number;
  epoch: number;
}

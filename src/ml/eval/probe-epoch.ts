/**
 * One linear-probe iteration's figures (plain data, tfjs-free: progress the page shows and the run
 * record stores). The probe is fitted full-batch by L-BFGS, so an "epoch" here is one L-BFGS
 * iteration: one accepted step, each a full pass over the training set.
 */
export interface ProbeEpoch {
  /** Iteration number, from 1. */
  epoch: number;
  /** Training objective (mean cross-entropy + L2 term) at the iterate. */
  loss: number;
  /** Fraction of training samples the iterate classifies correctly. */
  trainAccuracy: number;
}

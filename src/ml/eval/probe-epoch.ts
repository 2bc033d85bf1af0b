/** One linear-probe epoch's figures (plain data, tfjs-free: progress the page shows). */
export interface ProbeEpoch {
  epoch: number;
  /** Mean training objective (cross-entropy + L2 term) over the epoch's minibatches. */
  loss: number;
  /** Fraction of training samples classified correctly during the epoch (before each step). */
  trainAccuracy: number;
}

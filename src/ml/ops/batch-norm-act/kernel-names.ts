/** Kernel names and attributes of the fused batch norm (training) + optional ReLU op (see op.ts). */

/** Inputs {x [..., C], gamma [C], beta [C]} → outputs [y (x's shape), mean [C], variance [C] (biased), invstd [C]]. */
export const BN_ACT_TRAIN = 'SimlabBatchNormActTrain';
/** Inputs {dy, x, y, gamma, mean, invstd} → outputs [dx, dgamma, dbeta]. */
export const BN_ACT_GRAD = 'SimlabBatchNormActGrad';

export interface BatchNormActAttrs {
  /** Added to the variance before the square root. */
  epsilon: number;
  /** Apply max(0, ·) after the affine step (and mask the gradient with y > 0). */
  relu: boolean;
}

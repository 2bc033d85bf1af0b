/**
 * The Trainer's NaN guard: a non-finite loss in a read-back window, or non-finite weights in a
 * checkpoint, end the run with a message naming the last good checkpoint (which is kept).
 */
import {
  captureCheckpoint,
  checkpointIsFinite,
  type CheckpointParts,
  type TrainCheckpoint,
} from './checkpoint';

/** The loss or the weights became NaN or infinite. */
export class NonFiniteError extends Error {}

/**
 * Throws NonFiniteError at the first non-finite loss of a window whose first step is `firstStep`
 * (`epoch` is the 0-based epoch it ran in).
 */
export function checkLossesFinite(
  losses: ArrayLike<number>,
  firstStep: number,
  epoch: number,
  last: TrainCheckpoint | null,
): void {
  for (let i = 0; i < losses.length; i++) {
    if (!Number.isFinite(losses[i])) {
      const good = last
        ? `the last good checkpoint (epoch ${last.position.epoch}, step ${last.position.step}) is kept`
        : 'no checkpoint was taken yet';
      throw new NonFiniteError(
        `training stopped: the loss became ${losses[i]} at step ${firstStep + i} (epoch ${epoch + 1}); ${good}. Try a lower learning rate or a smaller batch.`,
      );
    }
  }
}

/** Captures a checkpoint of `parts`; throws NonFiniteError (keeping `last`) when a weight is not finite. */
export async function captureFiniteCheckpoint(
  parts: CheckpointParts,
  last: TrainCheckpoint | null,
): Promise<TrainCheckpoint> {
  const ckpt = await captureCheckpoint(parts);
  if (!checkpointIsFinite(ckpt)) {
    throw new NonFiniteError(
      `training stopped: the weights became NaN or infinite by step ${parts.position.step}; ${last ? `the last good checkpoint (step ${last.position.step}) is kept` : 'no checkpoint was taken yet'}. Try a lower learning rate.`,
    );
  }
  return ckpt;
}

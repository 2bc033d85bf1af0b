import { describe, expect, it } from 'vitest';
import type { TrainCheckpoint } from './checkpoint';
import { checkLossesFinite, NonFiniteError } from './nan-guard';

describe('checkLossesFinite', () => {
  it('passes finite windows and names the first bad step and the kept checkpoint', () => {
    expect(() => checkLossesFinite([1, 2, 3], 10, 0, null)).not.toThrow();
    expect(() => checkLossesFinite([1, NaN, Infinity], 10, 3, null)).toThrow(
      /^training stopped: the loss became NaN at step 11 \(epoch 4\); no checkpoint was taken yet\./,
    );
    const last = { position: { epoch: 2, stepInEpoch: 0, step: 16 } } as TrainCheckpoint;
    let err: unknown;
    try {
      checkLossesFinite([1, -Infinity], 20, 2, last);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NonFiniteError);
    expect((err as Error).message).toMatch(
      /the loss became -Infinity at step 21 \(epoch 3\); the last good checkpoint \(epoch 2, step 16\) is kept\./,
    );
  });
});

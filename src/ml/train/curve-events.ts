/**
 * The one reducer of a run's curves from its train events, used by the run store's record
 * (storage/run-schema.ts) and by the Train panel's live curves (state/train.svelte.ts). Plain data, tfjs-free.
 */
import type { Curves, EpochPoint, StepPoint } from './curves';
import type { TrainEvent } from './events';

type StepEvent = Extract<TrainEvent, { type: 'step' }>;
type EpochEvent = Extract<TrainEvent, { type: 'epoch' }>;

/** The step-curve point a step event carries (its progress fields left out). */
export function stepPointOf(e: StepEvent): StepPoint {
  return {
    step: e.step,
    epoch: e.epoch,
    loss: e.loss,
    lr: e.lr,
    imagesPerSec: e.imagesPerSec,
    extras: e.extras,
  };
}

/** The epoch-curve point an epoch event carries (`type`, `epochs` and a page event's `runId` left out). */
export function epochPointOf(e: EpochEvent & { runId?: string }): EpochPoint {
  const { type: _t, epochs: _n, runId: _r, ...point } = e;
  return point;
}

/**
 * THE run-event reducer of the curves (the run store's record and the Train panel's live curves
 * both use it): a step event appends its point; an epoch event puts its point in place of any point
 * the curves already have for that epoch (a resumed run repeats none, but never keep two); other
 * events return the curves as they are. Never mutates `c`.
 */
export function curvesWith(c: Curves, e: TrainEvent): Curves {
  if (e.type === 'step') return { ...c, steps: [...c.steps, stepPointOf(e)] };
  if (e.type === 'epoch') {
    const point = epochPointOf(e);
    return { ...c, epochs: [...c.epochs.filter((p) => p.epoch !== point.epoch), point] };
  }
  return c;
}

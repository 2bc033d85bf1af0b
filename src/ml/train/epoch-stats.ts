/**
 * The Trainer's per-epoch figures on the host: the read-back losses and method extras of every step
 * of the epoch and its last gradient norms, turned into the epoch's point of the curves.
 */
import type { EpochPoint } from './events';
import type { StepWindowValues } from './step-window';

/** Mean of xs (NaN when empty). */
export function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return xs.length ? s / xs.length : NaN;
}

/** Accumulates an epoch's step values (window by window) until reset(). */
export class EpochStats {
  #losses: number[] = [];
  #extras: Record<string, number[]> = {};
  #gradNorms: Record<string, number> | undefined;

  reset(): void {
    this.#losses = [];
    this.#extras = {};
    this.#gradNorms = undefined;
  }

  /** Adds a window's per-step values; its gradient norms (when measured) replace the earlier ones. */
  add(v: StepWindowValues): void {
    this.#losses.push(...v.losses);
    for (const k of Object.keys(v.extras)) (this.#extras[k] ??= []).push(...v.extras[k]);
    if (v.gradNorms) this.#gradNorms = v.gradNorms;
  }

  /** The epoch's point: mean train loss, mean batch accuracy and zStd when the method reports them, last gradient norms. */
  point(epoch: number, step: number, seconds: number): EpochPoint {
    const point: EpochPoint = { epoch, step, trainLoss: mean(this.#losses), seconds };
    const ex = this.#extras;
    if (ex.accuracy) point.trainAcc = mean(ex.accuracy);
    if (ex.zStd) point.zStd = mean(ex.zStd);
    if (this.#gradNorms) point.gradNorms = this.#gradNorms;
    return point;
  }
}

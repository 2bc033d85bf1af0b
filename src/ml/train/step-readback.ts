/**
 * The Trainer's steps not yet read back: their scalars and learning rates, the window's clock,
 * and the curve point a window gives once read (step-window.ts does the read itself).
 */
import { mean } from './epoch-stats';
import type { StepPoint } from './events';
import {
  disposePending,
  readStepWindow,
  type PendingStep,
  type StepWindowValues,
} from './step-window';

/** A window read back: its values, how many steps it held, its last learning rate and its seconds. */
export interface ReadWindow {
  values: StepWindowValues;
  steps: number;
  lr: number;
  seconds: number;
}

/**
 * The steps not yet read back, with their learning rates and the clock of the window. Owns the
 * pending scalars: read() or release() disposes them.
 */
export class StepReadback {
  #pending: PendingStep[] = [];
  #lrs: number[] = [];
  #start = 0;

  /** Restarts the window's clock (a new epoch, or the end of a pause). */
  restartClock(): void {
    this.#start = performance.now();
  }

  push(step: PendingStep, lr: number): void {
    this.#pending.push(step);
    this.#lrs.push(lr);
  }

  /** Reads the window back and empties it (null when it was empty); the clock restarts. */
  async read(): Promise<ReadWindow | null> {
    const pending = this.#pending.splice(0);
    const lrs = this.#lrs.splice(0);
    if (pending.length === 0) return null;
    const values = await readStepWindow(pending);
    const now = performance.now();
    const seconds = Math.max(1e-6, (now - this.#start) / 1000);
    this.#start = now;
    return { values, steps: pending.length, lr: lrs[lrs.length - 1], seconds };
  }

  /** Frees the steps that will not be read back. */
  release(): void {
    disposePending(this.#pending.splice(0));
    this.#lrs = [];
  }
}

/**
 * The curve point of a read window that ends at `step` (0-based `epoch`): loss and extras averaged
 * over its steps, the window's last learning rate, and its images per second.
 */
export function windowPoint(
  w: ReadWindow,
  step: number,
  epoch: number,
  batchSize: number,
): StepPoint {
  const { losses, extras } = w.values;
  return {
    step,
    epoch,
    loss: mean(losses),
    lr: w.lr,
    imagesPerSec: (w.steps * batchSize) / w.seconds,
    extras: Object.fromEntries(Object.keys(extras).map((k) => [k, mean(extras[k])])),
  };
}

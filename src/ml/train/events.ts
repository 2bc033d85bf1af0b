/**
 * What the training loop reports (through one callback; it never touches the UI), and the curves a
 * run keeps. All plain data: structured-cloneable, so the worker can post it to the page as is.
 */
import type { TrainCheckpoint } from './checkpoint-types';

export type { BestMetric, Curves, EpochPoint, StepPoint } from './curves';
import type { EpochPoint, StepPoint } from './curves';

export type TrainEvent =
  | ({
      type: 'step';
      totalSteps: number;
      etaSec: number;
      gradNorms?: Record<string, number>;
    } & StepPoint)
  | ({ type: 'epoch'; epochs: number } & EpochPoint)
  | {
      type: 'checkpoint';
      epoch: number;
      step: number;
      /** True when this checkpoint has the best monitor value so far (see `best`). */
      isBest: boolean;
      checkpoint: TrainCheckpoint;
    }
  | { type: 'paused'; step: number }
  | { type: 'resumed'; step: number }
  | { type: 'error'; message: string; step: number; epoch: number }
  | { type: 'done'; reason: 'finished' | 'stopped' | 'error'; step: number; epoch: number };

export type TrainEventListener = (e: TrainEvent) => void;

/**
 * What the page receives while a run trains (tfjs-free): the trainer's events without checkpoint
 * payloads, plus the run id; the final record comes last.
 */
import type { TrainEvent } from '../ml/train/events';
import type { RunRecord } from '../storage/run-schema';

/** What the page receives: train events without checkpoint payloads, plus the run id. */
export type RunEvent =
  | (Exclude<TrainEvent, { type: 'checkpoint' }> & { runId: string })
  | {
      type: 'checkpoint';
      runId: string;
      epoch: number;
      step: number;
      isBest: boolean;
      bytes: number;
    }
  | { type: 'record'; runId: string; record: RunRecord };

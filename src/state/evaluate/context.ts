/**
 * What the Evaluate panel's parts share (EvaluateState implements it): the chosen run, checkpoint
 * and dataset, the import notes, and the one busy / progress / error line the panel shows.
 */
import type {
  CheckpointSlot,
  EvalProgress,
  EvalSplit,
  RunImportNote,
  RunRecord,
} from '../../worker/api';
import type { Latest } from './latest';
import type { Busy } from './types';

/** The evaluated run, checkpoint and images, as an engine request names them. */
export interface EvalTargetRequest {
  runId: string;
  slot: CheckpointSlot;
  datasetId?: string;
  querySplit: EvalSplit;
  classMap?: number[];
}

export interface EvalContext {
  readonly runId: string | null;
  readonly slot: CheckpointSlot;
  readonly run: RunRecord | null;
  readonly datasetId: string | null;
  readonly imports: Record<string, RunImportNote>;
  readonly importedRunId: string | null;
  busy: Busy;
  progress: EvalProgress | null;
  error: string | null;
  /** Shared by kNN, probe and fine-tune: a new one of these makes the older one's results ignored. */
  readonly requests: Latest;
  /** The selected run, slot and images (throws when no run is chosen). */
  evalTarget(): EvalTargetRequest;
  importLabel(runId: string): string;
  refreshRuns(): Promise<void>;
}

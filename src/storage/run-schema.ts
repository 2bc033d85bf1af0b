/**
 * What simlab keeps in IndexedDB for training runs, its schema version, and the pure logic over it
 * (so Node tests cover it; run-store.ts only moves records in and out of IndexedDB).
 *
 * Layout (one idb-keyval store 'simlab-runs', keys are strings):
 *   `schema`              → { version }
 *   `run/<id>`            → RunRecord (config, status, curves, final metrics; small)
 *   `ckpt/<id>/latest`    → TrainCheckpoint of the run's last checkpoint (resume from here)
 *   `ckpt/<id>/best`      → TrainCheckpoint with the best monitor value (kNN top-1, or val accuracy when supervised)
 */
import type { TrainCheckpoint } from '../ml/train/checkpoint-types';
import { checkpointBytes } from '../ml/train/checkpoint-types';
import { bestMetricFor, bestOf } from '../ml/train/best-metric';
import { curvesWith, epochPointOf } from '../ml/train/curve-events';
import type { RunConfig } from '../ml/train/config';
import type { BestMetric, Curves, EpochPoint, TrainEvent } from '../ml/train/events';

export const RUNS_SCHEMA_VERSION = 1;

export type RunStatus = 'running' | 'paused' | 'finished' | 'stopped' | 'error' | 'interrupted';
export type CheckpointSlot = 'latest' | 'best';
export const CHECKPOINT_SLOTS: readonly CheckpointSlot[] = ['latest', 'best'];

export interface FinalMetrics {
  epoch: number;
  step: number;
  trainLoss?: number;
  knnTop1?: number;
  valAcc?: number;
  valLoss?: number;
  best: BestMetric | null;
}

/** What produced a run: training (also an imported checkpoint), a linear probe or a fine-tune of another run. */
export type RunKind = 'train' | 'probe' | 'fine-tune';
export const RUN_KINDS: readonly RunKind[] = ['train', 'probe', 'fine-tune'];

/** Probe and fine-tune runs: which run they evaluated and their test figures. */
export interface EvalRunInfo {
  parentRunId: string;
  parentSlot: CheckpointSlot;
  /** The parent's name when this run was made (the parent may be renamed or deleted later). */
  parentName: string;
  /** Starting weights: the parent's checkpoint ('ssl'), a fresh network ('random'), or imported weights. */
  init: 'ssl' | 'random' | 'imported';
  datasetId: string;
  querySplit: string;
  testAccuracy: number;
  testMacroF1: number;
  trainAccuracy?: number;
}

export interface RunRecord {
  schemaVersion: number;
  /** Absent on records written before probes and fine-tunes were recorded: read it with runKind(). */
  kind?: RunKind;
  /** Set on probe and fine-tune runs. */
  evaluation?: EvalRunInfo | null;
  id: string;
  name: string;
  config: RunConfig;
  status: RunStatus;
  createdAt: number;
  updatedAt: number;
  /** When it finished, stopped or failed; null while it can still go on. */
  endedAt: number | null;
  /** tfjs backend name ('webgpu', 'wasm', …) and the GPU adapter description when known. */
  backend: string;
  adapter: string | null;
  curves: Curves;
  /** The latest epoch's figures (null before the first epoch ends). */
  final: FinalMetrics | null;
  /** The error message of a failed run. */
  error: string | null;
  /** Bytes of tensor data stored per checkpoint slot. */
  storage: Record<CheckpointSlot, number>;
}

/** A fresh record for a run about to start. */
export function newRunRecord(opts: {
  id: string;
  config: RunConfig;
  backend: string;
  adapter?: string | null;
  now?: number;
}): RunRecord {
  const now = opts.now ?? Date.now();
  return {
    schemaVersion: RUNS_SCHEMA_VERSION,
    id: opts.id,
    name:
      opts.config.name ||
      `${opts.config.method.method} · ${opts.config.backbone.name} · ${opts.config.dataset.name}`,
    config: opts.config,
    status: 'running',
    createdAt: now,
    updatedAt: now,
    endedAt: null,
    backend: opts.backend,
    adapter: opts.adapter ?? null,
    curves: { steps: [], epochs: [] },
    final: null,
    error: null,
    storage: { latest: 0, best: 0 },
  };
}

function finalFrom(p: EpochPoint, best: BestMetric | null): FinalMetrics {
  const f: FinalMetrics = { epoch: p.epoch, step: p.step, best };
  if (p.trainLoss !== undefined) f.trainLoss = p.trainLoss;
  if (p.knnTop1 !== undefined) f.knnTop1 = p.knnTop1;
  if (p.valAcc !== undefined) f.valAcc = p.valAcc;
  if (p.valLoss !== undefined) f.valLoss = p.valLoss;
  return f;
}

/** Re-exported for callers of the store schema (defined in ml/train/best-metric.ts). */
export { bestOf };

/**
 * The record after a Trainer event (pure; returns a new record, the input is unchanged). Step and
 * epoch events extend the curves; checkpoint events only bump updatedAt (run-store writes the
 * checkpoint itself); done/error set the status.
 */
export function applyEvent(r: RunRecord, e: TrainEvent, now = Date.now()): RunRecord {
  const out: RunRecord = { ...r, updatedAt: now };
  switch (e.type) {
    case 'step':
      out.curves = curvesWith(r.curves, e);
      break;
    case 'epoch':
      out.curves = curvesWith(r.curves, e);
      out.final = finalFrom(
        epochPointOf(e),
        bestOf(out.curves, bestMetricFor(r.config.method.method)),
      );
      break;
    case 'paused':
      out.status = 'paused';
      break;
    case 'resumed':
      out.status = 'running';
      break;
    case 'error':
      out.error = e.message;
      break;
    case 'done':
      out.status =
        e.reason === 'finished' ? 'finished' : e.reason === 'stopped' ? 'stopped' : 'error';
      out.endedAt = now;
      break;
    case 'checkpoint':
      break;
  }
  return out;
}

/** The slots a checkpoint event should be written to: always 'latest', and 'best' when it improved. */
export function slotsFor(e: Extract<TrainEvent, { type: 'checkpoint' }>): CheckpointSlot[] {
  return e.isBest ? ['latest', 'best'] : ['latest'];
}

/** The record with a slot's stored size updated (0 when cleared). */
export function withCheckpointSize(
  r: RunRecord,
  slot: CheckpointSlot,
  ckpt: TrainCheckpoint | null,
): RunRecord {
  return { ...r, storage: { ...r.storage, [slot]: ckpt ? checkpointBytes(ckpt) : 0 } };
}

/** A record's kind ('train' for records that predate kinds). */
export function runKind(r: Pick<RunRecord, 'kind'>): RunKind {
  return r.kind ?? 'train';
}

/** Bytes of checkpoint data stored for a run. */
export function runStorageBytes(r: RunRecord): number {
  return r.storage.latest + r.storage.best;
}

/**
 * Records found on start-up still 'running' or 'paused' belong to a page that closed mid-run:
 * they become 'interrupted' (resumable from their latest checkpoint). Pure; returns the changed ones.
 */
export function markInterrupted(records: RunRecord[], now = Date.now()): RunRecord[] {
  return records
    .filter((r) => r.status === 'running' || r.status === 'paused')
    .map((r) => ({ ...r, status: 'interrupted' as const, updatedAt: now }));
}

/** Whether a record can be resumed: it did not finish, and a 'latest' checkpoint was stored. */
export function canResume(r: RunRecord): boolean {
  return (
    (r.status === 'stopped' || r.status === 'interrupted' || r.status === 'error') &&
    r.storage.latest > 0
  );
}

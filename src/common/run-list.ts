/**
 * What the Runs list shows of a stored record, as pure functions over plain data (no tfjs: the page,
 * the Runs state and Node tests import this): a record's kind, the run it evaluated, its final test
 * figures, how an imported run is described, and the list's filters.
 */
import type { RunKind, RunRecord } from '../storage/run-schema';
import type { EpochPoint } from '../ml/train/events';
import type { RunImportNote } from './run-types';

export const RUN_KIND_LABELS: Record<RunKind, string> = {
  train: 'train',
  probe: 'linear probe',
  'fine-tune': 'fine-tune',
};

/** A record's kind ('train' for records written before kinds existed). Same rule as run-schema's runKind, which the page cannot import (it pulls tfjs). */
export function kindOf(r: Pick<RunRecord, 'kind'>): RunKind {
  return r.kind ?? 'train';
}

/** Per-epoch figures a fine-tune or probe may record beside the training ones (older records use valAcc for the test accuracy). */
export type AnyEpochPoint = EpochPoint & { testAcc?: number; testMacroF1?: number };

/** The last epoch point that has `key`, or undefined. */
function lastWith(r: Pick<RunRecord, 'curves'>, key: keyof AnyEpochPoint): number | undefined {
  const ep = [...(r.curves.epochs as AnyEpochPoint[])].sort((a, b) => a.epoch - b.epoch);
  for (let i = ep.length - 1; i >= 0; i--) {
    const v = ep[i][key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
  }
  return undefined;
}

export interface RunFigures {
  knnTop1?: number;
  valAcc?: number;
  testAcc?: number;
  testMacroF1?: number;
  trainAcc?: number;
}

/**
 * A run's final figures for the list and the comparison: kNN / val accuracy from its final metrics;
 * test accuracy and macro-F1 from its evaluation info (probe, fine-tune), else from its last epoch
 * point that has them.
 */
export function runFigures(
  r: Pick<RunRecord, 'final' | 'curves' | 'evaluation' | 'kind'>,
): RunFigures {
  const out: RunFigures = {};
  const ev = r.evaluation ?? null;
  const knn = r.final?.knnTop1 ?? lastWith(r, 'knnTop1');
  if (knn !== undefined) out.knnTop1 = knn;
  const val = r.final?.valAcc ?? lastWith(r, 'valAcc');
  if (val !== undefined) out.valAcc = val;
  const test = ev?.testAccuracy ?? lastWith(r, 'testAcc');
  if (test !== undefined && Number.isFinite(test)) out.testAcc = test;
  const f1 = ev?.testMacroF1 ?? lastWith(r, 'testMacroF1');
  if (f1 !== undefined && Number.isFinite(f1)) out.testMacroF1 = f1;
  const trainAcc =
    ev?.trainAccuracy ?? (kindOf(r) === 'train' ? undefined : lastWith(r, 'trainAcc'));
  if (trainAcc !== undefined) out.trainAcc = trainAcc;
  return out;
}

export interface ParentRef {
  id: string;
  /** The parent's current name when it is still stored, else the name recorded with the run. */
  name: string;
  exists: boolean;
  slot: string;
  init: string;
}

/** The run a probe or fine-tune evaluated (null for training runs). */
export function parentOf(
  r: Pick<RunRecord, 'evaluation'>,
  runs: Pick<RunRecord, 'id' | 'name'>[],
): ParentRef | null {
  const ev = r.evaluation;
  if (!ev) return null;
  const p = runs.find((x) => x.id === ev.parentRunId);
  return {
    id: ev.parentRunId,
    name: p?.name ?? ev.parentName,
    exists: !!p,
    slot: ev.parentSlot,
    init: ev.init,
  };
}

/** Probe and fine-tune runs made from `runId`. */
export function childrenOf<R extends Pick<RunRecord, 'evaluation'>>(runId: string, runs: R[]): R[] {
  return runs.filter((r) => r.evaluation?.parentRunId === runId);
}

/** The file format of an imported run, in words. */
export function importFormat(note: Pick<RunImportNote, 'kind'>): string {
  if (note.kind === 'torchvision-safetensors') return 'torchvision .safetensors';
  if (note.kind === 'torchvision-pth') return 'PyTorch .pth';
  return 'simlab checkpoint zip';
}

/**
 * The status a run shows: its stored status, except runs as they came from a file (not trained
 * since: their end time is still the import time), which say what the file held: 'weights only'
 * (a .safetensors: no history), or 'imported' with the epoch the file's run reached.
 */
export function statusLabel(
  r: Pick<RunRecord, 'status' | 'final' | 'endedAt'>,
  note: Pick<RunImportNote, 'kind' | 'importedAt'> | undefined,
): { label: string; detail: string } {
  if (!note || r.endedAt !== note.importedAt) return { label: r.status, detail: '' };
  if (note.kind !== 'simlab-checkpoint')
    return { label: 'weights only', detail: 'imported weights: no training history' };
  const epoch = r.final ? `epoch ${r.final.epoch}` : 'no history';
  return {
    label: 'imported',
    detail: `${epoch}; the file's run had ${r.status === 'stopped' ? 'stopped (resumable)' : r.status}`,
  };
}

export interface RunFilters {
  method: string;
  status: string;
  kind: string;
  text: string;
}

/** Runs matching the filters ('' = any). status 'imported' keeps runs imported from a file. */
export function filterRuns<
  R extends Pick<
    RunRecord,
    'id' | 'name' | 'status' | 'config' | 'backend' | 'kind' | 'evaluation'
  >,
>(runs: R[], notes: Record<string, RunImportNote>, f: RunFilters): R[] {
  const text = f.text.trim().toLowerCase();
  return runs.filter((r) => {
    if (f.method && r.config.method.method !== f.method) return false;
    if (f.status && r.status !== f.status && !(f.status === 'imported' && notes[r.id]))
      return false;
    if (f.kind && kindOf(r) !== f.kind) return false;
    if (!text) return true;
    const hay = [
      r.name,
      r.config.dataset.name,
      r.config.backbone.name,
      r.backend,
      RUN_KIND_LABELS[kindOf(r)],
      r.evaluation?.parentName ?? '',
      notes[r.id]?.fileName ?? '',
    ];
    return hay.join(' ').toLowerCase().includes(text);
  });
}

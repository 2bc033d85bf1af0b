/**
 * Plain helpers of the Evaluate panel's comparison table (random init vs self-supervised init vs
 * imported weights, each linear-probed and fine-tuned with the same budget) and of the fine-tuning
 * evolution maps. No tfjs: the page imports them.
 */
import type { WeightsInit } from './eval-types';

/** One filled cell: test accuracy and macro-F1, time, and the budget it was computed with. */
export interface ComparisonCell {
  accuracy: number;
  macroF1: number;
  ms: number;
  budget: string;
  /** The run store record the probe / fine-tune was saved as. */
  recordedRunId?: string;
}

/** A row: which start, for the selected run and checkpoint slot. */
export interface ComparisonRow {
  key: string;
  init: WeightsInit;
  initRunId?: string;
  label: string;
}

/** Key of a comparison row. */
export function compareKey(
  runId: string,
  slot: string,
  init: WeightsInit,
  initRunId?: string,
): string {
  return `${runId}/${slot}/${init}/${init === 'imported' ? (initRunId ?? '') : ''}`;
}

/** True when two backbone configs build the same weight shapes (seed and input size do not change them). */
export function sameArchitecture(
  a: { name: string } & Record<string, unknown>,
  b: { name: string } & Record<string, unknown>,
): boolean {
  const strip = (c: Record<string, unknown>) =>
    JSON.stringify(
      Object.entries({ ...c, seed: 0, inputSize: 0 }).sort(([x], [y]) => x.localeCompare(y)),
    );
  return strip(a) === strip(b);
}

/** A layout [n × 2] centred on its mean and scaled to unit RMS radius (so evolution frames share the axes). */
export function normalizeLayout(xy: Float32Array): Float32Array {
  const n = xy.length / 2;
  let cx = 0,
    cy = 0;
  for (let i = 0; i < n; i++) {
    cx += xy[2 * i];
    cy += xy[2 * i + 1];
  }
  cx /= n || 1;
  cy /= n || 1;
  let s = 0;
  for (let i = 0; i < n; i++) s += (xy[2 * i] - cx) ** 2 + (xy[2 * i + 1] - cy) ** 2;
  const r = Math.sqrt(s / (n || 1)) || 1;
  const out = new Float32Array(xy.length);
  for (let i = 0; i < n; i++) {
    out[2 * i] = (xy[2 * i] - cx) / r;
    out[2 * i + 1] = (xy[2 * i + 1] - cy) / r;
  }
  return out;
}

/** Point groups for ScatterGl, and a palette that keeps 20 classes apart. */

export interface ScatterGroup {
  name: string;
  color: string;
  /** plotly marker symbol ('circle', 'x', 'diamond', …). */
  symbol: string;
  /** Rows of the layout in this group. */
  rows: number[];
}

/** 20 colours distinct to the eye (Sasha Trubetskoy's "20 simple, distinct colours"); repeats past 20. */
export const PALETTE_20 = [
  '#e6194b',
  '#3cb44b',
  '#4363d8',
  '#f58231',
  '#911eb4',
  '#42d4f4',
  '#f032e6',
  '#bfef45',
  '#fabed4',
  '#469990',
  '#dcbeff',
  '#9a6324',
  '#c9b800',
  '#800000',
  '#aaffc3',
  '#808000',
  '#ffd8b1',
  '#000075',
  '#a9a9a9',
  '#000000',
];

export function classColor(k: number): string {
  return k < 0 ? '#9ca3af' : PALETTE_20[k % PALETTE_20.length];
}

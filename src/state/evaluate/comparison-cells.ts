/**
 * The comparison table's rows and the choice of cells still to compute (plain functions; the
 * Comparison state class holds the cells).
 */
import { compareKey, type ComparisonCell, type ComparisonRow } from '../../worker/api';

export type CellKind = 'probe' | 'fineTune';

/** A row's two cells: linear probe and fine-tune. */
export interface ComparisonCells {
  probe?: ComparisonCell;
  fineTune?: ComparisonCell;
}

/** Rows for a run and slot: random init, its checkpoint (labelled `sslLabel`) and, when chosen, an imported run's weights. */
export function comparisonRows(
  runId: string,
  slot: string,
  sslLabel: string,
  imported: { runId: string; label: string } | null,
): ComparisonRow[] {
  const rows: Omit<ComparisonRow, 'key'>[] = [
    { init: 'random', label: 'random init' },
    { init: 'ssl', label: sslLabel },
  ];
  if (imported) rows.push({ init: 'imported', initRunId: imported.runId, label: imported.label });
  return rows.map((r) => ({ ...r, key: compareKey(runId, slot, r.init, r.initRunId) }));
}

/** Cells missing (or computed with another budget), in table order: per row, probe then fine-tune. */
export function missingCells(
  rows: ComparisonRow[],
  cells: Record<string, ComparisonCells>,
  budgets: Record<CellKind, string>,
): { row: ComparisonRow; kind: CellKind }[] {
  const out: { row: ComparisonRow; kind: CellKind }[] = [];
  for (const row of rows) {
    const c = cells[row.key];
    if (c?.probe?.budget !== budgets.probe) out.push({ row, kind: 'probe' });
    if (c?.fineTune?.budget !== budgets.fineTune) out.push({ row, kind: 'fineTune' });
  }
  return out;
}

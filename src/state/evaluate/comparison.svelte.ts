/**
 * The comparison the SSL studies report: random init vs the self-supervised checkpoint vs imported
 * weights, each linear-probed and fine-tuned with the same budget. Holds the filled cells and runs
 * the missing ones one after another.
 */
import type { ComparisonCell, ComparisonRow } from '../../worker/api';
import {
  comparisonRows,
  missingCells,
  type CellKind,
  type ComparisonCells,
} from './comparison-cells';
import type { EvalContext } from './context';

export class Comparison {
  readonly #ctx: EvalContext;
  readonly #budgets: () => Record<CellKind, string>;
  #stopped = false;

  /** Cells by compareKey(run, slot, init, imported run). */
  cells = $state.raw<Record<string, ComparisonCells>>({});
  progress = $state.raw<{ done: number; total: number; label: string } | null>(null);

  /** `budgets`: the probe's and the fine-tune's current budget strings. */
  constructor(ctx: EvalContext, budgets: () => Record<CellKind, string>) {
    this.#ctx = ctx;
    this.#budgets = budgets;
  }

  /** The rows for the selected run and slot: random init, its checkpoint, and imported weights when chosen. */
  get rows(): ComparisonRow[] {
    const { runId, slot, imports, importedRunId } = this.#ctx;
    if (!runId) return [];
    // An imported run opened from the Runs panel: its own checkpoint is the imported weights.
    const sslLabel = imports[runId]
      ? `${this.#ctx.importLabel(runId)}, this run`
      : `self-supervised init (${this.#ctx.run?.config.method.method ?? 'checkpoint'}, ${slot})`;
    const imported = importedRunId
      ? { runId: importedRunId, label: this.#ctx.importLabel(importedRunId) }
      : null;
    return comparisonRows(runId, slot, sslLabel, imported);
  }

  /** Cells still missing (or computed with another budget), in table order. */
  get missingCells(): { row: ComparisonRow; kind: CellKind }[] {
    return missingCells(this.rows, this.cells, this.#budgets());
  }

  setCell(key: string, kind: CellKind, cell: ComparisonCell): void {
    this.cells = { ...this.cells, [key]: { ...this.cells[key], [kind]: cell } };
  }

  /** Makes a running comparison stop before its next cell. */
  stop(): void {
    this.#stopped = true;
  }

  /** Computes the missing cells one after another with `compute`; stops at the first that fails. */
  async run(compute: (row: ComparisonRow, kind: CellKind) => Promise<boolean>): Promise<void> {
    const todo = this.missingCells;
    this.#ctx.error = null;
    this.#stopped = false;
    for (let i = 0; i < todo.length && !this.#stopped; i++) {
      const { row, kind } = todo[i];
      this.progress = {
        done: i,
        total: todo.length,
        label: `${kind === 'probe' ? 'linear probe' : 'fine-tune'} · ${row.label}`,
      };
      if (!(await compute(row, kind))) break;
    }
    this.progress = null;
  }
}

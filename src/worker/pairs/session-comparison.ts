/** The session's finished models and their comparison table (P/R/F1 at each model's validation threshold). */
import type { PairSplit } from '../../ml/data/pairs';
import {
  comparisonTable,
  splitCurve,
  transferThreshold,
  type SplitScores,
} from '../../ml/pairs/evaluation';
import type { PairsComparisonRow } from '../../common/pairs-types';

/** A finished model's split scores, kept for the comparison table. */
export interface SessionModel {
  modelId: number;
  name: string;
  labels: Record<PairSplit, string>;
  splits: Partial<Record<PairSplit, SplitScores>>;
}

/**
 * The comparison table of the session's models: P/R/F1 at each model's validation threshold and each
 * split's own best F1 (comparisonTable's rows; models without an OOD split get rows for test and val).
 */
export function comparison(models: readonly SessionModel[]): PairsComparisonRow[] {
  const rows: PairsComparisonRow[] = [];
  for (const m of models) {
    const { test, colour, texture } = m.splits;
    if (!test || !colour) continue;
    if (texture) {
      for (const row of comparisonTable([{ model: m.name, splits: { test, colour, texture } }])) {
        rows.push({ ...row, modelId: m.modelId, splitLabel: m.labels[row.split] });
      }
      continue;
    }
    const t = transferThreshold(colour, { test, colour });
    for (const split of ['test', 'colour'] as const) {
      rows.push({
        model: m.name,
        modelId: m.modelId,
        split,
        splitLabel: m.labels[split],
        threshold: t.threshold,
        ...t.applied[split],
        bestF1: splitCurve(m.splits[split] as SplitScores).best.f1,
      });
    }
  }
  return rows;
}

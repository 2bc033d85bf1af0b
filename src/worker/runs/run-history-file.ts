/**
 * history.json of an exported run: what simlab writes (RunHistoryFile) and the zod schema an import
 * reads it with. Every field is optional on import (other tools may write less); a field that is
 * present must have the right shape, or the import is refused naming it.
 */
import { z } from 'zod';
import { formatPath } from '../../ml/augment/schema';
import type { RunPosition } from '../../ml/train/checkpoint';
import type { BestMetric, Curves } from '../../ml/train/events';
import type { CheckpointSlot, FinalMetrics, RunStatus } from '../../storage/run-schema';

/** history.json of an exported run (the checkpoint file's free-form history, as simlab writes it). */
export interface RunHistoryFile {
  format: 'simlab-run-history';
  run: {
    name: string;
    status: RunStatus;
    backend: string;
    adapter: string | null;
    createdAt: number;
    endedAt: number | null;
  };
  slot: CheckpointSlot;
  classNames: string[];
  datasetFingerprint: string;
  position: RunPosition;
  best: BestMetric | null;
  curves: Curves;
  final: FinalMetrics | null;
}

const count = z.number().int().min(0);
const BestSchema = z.object({
  metric: z.enum(['knnTop1', 'valAcc']),
  value: z.number(),
  epoch: count,
});
// Curve points keep their other fields as written (JSON turns a NaN loss into null, so those are not typed here).
const CurvesSchema = z.object({
  steps: z.array(z.looseObject({ step: count, epoch: count })),
  epochs: z.array(z.looseObject({ epoch: count, step: count })),
});

const RunHistorySchema = z.preprocess(
  (x) => x ?? {},
  z.looseObject({
    run: z
      .looseObject({
        name: z.string().optional(),
        status: z.string().optional(),
        backend: z.string().optional(),
        adapter: z.string().nullable().optional(),
      })
      .optional(),
    classNames: z.array(z.string()).optional(),
    position: z.object({ epoch: count, stepInEpoch: count, step: count }).optional(),
    best: BestSchema.nullable().optional(),
    curves: CurvesSchema.optional(),
    final: z
      .looseObject({ epoch: count, step: count, best: BestSchema.nullable() })
      .nullable()
      .optional(),
  }),
);

/** What an import reads from history.json (null / absent = nothing known). */
export interface ImportedHistory {
  run?: { name?: string; status?: string; backend?: string; adapter?: string | null };
  classNames?: string[];
  position?: RunPosition;
  best?: BestMetric | null;
  curves?: Curves;
  final?: FinalMetrics | null;
}

/** Parses history.json of an imported checkpoint; throws `history.json is malformed: path: message`. */
export function parseRunHistory(json: unknown): ImportedHistory {
  const r = RunHistorySchema.safeParse(json);
  if (!r.success)
    throw new Error(
      `history.json is malformed: ${r.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ')}`,
    );
  return r.data as ImportedHistory;
}

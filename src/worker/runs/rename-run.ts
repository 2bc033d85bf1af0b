/** Renaming a stored run (1–200 characters after trimming). */
import type { RunRecord } from '../../storage/run-schema';
import type { RunStore } from '../../storage/run-store';

/** Stores `name` (trimmed) as the run's name; throws, changing nothing, on an empty or too long name or an unknown run. */
export async function renameRun(runs: RunStore, runId: string, name: string): Promise<RunRecord> {
  const trimmed = name.trim();
  if (!trimmed) throw new Error('a run name must not be empty');
  if (trimmed.length > 200) throw new Error('a run name must be at most 200 characters');
  const r = await runs.get(runId);
  if (!r) throw new Error(`run ${runId} does not exist`);
  const out = { ...r, name: trimmed, updatedAt: Date.now() };
  await runs.put(out);
  return out;
}

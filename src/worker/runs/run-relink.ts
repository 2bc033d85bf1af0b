/**
 * Re-linking an imported run whose dataset is not stored to a stored dataset with the same classes
 * (same order) and image size.
 */
import type { TrainCheckpoint } from '../../ml/train/checkpoint';
import { parseRunConfig, type RunConfig } from '../../ml/train/config';
import type { DatasetStore } from '../../storage/dataset-store';
import type { RunNotesStore } from '../../storage/run-notes-store';
import type { CheckpointSlot, RunRecord } from '../../storage/run-schema';
import type { RunStore } from '../../storage/run-store';
import type { DatasetMeta } from '../../storage/schema';
import type { RelinkCandidate, RunImportNote } from '../../common/run-types';

export interface RelinkStores {
  datasets: DatasetStore;
  runs: RunStore;
  notes: RunNotesStore;
}

/** Why `meta` cannot stand in for the dataset of an imported run (null when it can): ready, same image size, same classes in the same order. */
function relinkProblem(record: RunRecord, note: RunImportNote, meta: DatasetMeta): string | null {
  if (meta.status !== 'ready') return `“${meta.name}” is not fully imported`;
  if (meta.size !== record.config.dataset.size)
    return `“${meta.name}” stores ${meta.size} px images, the run was trained on ${record.config.dataset.size} px`;
  const classes = note.classNames;
  if (!classes?.length)
    return 'the file does not name its classes, so no dataset can be matched to it';
  if (meta.classes.join('\n') !== classes.join('\n'))
    return `“${meta.name}” has classes ${meta.classes.join(', ') || '(none)'}, the run ${classes.join(', ')}`;
  return null;
}

/** Stored datasets an imported run can be re-linked to (see relinkDataset). */
export async function relinkCandidates(s: RelinkStores, runId: string): Promise<RelinkCandidate[]> {
  const record = await s.runs.get(runId);
  const note = await s.notes.get(runId);
  if (!record || !note) return [];
  return (await s.datasets.allMeta())
    .filter((m) => m.id !== record.config.dataset.id && relinkProblem(record, note, m) === null)
    .map((m) => ({ datasetId: m.id, name: m.name, size: m.size, count: m.count }));
}

/**
 * Points an imported run whose dataset is not stored at a stored dataset with the same classes
 * (same order) and image size: the config of its record and checkpoints takes that dataset's id,
 * name and fingerprint (a monitor source on another missing dataset falls back to the val split).
 * Its recorded curves stay those of the original images. Throws, changing nothing, when the
 * dataset does not fit.
 */
export async function relinkDataset(
  s: RelinkStores,
  runId: string,
  datasetId: string,
): Promise<RunRecord> {
  const record = await s.runs.get(runId);
  if (!record) throw new Error(`run ${runId} does not exist`);
  const note = await s.notes.get(runId);
  if (!note)
    throw new Error(
      `“${record.name}” was not imported from a file; only imported runs are re-linked`,
    );
  const meta = await s.datasets.getMeta(datasetId);
  if (!meta) throw new Error(`dataset ${datasetId} is not stored`);
  const problem = relinkProblem(record, note, meta);
  if (problem) throw new Error(`cannot link “${record.name}” to “${meta.name}”: ${problem}`);
  const relinked = async (config: RunConfig): Promise<RunConfig> => {
    const src = config.monitor.source;
    const keepSource =
      typeof src !== 'object' || (await s.datasets.getMeta(src.datasetId))?.status === 'ready';
    const parsed = parseRunConfig({
      ...config,
      dataset: { id: meta.id, name: meta.name, fingerprint: meta.fingerprint, size: meta.size },
      monitor: { ...config.monitor, source: keepSource ? src : 'val-split' },
    });
    if (!parsed.ok)
      throw new Error(
        `the re-linked config is invalid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      );
    return parsed.config;
  };
  let rec: RunRecord = { ...record, config: await relinked(record.config), updatedAt: Date.now() };
  const ckpts: [CheckpointSlot, TrainCheckpoint][] = [];
  for (const slot of ['latest', 'best'] as const) {
    const c = record.storage[slot] > 0 ? await s.runs.getCheckpoint(runId, slot) : undefined;
    if (c) ckpts.push([slot, { ...c, config: await relinked(c.config) }]);
  }
  for (const [slot, c] of ckpts) rec = await s.runs.saveCheckpoint(rec, c, [slot]);
  if (!ckpts.length) await s.runs.put(rec);
  await s.notes.put({
    ...note,
    relinkedTo: { datasetId: meta.id, name: meta.name, at: Date.now() },
  });
  return rec;
}

/** Plain helpers of the embedding explorer: points of a fine-tune's snapshots, and a map as CSV. */
import { toCsv, type Layout } from '../../worker/api';
import type { EvolutionSource, ExplorerPoints } from './types';

const SPLIT_NAMES = ['train', 'val', 'test'];

/** Explorer points of a fine-tune's snapshot rows. */
export function snapshotPoints(src: EvolutionSource): ExplorerPoints {
  const s = src.snapshots;
  return {
    key: src.key,
    runId: src.key,
    datasetId: s.datasetId,
    n: s.n,
    paths: s.paths,
    labels: s.labels,
    splits: s.splits,
    indices: s.indices,
    classes: s.classes,
  };
}

/** A map as CSV: one row per point (path, class name or '' when unlabelled, split, x, y). */
export function layoutCsv(p: ExplorerPoints, l: Layout): string {
  const rows = Array.from({ length: p.n }, (_, i) => [
    p.paths[i],
    p.labels[i] >= 0 ? p.classes[p.labels[i]] : '',
    SPLIT_NAMES[p.splits[i]],
    l.xy[2 * i],
    l.xy[2 * i + 1],
  ]);
  return toCsv(['path', 'class', 'split', `${l.method}_x`, `${l.method}_y`], rows);
}

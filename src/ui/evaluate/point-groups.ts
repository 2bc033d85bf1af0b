/** Scatter groups of embedded images: one colour per class, train / val / test told apart by marker. */
import type { ExplorerPoints } from '../../state/evaluate.svelte';
import { SPLIT_NAMES } from '../../worker/api';
import { classColor, type ScatterGroup } from '../plots/scatter-groups';

const SYMBOL = ['circle', 'square', 'x'];

/** Groups by (class, split), sorted by class then split. */
export function pointGroups(p: ExplorerPoints | null): ScatterGroup[] {
  if (!p) return [];
  const by = new Map<string, ScatterGroup>();
  for (let i = 0; i < p.n; i++) {
    const key = `${p.labels[i]}/${p.splits[i]}`;
    let g = by.get(key);
    if (!g) {
      const cls = p.labels[i] >= 0 ? p.classes[p.labels[i]] : 'unlabeled';
      g = {
        name: `${cls} (${SPLIT_NAMES[p.splits[i]]})`,
        color: classColor(p.labels[i]),
        symbol: SYMBOL[p.splits[i]],
        rows: [],
      };
      by.set(key, g);
    }
    g.rows.push(i);
  }
  return [...by.entries()]
    .sort((a, b) => a[0].localeCompare(b[0], undefined, { numeric: true }))
    .map((e) => e[1]);
}

/** Hover text of a point: path, class and split. */
export function pointHover(p: ExplorerPoints | null, r: number): string {
  if (!p) return '';
  return `${p.paths[r]}<br>${p.labels[r] >= 0 ? p.classes[p.labels[r]] : 'unlabeled'} · ${SPLIT_NAMES[p.splits[r]]}`;
}

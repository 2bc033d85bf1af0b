/** Facts about ../shared/datasets read straight from disk, to compare with what simlab imported. */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SHARED = resolve(import.meta.dirname, '../../../shared/datasets');

const SPLIT_ALIASES: Record<string, 'train' | 'val' | 'test'> = {
  train: 'train',
  validation: 'val',
  val: 'val',
  test: 'test',
};

/** counts[split][class] and every file (relative to the dataset folder) for a split/class layout. */
export function diskCounts(name: string): {
  classes: string[];
  counts: Record<string, Record<string, number>>;
  files: string[];
} {
  const root = join(SHARED, name);
  const counts: Record<string, Record<string, number>> = {};
  const classes = new Set<string>();
  const files: string[] = [];
  for (const split of readdirSync(root)) {
    if (!statSync(join(root, split)).isDirectory()) continue;
    const s = SPLIT_ALIASES[split.toLowerCase()];
    counts[s] = {};
    for (const c of readdirSync(join(root, split))) {
      const fs = readdirSync(join(root, split, c));
      counts[s][c] = fs.length;
      classes.add(c);
      for (const f of fs) files.push(`${split}/${c}/${f}`);
    }
  }
  return { classes: [...classes].sort(), counts, files };
}

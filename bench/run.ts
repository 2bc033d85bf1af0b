/**
 * `npm run bench`: runs every bench/*.bench.ts (headless Chromium and Node) one after another and
 * prints one table of their figures. `npm run bench -- import` runs only scripts whose name matches.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { table, type BenchRow } from './lib';

const dir = import.meta.dirname;
const filter = process.argv[2];
const scripts = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !filter || f.includes(filter))
  .sort();

const rows: BenchRow[] = [];
for (const s of scripts) {
  console.error(`\n=== ${s}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(dir, s)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
  });
  for (const line of (r.stdout ?? '').split('\n')) {
    if (line.startsWith('BENCH ')) rows.push(JSON.parse(line.slice(6)) as BenchRow);
    else if (line.trim()) console.error(line);
  }
  if (r.status !== 0) console.error(`${s} exited with ${r.status}`);
}
console.log('\n' + table(rows));

/**
 * Shared bench plumbing: every bench script prints its figures as `BENCH {json}` lines; bench/run.ts
 * collects them into one table.
 */
export interface BenchRow {
  /** What was measured, e.g. "import clothing-small (3,781 JPEG)". */
  figure: string;
  backend: string;
  size: string;
  /** Median over runs. */
  median: number;
  unit: string;
  runs: number;
  /** The anchor measured in the same run (e.g. PIL's decode rate, the backend's matmul GFLOP/s). */
  anchor?: { name: string; value: number; unit: string } | null;
  /** median / anchor.value when they share a unit sense (higher = better). */
  ratio?: number | null;
  note?: string;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function emit(row: BenchRow): void {
  console.log(`BENCH ${JSON.stringify(row)}`);
}

export function fmt(n: number, digits = 3): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1000) return Math.round(n).toLocaleString('en-US');
  if (a >= 10) return n.toFixed(1);
  return n.toPrecision(digits);
}

export function table(rows: BenchRow[]): string {
  const head = ['figure', 'backend', 'size', 'median', 'unit', 'runs', 'anchor', 'ratio', 'note'];
  const body = rows.map((r) => [
    r.figure,
    r.backend,
    r.size,
    fmt(r.median),
    r.unit,
    String(r.runs),
    r.anchor ? `${r.anchor.name} ${fmt(r.anchor.value)} ${r.anchor.unit}` : '—',
    r.ratio === null || r.ratio === undefined ? '—' : `${fmt(r.ratio)}×`,
    r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

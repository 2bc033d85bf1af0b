/** Side-by-side comparison of run configs and metrics (pure; used by the Runs panel and the HTML report). */
import type { RunRecord } from '../../worker/api';

/** Flattens a JSON value into `path → printed value` (arrays of scalars stay one value). */
export function flattenConfig(x: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (x === null || typeof x !== 'object') {
    out[prefix || '(value)'] = JSON.stringify(x) ?? 'undefined';
  } else if (Array.isArray(x)) {
    if (x.every((v) => v === null || typeof v !== 'object')) out[prefix] = JSON.stringify(x);
    else x.forEach((v, i) => flattenConfig(v, `${prefix}[${i}]`, out));
  } else {
    const entries = Object.entries(x as Record<string, unknown>);
    if (entries.length === 0) out[prefix] = '{}';
    for (const [k, v] of entries) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

export interface ConfigRow {
  path: string;
  /** One printed value per run ('—' when the run's config lacks the path). */
  values: string[];
  differs: boolean;
}

/** Rows of the config table for `runs` (paths in first-seen order); `onlyDiffering` keeps the rows whose values differ. */
export function configRows(runs: Pick<RunRecord, 'config'>[], onlyDiffering = false): ConfigRow[] {
  const flats = runs.map((r) => flattenConfig(r.config));
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const f of flats) for (const p of Object.keys(f)) if (!seen.has(p)) (seen.add(p), paths.push(p));
  const rows = paths.map((path) => {
    const values = flats.map((f) => f[path] ?? '—');
    return { path, values, differs: values.some((v) => v !== values[0]) };
  });
  return onlyDiffering ? rows.filter((r) => r.differs) : rows;
}

export interface MetricRow {
  label: string;
  values: (number | null)[];
  /** Format: 'pct' for accuracies, 'num' for losses, 'int' for counts. */
  kind: 'pct' | 'num' | 'int';
}

/** Final metrics of each run, one row per metric. */
export function metricRows(runs: RunRecord[]): MetricRow[] {
  const f = (fn: (r: RunRecord) => number | undefined | null) => runs.map((r) => fn(r) ?? null);
  return [
    { label: 'epochs done', values: f((r) => r.final?.epoch), kind: 'int' },
    { label: 'steps', values: f((r) => r.final?.step), kind: 'int' },
    { label: 'final train loss', values: f((r) => r.final?.trainLoss), kind: 'num' },
    { label: 'final kNN top-1', values: f((r) => r.final?.knnTop1), kind: 'pct' },
    { label: 'final val acc', values: f((r) => r.final?.valAcc), kind: 'pct' },
    { label: 'best monitor', values: f((r) => r.final?.best?.value), kind: 'pct' },
  ].filter((row) => row.values.some((v) => v !== null)) as MetricRow[];
}

export function formatMetric(v: number | null, kind: MetricRow['kind']): string {
  if (v === null || !Number.isFinite(v)) return '—';
  if (kind === 'pct') return `${(100 * v).toFixed(2)} %`;
  if (kind === 'int') return String(Math.round(v));
  return v.toPrecision(4);
}

/** Distinct colours for overlaid runs. */
export const RUN_COLORS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d'];

export interface Series {
  name: string;
  color: string;
  x: number[];
  y: number[];
}

/** Overlay series per run: loss per logged step, and kNN top-1 / val accuracy per epoch. */
export function runSeries(runs: RunRecord[]): { loss: Series[]; acc: Series[] } {
  const loss: Series[] = [];
  const acc: Series[] = [];
  runs.forEach((r, i) => {
    const color = RUN_COLORS[i % RUN_COLORS.length];
    loss.push({ name: r.name, color, x: r.curves.steps.map((s) => s.step), y: r.curves.steps.map((s) => s.loss) });
    const ep = [...r.curves.epochs].sort((a, b) => a.epoch - b.epoch);
    const metric = r.config.method.method === 'supervised' ? 'valAcc' : 'knnTop1';
    const pts = ep.filter((p) => p[metric] !== undefined);
    acc.push({ name: `${r.name} (${metric === 'valAcc' ? 'val acc' : 'kNN'})`, color, x: pts.map((p) => p.epoch), y: pts.map((p) => p[metric] as number) });
  });
  return { loss, acc };
}

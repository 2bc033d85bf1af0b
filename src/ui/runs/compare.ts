/** Side-by-side comparison of run configs and metrics (pure; used by the Runs panel and the HTML report). */
import type { RunRecord } from '../../worker/api';
import { kindOf, runFigures, type AnyEpochPoint } from '../../worker/api';

/** Flattens a JSON value into `path → printed value` (arrays of scalars stay one value). */
export function flattenConfig(
  x: unknown,
  prefix = '',
  out: Record<string, string> = {},
): Record<string, string> {
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

/** What a probe or fine-tune run adds to its config in the table (kind, parent, init, query split). */
function runInfo(r: Pick<RunRecord, 'kind' | 'evaluation' | 'config'>): Record<string, unknown> {
  const ev = r.evaluation;
  return {
    kind: kindOf(r),
    ...(ev
      ? {
          evaluated: {
            parent: ev.parentName,
            checkpoint: ev.parentSlot,
            init: ev.init,
            dataset: ev.datasetId === r.config.dataset.id ? r.config.dataset.name : ev.datasetId,
            querySplit: ev.querySplit,
          },
        }
      : {}),
  };
}

/**
 * Rows of the config table for `runs` (paths in first-seen order); `onlyDiffering` keeps the rows
 * whose values differ. When a probe or fine-tune run is among them, rows for the kind and what it
 * evaluated come first.
 */
export function configRows(
  runs: Pick<RunRecord, 'config' | 'kind' | 'evaluation'>[],
  onlyDiffering = false,
): ConfigRow[] {
  const withInfo = runs.some((r) => kindOf(r) !== 'train');
  const flats = runs.map((r) =>
    flattenConfig(withInfo ? { run: runInfo(r), ...r.config } : r.config),
  );
  const paths: string[] = [];
  const seen = new Set<string>();
  for (const f of flats)
    for (const p of Object.keys(f)) if (!seen.has(p)) (seen.add(p), paths.push(p));
  if (withInfo) paths.sort((a, b) => Number(!a.startsWith('run.')) - Number(!b.startsWith('run.')));
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

/** Final metrics of each run (every kind: kNN / val accuracy of training runs, test figures of probes and fine-tunes), one row per metric some run has. */
export function metricRows(runs: RunRecord[]): MetricRow[] {
  const figs = runs.map(runFigures);
  const f = (fn: (r: RunRecord, i: number) => number | undefined | null) =>
    runs.map((r, i) => fn(r, i) ?? null);
  return [
    { label: 'epochs done', values: f((r) => r.final?.epoch), kind: 'int' },
    {
      label: 'steps',
      values: f((r) => (kindOf(r) === 'train' ? r.final?.step : undefined)),
      kind: 'int',
    },
    { label: 'final train loss', values: f((r) => r.final?.trainLoss), kind: 'num' },
    { label: 'final kNN top-1', values: f((_, i) => figs[i].knnTop1), kind: 'pct' },
    { label: 'final val acc', values: f((_, i) => figs[i].valAcc), kind: 'pct' },
    { label: 'test accuracy', values: f((_, i) => figs[i].testAcc), kind: 'pct' },
    { label: 'test macro-F1', values: f((_, i) => figs[i].testMacroF1), kind: 'pct' },
    {
      label: 'train accuracy (probe / fine-tune)',
      values: f((_, i) => figs[i].trainAcc),
      kind: 'pct',
    },
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
export const RUN_COLORS = [
  '#2563eb',
  '#dc2626',
  '#059669',
  '#d97706',
  '#7c3aed',
  '#0891b2',
  '#db2777',
  '#65a30d',
];

export interface Series {
  name: string;
  color: string;
  x: number[];
  y: number[];
  /** Drawn dotted (a run's second accuracy figure, e.g. macro-F1 beside accuracy). */
  dash?: boolean;
}

/** Per-epoch accuracy figures a run's curve may carry, in the order they are drawn, with their legend labels. */
const ACC_KEYS: { key: keyof AnyEpochPoint; label: string }[] = [
  { key: 'knnTop1', label: 'kNN' },
  { key: 'valAcc', label: 'val acc' },
  { key: 'testAcc', label: 'test acc' },
  { key: 'testMacroF1', label: 'test macro-F1' },
  { key: 'trainAcc', label: 'train acc' },
];

/**
 * The accuracy curves drawn for a run: its monitor for training runs. Probes and fine-tunes: their
 * per-epoch test figures (accuracy, then macro-F1 when it has a curve of its own); when the test
 * figures are a single final point (linear probes), the train accuracy curve first.
 */
function accKeys(r: RunRecord, ep: AnyEpochPoint[]): typeof ACC_KEYS {
  const count = (k: keyof AnyEpochPoint) => ep.filter((p) => typeof p[k] === 'number').length;
  const pick = (...keys: (keyof AnyEpochPoint)[]) =>
    keys.map((k) => ACC_KEYS.find((a) => a.key === k)!);
  if (kindOf(r) === 'train')
    return pick(r.config.method.method === 'supervised' ? 'valAcc' : 'knnTop1');
  const accKey = (['testAcc', 'valAcc', 'knnTop1'] as const).find((k) => count(k) > 0);
  const keys: (keyof AnyEpochPoint)[] = [];
  if ((!accKey || count(accKey) < 2) && count('trainAcc') > 0) keys.push('trainAcc');
  if (accKey) keys.push(accKey);
  if (count('testMacroF1') >= 2 || (!accKey && count('testMacroF1') > 0)) keys.push('testMacroF1');
  return pick(...keys);
}

/**
 * Overlay series per run: loss per logged step; train loss per epoch (only when some run has no
 * step curve, as probes and fine-tunes record per epoch); and accuracy per epoch (kNN / val acc of
 * training runs, test accuracy and macro-F1 of fine-tunes and probes, dotted after the first).
 */
export function runSeries(runs: RunRecord[]): {
  loss: Series[];
  epochLoss: Series[];
  acc: Series[];
} {
  const loss: Series[] = [];
  const epochLoss: Series[] = [];
  const acc: Series[] = [];
  const perEpochLoss = runs.some(
    (r) => r.curves.steps.length === 0 && r.curves.epochs.some((p) => p.trainLoss !== undefined),
  );
  runs.forEach((r, i) => {
    const color = RUN_COLORS[i % RUN_COLORS.length];
    const ep = ([...r.curves.epochs] as AnyEpochPoint[]).sort((a, b) => a.epoch - b.epoch);
    if (r.curves.steps.length > 0 || !perEpochLoss)
      loss.push({
        name: r.name,
        color,
        x: r.curves.steps.map((s) => s.step),
        y: r.curves.steps.map((s) => s.loss),
      });
    if (perEpochLoss) {
      const pts = ep.filter((p) => typeof p.trainLoss === 'number');
      epochLoss.push({
        name: r.name,
        color,
        x: pts.map((p) => p.epoch),
        y: pts.map((p) => p.trainLoss as number),
      });
    }
    accKeys(r, ep).forEach(({ key, label }, j) => {
      const pts = ep.filter((p) => typeof p[key] === 'number');
      acc.push({
        name: `${r.name} (${label})`,
        color,
        x: pts.map((p) => p.epoch),
        y: pts.map((p) => p[key] as number),
        dash: j > 0,
      });
    });
  });
  return { loss, epochLoss, acc };
}

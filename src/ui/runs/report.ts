/**
 * A run or a comparison as ONE self-contained HTML file: curves drawn as inline SVG polylines, the
 * config table (differing values highlighted) and the final metrics. No scripts, no external URLs.
 */
import type { RunImportNote, RunRecord } from '../../worker/api';
import { importFormat, kindOf, parentOf, RUN_KIND_LABELS, statusLabel } from '../../worker/api';
import { configRows, formatMetric, metricRows, runSeries, type Series } from './compare';

export function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

function niceTicks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    out.push(Number(v.toPrecision(12)));
  return out;
}

/** An SVG line chart of `series` (one polyline per series, axes with ticks, legend). */
export function svgLineChart(
  series: Series[],
  opts: { title: string; xLabel: string; yLabel: string; width?: number; height?: number },
): string {
  const W = opts.width ?? 640,
    H = opts.height ?? 280;
  const m = { l: 56, r: 12, t: 28, b: 40 + 16 * series.length };
  const pw = W - m.l - m.r,
    ph = H - m.t - m.b;
  const xs = series.flatMap((s) => s.x),
    ys = series.flatMap((s) => s.y).filter(Number.isFinite);
  if (xs.length === 0 || ys.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="60" role="img"><text x="8" y="20" font-size="13" font-weight="600">${escapeHtml(opts.title)}</text><text x="8" y="44" font-size="12" fill="#666">no data</text></svg>`;
  }
  let x0 = Math.min(...xs),
    x1 = Math.max(...xs),
    y0 = Math.min(...ys),
    y1 = Math.max(...ys);
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) ((y0 -= 0.5), (y1 += 0.5));
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  const X = (v: number) => m.l + ((v - x0) / (x1 - x0)) * pw;
  const Y = (v: number) => m.t + ph - ((v - y0) / (y1 - y0)) * ph;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" font-family="system-ui, sans-serif">`,
  );
  parts.push(
    `<text x="${m.l}" y="18" font-size="13" font-weight="600">${escapeHtml(opts.title)}</text>`,
  );
  parts.push(
    `<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#ccc"/>`,
  );
  for (const t of niceTicks(y0, y1)) {
    parts.push(
      `<line x1="${m.l}" x2="${m.l + pw}" y1="${Y(t).toFixed(1)}" y2="${Y(t).toFixed(1)}" stroke="#eee"/><text x="${m.l - 4}" y="${(Y(t) + 4).toFixed(1)}" font-size="10" text-anchor="end">${t}</text>`,
    );
  }
  for (const t of niceTicks(x0, x1)) {
    parts.push(
      `<text x="${X(t).toFixed(1)}" y="${m.t + ph + 14}" font-size="10" text-anchor="middle">${t}</text>`,
    );
  }
  parts.push(
    `<text x="${m.l + pw / 2}" y="${m.t + ph + 30}" font-size="11" text-anchor="middle">${escapeHtml(opts.xLabel)}</text>`,
  );
  parts.push(
    `<text x="14" y="${m.t + ph / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${m.t + ph / 2})">${escapeHtml(opts.yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const pts = s.x.map((x, j) => [x, s.y[j]]).filter(([, y]) => Number.isFinite(y));
    const d = pts.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline class="trace" data-name="${escapeHtml(s.name)}" fill="none" stroke="${s.color}" stroke-width="1.8"${s.dash ? ' stroke-dasharray="4 3"' : ''} points="${d}"/>`,
    );
    if (pts.length <= 60)
      for (const [x, y] of pts)
        parts.push(
          `<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="2.5" fill="${s.color}"/>`,
        );
    const ly = m.t + ph + 44 + 16 * i;
    parts.push(
      `<line x1="${m.l}" x2="${m.l + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dash ? ' stroke-dasharray="4 3"' : ''}/><text x="${m.l + 24}" y="${ly}" font-size="11">${escapeHtml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

const fmtDate = (t: number | null) =>
  t ? new Date(t).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '—';

/**
 * The whole report as an HTML document string (one run, or several compared). `notes` (import
 * notes by run id) and `allRuns` (to name a probe's parent by its current name) are optional.
 */
export function runsReportHtml(
  runs: RunRecord[],
  opts: { created?: Date; notes?: Record<string, RunImportNote>; allRuns?: RunRecord[] } = {},
): string {
  const created = (opts.created ?? new Date()).toISOString();
  const title =
    runs.length === 1 ? `simlab run: ${runs[0].name}` : `simlab comparison of ${runs.length} runs`;
  const { loss, epochLoss, acc } = runSeries(runs);
  const head = `<tr><th></th>${runs.map((r) => `<th>${escapeHtml(r.name)}</th>`).join('')}</tr>`;
  const notes = opts.notes ?? {};
  const parent = (r: RunRecord) => {
    const p = parentOf(r, opts.allRuns ?? runs);
    return p
      ? `${p.name}${p.exists ? '' : ' (deleted)'} · ${p.slot} checkpoint · ${p.init} init`
      : '—';
  };
  const imported = (r: RunRecord) => {
    const n = notes[r.id];
    return n ? `${n.fileName} (${importFormat(n)})` : '—';
  };
  const info = [
    ['kind', (r: RunRecord) => RUN_KIND_LABELS[kindOf(r)]],
    ...(runs.some((r) => r.evaluation) ? [['evaluates', parent] as const] : []),
    ...(runs.some((r) => notes[r.id]) ? [['imported from', imported] as const] : []),
    ['method', (r: RunRecord) => r.config.method.method],
    ['backbone', (r: RunRecord) => r.config.backbone.name],
    ['dataset', (r: RunRecord) => r.config.dataset.name],
    [
      'status',
      (r: RunRecord) => {
        const s = statusLabel(r, notes[r.id]);
        return s.detail ? `${s.label} (${s.detail})` : s.label;
      },
    ],
    ['started', (r: RunRecord) => fmtDate(r.createdAt)],
    ['ended', (r: RunRecord) => fmtDate(r.endedAt)],
    ['backend', (r: RunRecord) => `${r.backend}${r.adapter ? ` (${r.adapter})` : ''}`],
  ] as const;
  const infoRows = info
    .map(
      ([label, fn]) =>
        `<tr><th>${label}</th>${runs.map((r) => `<td>${escapeHtml(fn(r))}</td>`).join('')}</tr>`,
    )
    .join('');
  const metrics = metricRows(runs)
    .map(
      (row) =>
        `<tr><th>${escapeHtml(row.label)}</th>${row.values.map((v) => `<td>${formatMetric(v, row.kind)}</td>`).join('')}</tr>`,
    )
    .join('');
  const cfg = configRows(runs)
    .map(
      (row) =>
        `<tr${row.differs ? ' class="diff"' : ''}><th><code>${escapeHtml(row.path)}</code></th>${row.values.map((v) => `<td><code>${escapeHtml(v)}</code></td>`).join('')}</tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1b2430}
table{border-collapse:collapse;margin:0.5rem 0 1.5rem}th,td{text-align:left;padding:0.25rem 0.6rem;border-bottom:1px solid #e3e6ea;vertical-align:top}
th{color:#5b6675;font-weight:600}tr.diff td{background:#fef3c7;font-weight:600}code{font-size:0.85em}
.charts{display:flex;flex-wrap:wrap;gap:1rem}.muted{color:#5b6675}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="muted">Exported from simlab ${escapeHtml(created)}. Values highlighted in the config table differ between runs.</p>
<h2>Runs</h2><table>${head}${infoRows}</table>
<h2>Final metrics</h2><table>${head}${metrics}</table>
<h2>Curves</h2>
<div class="charts">${svgLineChart(loss, { title: 'Training loss', xLabel: 'step', yLabel: 'loss' })}${epochLoss.length ? svgLineChart(epochLoss, { title: 'Training loss per epoch', xLabel: 'epoch', yLabel: 'loss' }) : ''}${svgLineChart(acc, { title: 'Accuracy per epoch (kNN / val; test for probes and fine-tunes)', xLabel: 'epoch', yLabel: 'accuracy' })}</div>
<h2>Configuration</h2><table>${head}${cfg}</table>
</body></html>
`;
}

import { describe, expect, it } from 'vitest';
import { configRows, flattenConfig, metricRows, runSeries } from './compare';
import { escapeHtml, runsReportHtml, svgLineChart } from './report';
import { fineTuneRun, probeRun, trainRun } from '../../common/run-records.testing';

const run = trainRun;

describe('run comparison', () => {
  it('flattens configs to paths, arrays of objects by index', () => {
    const f = flattenConfig({ a: { b: 1, c: [1, 2] }, v: [[{ op: 'x' }]], e: {} });
    expect(f).toEqual({ 'a.b': '1', 'a.c': '[1,2]', 'v[0][0].op': '"x"', e: '{}' });
  });

  it('marks exactly the differing settings', () => {
    const rows = configRows([run('1', 'a', 0.1, [0.5]), run('2', 'b', 0.2, [0.5])]);
    expect(rows.filter((r) => r.differs).map((r) => r.path)).toEqual(['name', 'optimizer.lr']);
    expect(
      configRows([run('1', 'a', 0.1, [0.5]), run('2', 'b', 0.2, [0.5])], true).map((r) => r.values),
    ).toEqual([
      ['"a"', '"b"'],
      ['0.1', '0.2'],
    ]);
  });

  it('gives one loss and one accuracy series per run, and only the metrics some run has', () => {
    const s = runSeries([run('1', 'a', 0.1, [0.2, 0.6]), run('2', 'b', 0.2, [0.3])]);
    expect(s.loss.map((x) => x.y)).toEqual([
      [4, 3.5],
      [4, 3.5],
    ]);
    expect(s.acc.map((x) => x.x)).toEqual([[0, 1], [0]]);
    expect(s.loss[0].color).not.toBe(s.loss[1].color);
    expect(metricRows([run('1', 'a', 0.1, [0.2, 0.6])]).map((m) => m.label)).not.toContain(
      'final val acc',
    );
  });
});

describe('comparison across run kinds', () => {
  const parent = run('p', 'ssl', 0.1, [0.2, 0.6]);
  const probe = probeRun('q', parent);
  const ft = fineTuneRun('f', parent);
  const legacy = fineTuneRun('g', parent, { legacy: true });

  it('overlays per-epoch curves of every kind: losses per epoch once a run has no step curve; test accuracy and dotted macro-F1', () => {
    const s = runSeries([parent, probe, ft, legacy]);
    expect(s.loss.map((x) => x.name)).toEqual(['ssl']);
    expect(s.epochLoss.map((x) => [x.name, x.x])).toEqual([
      ['ssl', [1]],
      ['probe of ssl', [1, 2, 3]],
      ['fine-tune of ssl', [1, 2]],
      ['fine-tune of ssl', [1, 2]],
    ]);
    // A probe's test figures are one final point: its train accuracy curve comes first.
    expect(s.acc.map((x) => [x.name, x.dash, x.x.length])).toEqual([
      ['ssl (kNN)', false, 2],
      ['probe of ssl (train acc)', false, 3],
      ['probe of ssl (test acc)', true, 1],
      ['fine-tune of ssl (test acc)', false, 2],
      ['fine-tune of ssl (test macro-F1)', true, 2],
      ['fine-tune of ssl (val acc)', false, 2],
    ]);
    expect(s.acc[4].y.map((v) => +v.toFixed(2))).toEqual([0.65, 0.75]);
    // One colour per run, shared by its accuracy and macro-F1 curves.
    expect(s.acc[3].color).toBe(s.acc[4].color);
    // Training runs alone: no per-epoch loss chart.
    expect(runSeries([parent]).epochLoss).toEqual([]);
  });

  it('lists final test figures of probes and fine-tunes beside the kNN of training runs', () => {
    const rows = Object.fromEntries(
      metricRows([parent, probe, ft]).map((r) => [r.label, r.values]),
    );
    expect(rows['final kNN top-1']).toEqual([0.6, null, null]);
    expect(rows['test accuracy']).toEqual([null, 0.8, 0.8]);
    expect(rows['test macro-F1']).toEqual([null, 0.75, 0.7]);
    expect(rows['steps']).toEqual([20, null, null]);
  });

  it('puts the kind and what was evaluated first in the config table when a probe or fine-tune is compared', () => {
    const rows = configRows([parent, ft]);
    expect(rows.slice(0, 2).map((r) => [r.path, r.values])).toEqual([
      ['run.kind', ['"train"', '"fine-tune"']],
      ['run.evaluated.parent', ['—', '"ssl"']],
    ]);
    expect(
      configRows([parent, run('2', 'b', 0.1, [0.1])]).some((r) => r.path.startsWith('run.')),
    ).toBe(false);
  });

  it('reports kinds, parents and imports, with a polyline per curve', () => {
    const notes = {
      f: {
        runId: 'f',
        fileName: 'x.simlab.zip',
        fileBytes: 5,
        importedAt: 1000,
        kind: 'simlab-checkpoint' as const,
        choice: null,
      },
    };
    const html = runsReportHtml([parent, probe, ft], {
      created: new Date(0),
      notes,
      allRuns: [{ ...parent, name: 'ssl renamed' }, probe, ft],
    });
    expect(html).toContain(
      '<tr><th>kind</th><td>train</td><td>linear probe</td><td>fine-tune</td></tr>',
    );
    expect(html).toContain('ssl renamed · best checkpoint · ssl init');
    expect(html).toContain('x.simlab.zip (simlab checkpoint zip)');
    expect(html).toContain('<td>imported (epoch 2; the file&#39;s run had finished)</td>');
    // loss per step: 1; loss per epoch: 3; accuracy: kNN + probe train and test acc + fine-tune acc and F1 = 5.
    expect(html.match(/<polyline class="trace"/g)?.length).toBe(9);
    // Two dotted curves, each with its dotted legend line.
    expect(html.match(/stroke-dasharray/g)?.length).toBe(4);
    expect(html).toContain('<th>test macro-F1</th><td>—</td><td>75.00 %</td><td>70.00 %</td>');
  });
});

describe('HTML report', () => {
  it('is one self-contained document: a polyline per run and chart, no scripts, no external references', () => {
    const html = runsReportHtml(
      [run('1', 'a <b>', 0.1, [0.2, 0.6]), run('2', 'b', 0.2, [0.3, 0.4])],
      { created: new Date(0) },
    );
    expect(html.match(/<polyline class="trace"/g)?.length).toBe(4);
    expect(html).not.toMatch(/<script|(src|href)=|url\(/);
    expect(html).toContain('a &lt;b&gt;');
    expect(html).not.toContain('a <b>');
    expect(html).toContain('<tr class="diff"><th><code>optimizer.lr</code>');
  });

  it('maps data to the plot box (min at the bottom-left, max at the top-right)', () => {
    const svg = svgLineChart([{ name: 's', color: '#000', x: [0, 10], y: [1, 2] }], {
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      width: 200,
      height: 100,
    });
    const pts = /points="([^"]+)"/
      .exec(svg)![1]
      .split(' ')
      .map((p) => p.split(',').map(Number));
    expect(pts[0][0]).toBeLessThan(pts[1][0]);
    expect(pts[0][1]).toBeGreaterThan(pts[1][1]);
    expect(svgLineChart([], { title: 't', xLabel: 'x', yLabel: 'y' })).toContain('no data');
  });

  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;',
    );
  });
});

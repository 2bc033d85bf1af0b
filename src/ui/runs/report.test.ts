import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../worker/api';
import { configRows, flattenConfig, metricRows, runSeries } from './compare';
import { escapeHtml, runsReportHtml, svgLineChart } from './report';

function run(id: string, name: string, lr: number, knn: number[]): RunRecord {
  return {
    schemaVersion: 1,
    id,
    name,
    config: { name, dataset: { id: 'd', name: 'shapes', fingerprint: 'f', size: 32 }, method: { method: 'simclr', temperature: 0.5 }, backbone: { name: 'convnet', width: 8 }, optimizer: { name: 'adam', lr }, augmentation: { views: [[{ op: 'flip' }]] } } as unknown as RunRecord['config'],
    status: 'finished',
    createdAt: 0,
    updatedAt: 0,
    endedAt: 1000,
    backend: 'wasm',
    adapter: null,
    curves: {
      steps: [
        { step: 10, epoch: 0, loss: 4, lr, imagesPerSec: 100, extras: {} },
        { step: 20, epoch: 1, loss: 3.5, lr, imagesPerSec: 100, extras: {} },
      ],
      epochs: knn.map((k, epoch) => ({ epoch, step: epoch * 10, knnTop1: k })),
    },
    final: { epoch: knn.length - 1, step: 20, trainLoss: 3.5, knnTop1: knn[knn.length - 1], best: null },
    error: null,
    storage: { latest: 100, best: 0 },
  };
}

describe('run comparison', () => {
  it('flattens configs to paths, arrays of objects by index', () => {
    const f = flattenConfig({ a: { b: 1, c: [1, 2] }, v: [[{ op: 'x' }]], e: {} });
    expect(f).toEqual({ 'a.b': '1', 'a.c': '[1,2]', 'v[0][0].op': '"x"', e: '{}' });
  });

  it('marks exactly the differing settings', () => {
    const rows = configRows([run('1', 'a', 0.1, [0.5]), run('2', 'b', 0.2, [0.5])]);
    expect(rows.filter((r) => r.differs).map((r) => r.path)).toEqual(['name', 'optimizer.lr']);
    expect(configRows([run('1', 'a', 0.1, [0.5]), run('2', 'b', 0.2, [0.5])], true).map((r) => r.values)).toEqual([
      ['"a"', '"b"'],
      ['0.1', '0.2'],
    ]);
  });

  it('gives one loss and one accuracy series per run, and only the metrics some run has', () => {
    const s = runSeries([run('1', 'a', 0.1, [0.2, 0.6]), run('2', 'b', 0.2, [0.3])]);
    expect(s.loss.map((x) => x.y)).toEqual([[4, 3.5], [4, 3.5]]);
    expect(s.acc.map((x) => x.x)).toEqual([[0, 1], [0]]);
    expect(s.loss[0].color).not.toBe(s.loss[1].color);
    expect(metricRows([run('1', 'a', 0.1, [0.2, 0.6])]).map((m) => m.label)).not.toContain('final val acc');
  });
});

describe('HTML report', () => {
  it('is one self-contained document: a polyline per run and chart, no scripts, no external references', () => {
    const html = runsReportHtml([run('1', 'a <b>', 0.1, [0.2, 0.6]), run('2', 'b', 0.2, [0.3, 0.4])], { created: new Date(0) });
    expect(html.match(/<polyline class="trace"/g)?.length).toBe(4);
    expect(html).not.toMatch(/<script|(src|href)=|url\(/);
    expect(html).toContain('a &lt;b&gt;');
    expect(html).not.toContain('a <b>');
    expect(html).toContain('<tr class="diff"><th><code>optimizer.lr</code>');
  });

  it('maps data to the plot box (min at the bottom-left, max at the top-right)', () => {
    const svg = svgLineChart([{ name: 's', color: '#000', x: [0, 10], y: [1, 2] }], { title: 't', xLabel: 'x', yLabel: 'y', width: 200, height: 100 });
    const pts = /points="([^"]+)"/.exec(svg)![1].split(' ').map((p) => p.split(',').map(Number));
    expect(pts[0][0]).toBeLessThan(pts[1][0]);
    expect(pts[0][1]).toBeGreaterThan(pts[1][1]);
    expect(svgLineChart([], { title: 't', xLabel: 'x', yLabel: 'y' })).toContain('no data');
  });

  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

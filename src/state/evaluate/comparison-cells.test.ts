import { describe, expect, it } from 'vitest';
import { compareKey, type ComparisonCell } from '../../worker/api';
import { comparisonRows, missingCells } from './comparison-cells';

const cell = (budget: string): ComparisonCell => ({ accuracy: 0.5, macroF1: 0.4, ms: 1, budget });

describe('comparisonRows', () => {
  it('lists random, ssl and (when chosen) imported rows keyed by compareKey', () => {
    const two = comparisonRows('r1', 'best', 'self-supervised init (simclr, best)', null);
    expect(two).toEqual([
      { init: 'random', label: 'random init', key: 'r1/best/random/' },
      { init: 'ssl', label: 'self-supervised init (simclr, best)', key: 'r1/best/ssl/' },
    ]);
    const three = comparisonRows('r1', 'latest', 'ssl', {
      runId: 'imp',
      label: 'imported (a.zip)',
    });
    expect(three.map((r) => r.key)).toEqual([
      compareKey('r1', 'latest', 'random'),
      compareKey('r1', 'latest', 'ssl'),
      compareKey('r1', 'latest', 'imported', 'imp'),
    ]);
    expect(three[2]).toMatchObject({
      init: 'imported',
      initRunId: 'imp',
      label: 'imported (a.zip)',
    });
  });
});

describe('missingCells', () => {
  const rows = comparisonRows('r', 'best', 'ssl', { runId: 'i', label: 'imp' });
  const budgets = { probe: 'p1', fineTune: 'f1' };

  it('is every cell, probe before fine-tune per row, when nothing is computed', () => {
    const m = missingCells(rows, {}, budgets);
    expect(m.map((c) => `${c.row.init}:${c.kind}`)).toEqual([
      'random:probe',
      'random:fineTune',
      'ssl:probe',
      'ssl:fineTune',
      'imported:probe',
      'imported:fineTune',
    ]);
  });

  it('leaves out cells computed with the current budget and keeps those of another budget', () => {
    const cells = {
      [rows[0].key]: { probe: cell('p1'), fineTune: cell('f0') },
      [rows[1].key]: { fineTune: cell('f1') },
      [rows[2].key]: { probe: cell('p1'), fineTune: cell('f1') },
    };
    const m = missingCells(rows, cells, budgets);
    expect(m.map((c) => `${c.row.init}:${c.kind}`)).toEqual(['random:fineTune', 'ssl:probe']);
    // Counted another way: cells whose budget differs from the current one, over all 6.
    const all = rows.flatMap((r) =>
      (['probe', 'fineTune'] as const).map((k) => cells[r.key]?.[k]?.budget !== budgets[k]),
    );
    expect(m.length).toBe(all.filter(Boolean).length);
  });
});

import { describe, expect, it } from 'vitest';
import { childrenOf, filterRuns, kindOf, parentOf, runFigures, statusLabel } from './run-list';
import { fineTuneRun, probeRun, trainRun } from './run-records.testing';
import type { RunImportNote } from './run-types';

const parent = trainRun('p', 'ssl run', 0.1, [0.2, 0.6]);
const probe = probeRun('q', parent);
const ft = fineTuneRun('f', parent);
const legacyFt = fineTuneRun('g', parent, { legacy: true, init: 'random' });
const note = (runId: string, kind: RunImportNote['kind'], importedAt: number): RunImportNote => ({
  runId,
  fileName: `${runId}.bin`,
  fileBytes: 10,
  importedAt,
  kind,
  choice: null,
});

describe('runs list', () => {
  it('reads the kind, with records that predate kinds as training runs', () => {
    expect([parent, probe, ft].map(kindOf)).toEqual(['train', 'probe', 'fine-tune']);
    expect(kindOf({})).toBe('train');
  });

  it('names the parent by its current name, or the recorded one once it is deleted', () => {
    expect(parentOf(parent, [parent])).toBeNull();
    expect(parentOf(probe, [{ ...parent, name: 'renamed' }])).toMatchObject({
      id: 'p',
      name: 'renamed',
      exists: true,
      slot: 'best',
      init: 'ssl',
    });
    expect(parentOf(probe, [])).toMatchObject({ name: 'ssl run', exists: false });
    expect(
      childrenOf('p', [parent, probe, ft, trainRun('x', 'x', 0.1, [0.1])]).map((r) => r.id),
    ).toEqual(['q', 'f']);
  });

  it('gives each kind its final figures: kNN for training, test accuracy / macro-F1 for probes and fine-tunes', () => {
    expect(runFigures(parent)).toEqual({ knnTop1: 0.6 });
    expect(runFigures(probe)).toEqual({ testAcc: 0.8, testMacroF1: 0.75, trainAcc: 0.8 });
    expect(runFigures(ft)).toEqual({ testAcc: 0.8, testMacroF1: 0.7 });
    // Without evaluation info the last epoch point that has the figure is used.
    const noInfo = runFigures({ ...ft, evaluation: null });
    expect(Object.keys(noInfo)).toEqual(['testAcc', 'testMacroF1']);
    expect(noInfo.testAcc).toBeCloseTo(0.8, 12);
    expect(noInfo.testMacroF1).toBeCloseTo(0.75, 12);
    expect(runFigures(legacyFt)).toMatchObject({ valAcc: 0.8, testAcc: 0.8 });
  });

  it('shows imported runs as imported until they are trained further', () => {
    const zip = note('p', 'simlab-checkpoint', 1000);
    expect(statusLabel(parent, zip)).toEqual({
      label: 'imported',
      detail: "epoch 1; the file's run had finished",
    });
    expect(statusLabel({ ...parent, status: 'stopped' }, zip).detail).toMatch(
      /stopped \(resumable\)/,
    );
    expect(
      statusLabel({ ...parent, final: null }, note('p', 'torchvision-safetensors', 1000)).label,
    ).toBe('weights only');
    // Resumed and finished later: its own status again.
    expect(statusLabel({ ...parent, endedAt: 5000 }, zip)).toEqual({
      label: 'finished',
      detail: '',
    });
    expect(statusLabel(parent, undefined)).toEqual({ label: 'finished', detail: '' });
  });

  it('filters by kind, method, status (imported included) and text (parent name, file name)', () => {
    const runs = [
      parent,
      probe,
      ft,
      {
        ...trainRun('s', 'supervised one', 0.1, [0.3]),
        config: { ...parent.config, method: { method: 'supervised' } } as typeof parent.config,
      },
    ];
    const notes = { f: note('f', 'simlab-checkpoint', 1000) };
    const ids = (f: Partial<Parameters<typeof filterRuns>[2]>) =>
      filterRuns(runs, notes, { method: '', status: '', kind: '', text: '', ...f }).map(
        (r) => r.id,
      );
    expect(ids({})).toEqual(['p', 'q', 'f', 's']);
    expect(ids({ kind: 'probe' })).toEqual(['q']);
    expect(ids({ kind: 'fine-tune' })).toEqual(['f']);
    expect(ids({ kind: 'train' })).toEqual(['p', 's']);
    expect(ids({ method: 'supervised' })).toEqual(['s']);
    expect(ids({ status: 'imported' })).toEqual(['f']);
    expect(ids({ text: 'LINEAR probe' })).toEqual(['q']);
    expect(ids({ text: 'f.bin' })).toEqual(['f']);
    expect(ids({ kind: 'train', text: 'ssl run' })).toEqual(['p']);
  });
});

/**
 * EvaluateState against a fake engine client (plain objects standing in for the comlink worker):
 * latest request wins, the probe fills the comparison, the comparison runs its missing cells in
 * order and stops with the fine-tune, and the evolution player steps its frames.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type {
  ClassifierResult,
  FineTuneRequest,
  FineTuneResult,
  KnnEvalRequest,
  ProbeEvalRequest,
  ProbeResult,
  RunRecord,
} from '../worker/api';
import type { EngineClient } from '../worker/client';
import { EvaluateState } from './evaluate.svelte';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const run = {
  id: 'r1',
  name: 'simclr run',
  config: { dataset: { id: 'ds' }, method: { method: 'simclr' }, backbone: { name: 'convnet' } },
  storage: { latest: 10, best: 10 },
} as unknown as RunRecord;

const probeResult = (req: ProbeEvalRequest, accuracy: number): ProbeResult =>
  ({
    runId: req.runId,
    slot: req.slot,
    datasetId: 'ds',
    querySplit: req.querySplit ?? 'test',
    accuracy,
    macroF1: accuracy / 2,
    ms: 3,
  }) as unknown as ProbeResult;

/** A client whose engine calls are recorded and answered by the test. */
function fakeClient() {
  const calls: string[] = [];
  const knn: { req: KnnEvalRequest; d: ReturnType<typeof deferred<ClassifierResult>> }[] = [];
  let stopped = false;
  const client = {
    remote: {
      listRuns: async () => [run],
      runImports: async () => ({}),
      stopFineTune: async () => {
        stopped = true;
      },
    },
    evaluateKnn: (req: KnnEvalRequest) => {
      const d = deferred<ClassifierResult>();
      knn.push({ req, d });
      return d.promise;
    },
    evaluateProbe: async (req: ProbeEvalRequest) => {
      calls.push(`probe:${req.init ?? 'ssl'}`);
      return probeResult(req, 0.6);
    },
    fineTune: async (req: FineTuneRequest) => {
      calls.push(`fineTune:${req.init}`);
      return {
        runId: req.runId,
        slot: req.slot,
        init: req.init,
        final: { testAccuracy: 0.7, testMacroF1: 0.65 },
        ms: 5,
        snapshots: null,
        stoppedAtEpoch: stopped ? 1 : undefined,
      } as unknown as FineTuneResult;
    },
  };
  return { client: client as unknown as EngineClient, calls, knn, stop: () => (stopped = true) };
}

async function opened(client: EngineClient) {
  const ev = new EvaluateState(client);
  await ev.refreshRuns();
  ev.openRun('r1');
  return ev;
}

afterEach(() => vi.useRealTimers());

describe('EvaluateState', () => {
  it('keeps the latest kNN result when an older request resolves after it', async () => {
    const f = fakeClient();
    const ev = await opened(f.client);
    ev.knnProbe.k = 5;
    const first = ev.knnProbe.runKnn();
    const second = ev.knnProbe.runKnn();
    expect(ev.busy).toBe('knn');
    expect(f.knn[1].req).toEqual({
      runId: 'r1',
      slot: 'best',
      datasetId: undefined,
      querySplit: 'test',
      classMap: undefined,
      k: 5,
      temperature: 0.1,
    });
    f.knn[1].d.resolve({ accuracy: 0.9 } as ClassifierResult);
    await second;
    expect(ev.busy).toBeNull();
    f.knn[0].d.resolve({ accuracy: 0.1 } as ClassifierResult);
    await first;
    expect(ev.knnProbe.knn?.accuracy).toBe(0.9);
    expect(ev.busy).toBeNull();
  });

  it('shows the error of a request without a run and ends busy', async () => {
    const ev = new EvaluateState(fakeClient().client);
    await ev.knnProbe.runKnn();
    expect(ev.error).toBe('pick a run first');
    expect(ev.busy).toBeNull();
  });

  it("fills the comparison's SSL probe cell from a probe on the run's test split", async () => {
    const ev = await opened(fakeClient().client);
    expect(ev.comparison.missingCells).toHaveLength(4);
    await ev.knnProbe.runProbe();
    expect(ev.knnProbe.probe?.accuracy).toBe(0.6);
    const ssl = ev.comparison.rows[1];
    expect(ssl.label).toBe('self-supervised init (simclr, best)');
    expect(ev.comparison.cells[ssl.key].probe).toEqual({
      accuracy: 0.6,
      macroF1: 0.3,
      ms: 3,
      budget: 'L-BFGS ≤ 100 iterations · C 1',
      recordedRunId: undefined,
    });
    expect(ev.comparison.missingCells.map((c) => `${c.row.init}:${c.kind}`)).toEqual([
      'random:probe',
      'random:fineTune',
      'ssl:fineTune',
    ]);
    // Another budget makes the cell missing again.
    ev.knnProbe.probeMaxIterations = 10;
    expect(ev.comparison.missingCells).toHaveLength(4);
  });

  it('runs the missing cells in table order and fills them', async () => {
    const f = fakeClient();
    const ev = await opened(f.client);
    await ev.runComparison();
    expect(f.calls).toEqual(['probe:random', 'fineTune:random', 'probe:ssl', 'fineTune:ssl']);
    expect(ev.comparison.missingCells).toEqual([]);
    expect(ev.comparison.progress).toBeNull();
    expect(ev.fineTune.results.map((r) => r.init)).toEqual(['random', 'ssl']);
    const random = ev.comparison.cells[ev.comparison.rows[0].key];
    expect(random.fineTune?.budget).toBe(ev.fineTune.budget);
  });

  it('stops the comparison with the fine-tune; a stopped fine-tune fills no cell', async () => {
    const f = fakeClient();
    const ev = await opened(f.client);
    const running = ev.runComparison();
    ev.stopFineTune();
    await running;
    expect(f.calls).toEqual(['probe:random']);
    await ev.fineTune.run('ssl');
    const ssl = ev.comparison.cells[ev.comparison.rows[1].key];
    expect(ssl?.fineTune).toBeUndefined();
    expect(ev.fineTune.results).toHaveLength(1);
  });

  it('plays the evolution frames to the last one and stops', () => {
    vi.useFakeTimers();
    const ev = new EvaluateState(fakeClient().client);
    const layouts = [0, 1, 2].map(() => new Float32Array(2));
    ev.playback.evolution = { key: 'k', label: 'l', epochs: [0, 1, 2], layouts, points: null! };
    ev.playback.frame = 2;
    ev.playback.play(100);
    expect(ev.playback.frame).toBe(0);
    expect(ev.playback.playing).toBe(true);
    vi.advanceTimersByTime(200);
    expect(ev.playback.frame).toBe(2);
    vi.advanceTimersByTime(100);
    expect(ev.playback.playing).toBe(false);
    vi.advanceTimersByTime(500);
    expect(ev.playback.frame).toBe(2);
    ev.dispose();
  });
});

/** Hand-made run records of each kind for the Runs list / comparison / report tests (plain data, no tfjs). */
import type { EvalRunInfo, RunRecord } from '../storage/run-schema';
import type { AnyEpochPoint } from './run-list';

const baseConfig = (name: string, lr: number, method = 'simclr') =>
  ({
    name,
    dataset: { id: 'd', name: 'shapes', fingerprint: 'f', size: 32 },
    method: { method, temperature: 0.5 },
    backbone: { name: 'convnet', width: 8 },
    optimizer: { name: 'adam', lr },
    augmentation: { views: [[{ op: 'flip' }]] },
  }) as unknown as RunRecord['config'];

/** A finished SSL training run with two logged steps and a kNN point per epoch. */
export function trainRun(id: string, name: string, lr: number, knn: number[]): RunRecord {
  return {
    schemaVersion: 1,
    id,
    name,
    config: baseConfig(name, lr),
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
      epochs: knn.map((k, epoch) => ({
        epoch,
        step: epoch * 10,
        knnTop1: k,
        ...(epoch > 0 ? { trainLoss: 4 - epoch / 2 } : {}),
      })),
    },
    final: {
      epoch: knn.length - 1,
      step: 20,
      trainLoss: 3.5,
      knnTop1: knn[knn.length - 1],
      best: null,
    },
    error: null,
    storage: { latest: 100, best: 0 },
  };
}

function evalInfo(parent: RunRecord, over: Partial<EvalRunInfo> = {}): EvalRunInfo {
  return {
    parentRunId: parent.id,
    parentSlot: 'best',
    parentName: parent.name,
    init: 'ssl',
    datasetId: 'd',
    querySplit: 'test',
    testAccuracy: 0.8,
    testMacroF1: 0.75,
    ...over,
  };
}

/** A linear probe of `parent` as the Evaluate panel records it: per-epoch train loss and accuracy, the test figures on the last epoch and in its evaluation info. */
export function probeRun(
  id: string,
  parent: RunRecord,
  over: Partial<EvalRunInfo> = {},
): RunRecord {
  const epochs: AnyEpochPoint[] = [1, 2, 3].map((e) => ({
    epoch: e,
    step: e * 4,
    trainLoss: 1 / e,
    trainAcc: 0.5 + e / 10,
    ...(e === 3 ? { testAcc: 0.8, testMacroF1: 0.75 } : {}),
  }));
  return {
    ...trainRun(id, `probe of ${parent.name}`, 0.1, [0]),
    kind: 'probe',
    evaluation: evalInfo(parent, { trainAccuracy: 0.8, ...over }),
    curves: { steps: [], epochs },
    final: { epoch: 3, step: 0, trainLoss: 1 / 3, best: null },
    storage: { latest: 0, best: 0 },
  };
}

/** A fine-tune of `parent` recording test accuracy and macro-F1 per epoch (or, `legacy`, the test accuracy as valAcc). */
export function fineTuneRun(
  id: string,
  parent: RunRecord,
  opts: { legacy?: boolean; init?: EvalRunInfo['init'] } = {},
): RunRecord {
  const epochs: AnyEpochPoint[] = [1, 2].map((e) =>
    opts.legacy
      ? { epoch: e, step: e * 5, trainLoss: 2 / e, valAcc: 0.6 + e / 10 }
      : {
          epoch: e,
          step: e * 5,
          trainLoss: 2 / e,
          testAcc: 0.6 + e / 10,
          testMacroF1: 0.55 + e / 10,
        },
  );
  return {
    ...trainRun(id, `fine-tune of ${parent.name}`, 0.01, [0]),
    kind: 'fine-tune',
    evaluation: evalInfo(parent, { init: opts.init ?? 'ssl', testAccuracy: 0.8, testMacroF1: 0.7 }),
    curves: { steps: [], epochs },
    final: {
      epoch: 2,
      step: 10,
      trainLoss: 1,
      ...(opts.legacy ? { valAcc: 0.8 } : {}),
      best: null,
    },
  };
}

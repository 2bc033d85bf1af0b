/**
 * The kNN figure of a stored run's checkpoint measured the way its training monitor measured it:
 * the run's own monitor plan (same queries, bank, k, T), and val accuracy when supervised.
 */
import { measureMonitors, planMonitor } from '../../ml/train/monitor';
import type { DatasetStore } from '../../storage/dataset-store';
import type { CheckpointSlot } from '../../storage/run-schema';
import type { RunStore } from '../../storage/run-store';
import { loadStoredRun, rebuildRun } from '../runs/stored-run';
import type { RunKnn } from '../../common/run-types';
import { storeDataSource } from '../train/store-data-source';

/** kNN top-1 (and val accuracy when supervised) of the run's checkpoint `slot`; every tensor made is disposed. */
export async function storedRunKnn(
  datasets: DatasetStore,
  runs: RunStore,
  runId: string,
  slot: CheckpointSlot,
): Promise<RunKnn> {
  const { ckpt } = await loadStoredRun(runs, runId, slot);
  const config = ckpt.config;
  const { source } = await storeDataSource(datasets, config.dataset.id);
  const src = config.monitor.source;
  const queryData =
    typeof src === 'object' ? (await storeDataSource(datasets, src.datasetId)).source : source;
  const plan = planMonitor(source, config.monitor, config.seed, {
    supervised: config.method.method === 'supervised',
    queryData: queryData === source ? undefined : queryData,
  });
  const r = rebuildRun(ckpt);
  try {
    const m = await measureMonitors(
      r.method,
      source,
      queryData,
      plan,
      config.augmentation,
      config.monitor,
      Math.max(source.numClasses, queryData.numClasses),
    );
    return {
      runId,
      slot,
      knnTop1: m.knnTop1 ?? null,
      valAcc: m.valAcc ?? null,
      queries: plan.queries.length,
      bank: plan.bank.length,
    };
  } finally {
    r.dispose();
  }
}

/**
 * Which epoch is a run's best: the monitor that chooses it (validation accuracy for supervised runs,
 * kNN top-1 otherwise) and the rule (strictly higher than the best so far; epoch 0, the untrained
 * network, never counts). The Trainer (marking the best checkpoint) and the run store (the record's
 * final figures) both use it. Plain data only: no tfjs, so src/storage may import it.
 */
import type { BestMetric, Curves, EpochPoint } from './events';

export type BestMetricName = BestMetric['metric'];

/** The monitor that picks the best epoch of a run trained with `method`. */
export function bestMetricFor(method: string): BestMetricName {
  return method === 'supervised' ? 'valAcc' : 'knnTop1';
}

/**
 * The new best when epoch point `point` beats `best` on `metric`, else null (unmeasured, epoch 0,
 * or not strictly higher than a best of the same metric; a best of another metric is replaced).
 */
export function improvedBest(
  best: BestMetric | null,
  point: EpochPoint,
  metric: BestMetricName,
): BestMetric | null {
  const value = point[metric];
  if (value === undefined || point.epoch === 0) return null;
  if (best && best.metric === metric && value <= best.value) return null;
  return { metric, value, epoch: point.epoch };
}

/** Best of a metric over the epoch points (earliest on ties); null when never measured after epoch 0. */
export function bestOf(curves: Curves, metric: BestMetricName): BestMetric | null {
  let best: BestMetric | null = null;
  for (const p of curves.epochs) best = improvedBest(best, p, metric) ?? best;
  return best;
}

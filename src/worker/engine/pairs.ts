/**
 * The engine's pairs part: the pairs lab's preview, training, evaluation and report.
 */
import * as Comlink from 'comlink';
import type { EngineApi } from '../api';
import type { PairsLab } from '../pairs/lab';
import type { RunController } from '../train/run-controller';
import type { EngineContext } from './context';

export type PairsPart = Pick<
  EngineApi,
  'pairsPreview' | 'trainPairs' | 'stopPairs' | 'evaluatePairs' | 'pairsReport' | 'clearPairs'
>;

export function pairsPart(
  { ready, opened }: EngineContext,
  pairsLab: PairsLab,
  controller: RunController,
): PairsPart {
  return {
    async pairsPreview(req) {
      const p = pairsLab.preview(req);
      return Comlink.transfer(p, [p.a.buffer, p.b.buffer] as ArrayBuffer[]);
    },
    async trainPairs(req, onEvent) {
      await ready;
      await opened;
      if (controller.active)
        throw new Error('a training run is in progress: train pairs when it has ended');
      return pairsLab.train(req, onEvent);
    },
    async stopPairs() {
      pairsLab.stop();
    },
    async evaluatePairs(opts) {
      await ready;
      return pairsLab.evaluate(opts?.galleryK);
    },
    async pairsReport() {
      return pairsLab.report();
    },
    async clearPairs() {
      pairsLab.clear();
    },
  };
}

/** The engine's pretrained-weights part: fetch (download once, or load the stored copy), list, delete. */
import * as Comlink from 'comlink';
import type { EngineApi } from '../api';
import { WeightsStore } from '../../storage/weights-store';
import { fetchWeights } from '../weights/fetch-weights';

export type WeightsPart = Pick<EngineApi, 'fetchWeights' | 'storedWeights' | 'deleteWeights'>;

export function weightsPart(store = new WeightsStore()): WeightsPart {
  return {
    async fetchWeights(req, onProgress) {
      const r = await fetchWeights(store, req, onProgress);
      const bytes = r.bytes.slice();
      return Comlink.transfer({ ...r, bytes }, [bytes.buffer]);
    },
    storedWeights: () => store.list(),
    deleteWeights: (id) => store.delete(id),
  };
}

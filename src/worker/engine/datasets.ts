/**
 * The engine's datasets part: imports (scan → preview → commit), the shapes generator, the
 * stored datasets and their pixels, and the storage estimate.
 */
import * as Comlink from 'comlink';
import { generateShapes } from '../../ml/data/shapes';
import { stratifiedSplit } from '../../ml/data/splits';
import { SPLIT_NAMES } from '../../ml/data/types';
import type { EngineApi, ShapesOptions } from '../api';
import { isInterrupted, type Importer } from '../import/importer';
import type { EngineContext } from './context';

export type DatasetsPart = Pick<
  EngineApi,
  | 'scanImport'
  | 'previewImport'
  | 'commitImport'
  | 'cancelImport'
  | 'discardPlan'
  | 'generateShapes'
  | 'listDatasets'
  | 'getDatasetIndex'
  | 'getImages'
  | 'deleteDataset'
  | 'storageInfo'
>;

export function datasetsPart(
  { store, opened, readImages }: EngineContext,
  importer: Importer,
): DatasetsPart {
  return {
    scanImport: (input, onProgress) => importer.scan(input, onProgress),
    async previewImport(planId, options) {
      return importer.preview(planId, options);
    },
    commitImport: (planId, options, onProgress) => importer.commit(planId, options, onProgress),
    async cancelImport() {
      importer.cancel();
    },
    async discardPlan(planId) {
      importer.discard(planId);
    },

    async generateShapes(o: ShapesOptions, onProgress) {
      const samples = generateShapes(o.count, o.seed, { size: o.size, texture: o.texture });
      const classes = ['circle', 'square'];
      const labels = samples.map((s) => classes.indexOf(s.kind));
      const codes = stratifiedSplit(labels, o.fractions, o.seed);
      const items = samples.map((s, i) => ({
        path: `${SPLIT_NAMES[codes[i]]}/${s.kind}/shape_${String(i).padStart(6, '0')}.png`,
        label: labels[i],
        split: SPLIT_NAMES[codes[i]],
        pixels: s.pixels,
      }));
      return importer.generated(
        {
          name: o.name,
          size: o.size,
          classes,
          source: {
            kind: 'generator',
            description: `shapes generator, seed ${o.seed}, ${o.count} images${o.texture ? ', textured' : ''}`,
          },
          splitSource: 'random',
          splitSeed: o.seed,
          splitFractions: o.fractions,
        },
        items,
        onProgress,
      );
    },

    async listDatasets() {
      await opened;
      const all = await store.allMeta();
      const removedInterrupted: string[] = [];
      const datasets = [];
      for (const m of all) {
        if (m.status === 'ready') datasets.push(m);
        else if (m.id !== importer.activeDatasetId && (await isInterrupted(m))) {
          await store.delete(m.id);
          removedInterrupted.push(m.name);
        }
      }
      return { datasets, removedInterrupted };
    },

    async getDatasetIndex(id) {
      await opened;
      return store.getIndex(id);
    },

    async getImages(id, indices) {
      const px = await readImages(id, indices);
      return Comlink.transfer(px, [px.buffer as ArrayBuffer]);
    },

    async deleteDataset(id) {
      await store.delete(id);
    },

    async storageInfo() {
      await opened;
      let usage: number | null = null;
      let quota: number | null = null;
      try {
        const est = await navigator.storage.estimate();
        usage = est.usage ?? null;
        quota = est.quota ?? null;
      } catch {
        // estimate() is missing in some contexts; the panel then shows dataset bytes only.
      }
      const metas = await store.allMeta();
      return {
        usage,
        quota,
        datasets: metas.map((m) => ({ id: m.id, name: m.name, bytes: m.bytes })),
      };
    },
  };
}

/**
 * The engine behind the worker: implements EngineApi with the ml/ and storage/ modules.
 */
import * as tf from '@tensorflow/tfjs';
import * as Comlink from 'comlink';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import { initBackend, type BackendReport } from '../ml/backend';
import { generateShapes } from '../ml/data/shapes';
import { stratifiedSplit } from '../ml/data/splits';
import { SPLITS } from '../ml/data/types';
import { DatasetStore } from '../storage/dataset-store';
import type { EngineApi, ShapesOptions } from './api';
import { Importer, isInterrupted } from './import/importer';

export function createEngine(): EngineApi {
  const store = new DatasetStore();
  const opened = store.open();
  const importer = new Importer(store);
  let report: BackendReport | null = null;

  const engine: EngineApi = {
    async init({ backend, wasmThreads }) {
      report = await initBackend({
        force: backend,
        wasmPaths: {
          'tfjs-backend-wasm.wasm': wasmUrl,
          'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
          'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
        },
        wasmThreads,
      });
      return report;
    },

    async selfTest() {
      // (x·W + b) then softmax: exercises matmul, broadcast add and a reduction.
      const values = tf.tidy(() => {
        const x = tf.tensor2d([0.5, -1, 2, 0.25, 3, -0.5, 1, 1.5], [2, 4]);
        const w = tf.tensor2d([0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, -0.8, 0.9, 1.0, -1.1, 1.2], [4, 3]);
        const b = tf.tensor1d([0.01, -0.02, 0.03]);
        return tf.softmax(tf.add(tf.matMul(x, w), b));
      });
      const data = Array.from(await values.data());
      values.dispose();
      return { backend: tf.getBackend() as BackendReport['active'], values: data };
    },

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
        path: `${SPLITS[codes[i]]}/${s.kind}/shape_${String(i).padStart(6, '0')}.png`,
        label: labels[i],
        split: SPLITS[codes[i]],
        pixels: s.pixels,
      }));
      return importer.generated(
        {
          name: o.name,
          size: o.size,
          classes,
          source: { kind: 'generator', description: `shapes generator, seed ${o.seed}, ${o.count} images${o.texture ? ', textured' : ''}` },
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
      const meta = await store.getMeta(id);
      if (!meta) throw new Error(`dataset ${id} does not exist`);
      const per = meta.size * meta.size * 3;
      const out = new Uint8Array(indices.length * per);
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k];
        if (!(i >= 0 && i < meta.count)) throw new Error(`image ${i} is out of range (0..${meta.count - 1})`);
        const shard = await store.getShard(id, Math.floor(i / meta.shardCapacity));
        const off = (i % meta.shardCapacity) * per;
        out.set(shard.subarray(off, off + per), k * per);
      }
      return Comlink.transfer(out, [out.buffer]);
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
      return { usage, quota, datasets: metas.map((m) => ({ id: m.id, name: m.name, bytes: m.bytes })) };
    },
  };
  return engine;
}

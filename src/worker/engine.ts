/**
 * The engine behind the worker: implements EngineApi with the ml/ and storage/ modules.
 */
import * as tf from '@tensorflow/tfjs';
import * as Comlink from 'comlink';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import { initBackend, type BackendReport } from '../ml/backend';
import { benchmarkAugment } from '../ml/augment/benchmark';
import { listPresets } from '../ml/augment/presets';
import { validatePipeline } from '../ml/augment/schema';
import { registerWasmTrainingKernels } from '../ml/kernels/wasm/register';
import { generateShapes } from '../ml/data/shapes';
import { stratifiedSplit } from '../ml/data/splits';
import { SPLIT_NAMES } from '../ml/data/types';
import { DatasetStore } from '../storage/dataset-store';
import { RunStore } from '../storage/run-store';
import { defaultRunConfig } from '../ml/train/config';
import { RunController } from './train/run-controller';
import { RunFiles } from './runs/run-files';
import type { AugmentOp, EngineApi, ShapesOptions } from './api';
import { matmulGflops, previewViews } from './augment-preview';
import { stepParity } from './debug-step';
import { benchTrainStep } from './bench-train';
import { benchKnn, benchProbe } from './bench-eval';
import { Importer, isInterrupted } from './import/importer';
import { EmbeddingCache } from './eval/embeddings';
import { Evaluator } from './eval/evaluator';
import { PairsLab } from './pairs/lab';

/** Default-parameter ops for the editor's "add op" (SimCLR's strengths where the paper sets one). */
const OP_DEFAULTS: AugmentOp[] = [
  { op: 'random-resized-crop', enabled: true, p: 1, scale: [0.2, 1], ratio: [3 / 4, 4 / 3] },
  { op: 'horizontal-flip', enabled: true, p: 0.5 },
  { op: 'rotation', enabled: true, p: 1, degrees: 20 },
  {
    op: 'color-jitter',
    enabled: true,
    p: 0.8,
    brightness: 0.4,
    contrast: 0.4,
    saturation: 0.4,
    hue: 0.1,
  },
  { op: 'random-grayscale', enabled: true, p: 0.2 },
  { op: 'gaussian-blur', enabled: true, p: 0.5, sigma: [0.1, 2], kernelFraction: 0.1 },
  { op: 'solarize', enabled: true, p: 0.2, threshold: 0.5 },
  { op: 'normalize', enabled: true, p: 1, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
];

export function createEngine(): EngineApi {
  const store = new DatasetStore();
  const opened = store.open();
  const importer = new Importer(store);
  const runs = new RunStore();
  const runsOpened = runs.open();
  const controller = new RunController(store, runs);
  const runFiles = new RunFiles(store, runs);
  let report: BackendReport | null = null;
  let markReady: () => void = () => undefined;
  /** Tensor work waits for init(), so it never runs on a backend tfjs picked by itself. */
  const ready = new Promise<void>((r) => (markReady = r));

  /** Pixels of stored images, n × size² × 3 uint8 RGB in the order asked. */
  async function readImages(id: string, indices: number[]): Promise<Uint8Array> {
    const meta = await store.getMeta(id);
    if (!meta) throw new Error(`dataset ${id} does not exist`);
    const per = meta.size * meta.size * 3;
    const out = new Uint8Array(indices.length * per);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      if (!(i >= 0 && i < meta.count))
        throw new Error(`image ${i} is out of range (0..${meta.count - 1})`);
      const shard = await store.getShard(id, Math.floor(i / meta.shardCapacity));
      const off = (i % meta.shardCapacity) * per;
      out.set(shard.subarray(off, off + per), k * per);
    }
    return out;
  }

  // Probes and fine-tunes are recorded as runs (backendInfo is defined below; called only later).
  const evaluator = new Evaluator(new EmbeddingCache(store, runs, readImages), {
    runs,
    backend: () => backendInfo(),
  });
  const pairsLab = new PairsLab({
    getMeta: (id) => store.getMeta(id),
    getIndex: (id) => store.getIndex(id),
    readImages,
  });

  const backendInfo = () => ({
    name: report?.active ?? tf.getBackend(),
    adapter: report?.adapter
      ? `${report.adapter.vendor} ${report.adapter.architecture}`.trim()
      : null,
  });

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
      // tfjs-backend-wasm 4.22 cannot train convnets without these (and its input gradient is slow).
      if (report.active === 'wasm') registerWasmTrainingKernels();
      markReady();
      return report;
    },

    async selfTest() {
      await ready;
      // (x·W + b) then softmax: exercises matmul, broadcast add and a reduction.
      const values = tf.tidy(() => {
        const x = tf.tensor2d([0.5, -1, 2, 0.25, 3, -0.5, 1, 1.5], [2, 4]);
        const w = tf.tensor2d(
          [0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, -0.8, 0.9, 1.0, -1.1, 1.2],
          [4, 3],
        );
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

    async augmentPresets() {
      return listPresets();
    },

    async augmentOpDefaults() {
      return OP_DEFAULTS.map((o) => structuredClone(o));
    },

    async validatePipeline(json) {
      return validatePipeline(json);
    },

    async augmentPreview(req) {
      const meta = await store.getMeta(req.datasetId);
      if (!meta) throw new Error(`dataset ${req.datasetId} does not exist`);
      const v = validatePipeline(req.pipeline);
      if (!v.ok) throw new Error(v.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
      const original = await readImages(req.datasetId, req.indices);
      await ready;
      const r = await previewViews(
        original,
        req.indices.length,
        meta.size,
        v.pipeline,
        req.seed,
        !!req.raw,
      );
      const out = {
        inputSize: meta.size,
        outputSize: v.pipeline.outputSize,
        original,
        views: r.views,
        rawViews: r.rawViews,
        ms: r.ms,
        backend: tf.getBackend() as BackendReport['active'],
      };
      const buffers = [
        original.buffer,
        r.views[0].buffer,
        r.views[1].buffer,
        ...(r.rawViews ? r.rawViews.map((x) => x.buffer) : []),
      ];
      return Comlink.transfer(out, buffers as ArrayBuffer[]);
    },

    async defaultRunConfig(method, datasetId) {
      const meta = await store.getMeta(datasetId);
      if (!meta) throw new Error(`dataset ${datasetId} does not exist`);
      return defaultRunConfig(
        method,
        { id: meta.id, name: meta.name, fingerprint: meta.fingerprint, size: meta.size },
        { numClasses: meta.classes.length || undefined },
      );
    },

    async validateRunConfig(json) {
      return controller.validate(json);
    },

    async startRun(config, onEvent) {
      await ready;
      await runsOpened;
      if (pairsLab.busy)
        throw new Error(
          'the pairs lab is training: stop it in the Pairs panel or start this run when it has ended',
        );
      return controller.start(config, backendInfo(), onEvent);
    },

    async resumeRun(runId, onEvent) {
      await ready;
      await runsOpened;
      if (pairsLab.busy)
        throw new Error(
          'the pairs lab is training: stop it in the Pairs panel or resume this run when it has ended',
        );
      return controller.start(null, backendInfo(), onEvent, runId);
    },

    async pauseRun() {
      controller.pause();
    },
    async continueRun() {
      controller.resume();
    },
    async stopRun() {
      controller.stop();
    },

    async listRuns() {
      await runsOpened;
      return runs.list();
    },

    async deleteRun(runId) {
      if (controller.active?.runId === runId) throw new Error('stop this run before deleting it');
      await runs.delete(runId);
    },

    async exportRunCheckpoint(runId, slot) {
      await ready;
      const f = await runFiles.exportCheckpoint(runId, slot);
      return Comlink.transfer(f, [f.bytes.buffer as ArrayBuffer]);
    },
    async exportRunSafetensors(runId, slot) {
      await ready;
      const f = await runFiles.exportSafetensors(runId, slot);
      return Comlink.transfer(f, [f.bytes.buffer as ArrayBuffer]);
    },
    async importCheckpointFile(data, fileName, opts) {
      await ready;
      await runsOpened;
      return runFiles.importFile(data, fileName, opts);
    },
    renameRun: (runId, name) => runFiles.rename(runId, name),
    runImports: () => runFiles.notes(),
    setImportChoice: (runId, choice) => runFiles.setChoice(runId, choice),
    async knnOfRun(runId, slot = 'latest') {
      await ready;
      return runFiles.knn(runId, slot);
    },
    async seedRunFromWeights(runId, opts) {
      await ready;
      return runFiles.seedRun(runId, opts);
    },
    relinkCandidates: (runId) => runFiles.relinkCandidates(runId),
    relinkRunDataset: (runId, datasetId) => runFiles.relinkDataset(runId, datasetId),

    async stepParity(o) {
      await ready;
      return stepParity(o);
    },

    async benchAugment(o) {
      await ready;
      const r = await benchmarkAugment(o);
      const sorted = [...r.pairMs].sort((a, b) => a - b);
      return {
        backend: tf.getBackend() as BackendReport['active'],
        medianPairMs: sorted[Math.floor(sorted.length / 2)],
      };
    },

    async benchTrainStep(o) {
      await ready;
      return benchTrainStep({
        ...o,
        backbone: o.backbone as Parameters<typeof benchTrainStep>[0]['backbone'],
      });
    },

    async benchKnn(o) {
      await ready;
      return benchKnn(o);
    },

    async benchProbe(o) {
      await ready;
      return benchProbe(o);
    },

    async benchMatmul({ n, repeats }) {
      await ready;
      return {
        backend: tf.getBackend() as BackendReport['active'],
        gflops: await matmulGflops(n, repeats),
      };
    },

    async evaluateKnn(req, onProgress) {
      await ready;
      await runsOpened;
      return evaluator.knn(req, onProgress);
    },
    async evaluateProbe(req, onProgress) {
      await ready;
      await runsOpened;
      return evaluator.probe(req, onProgress);
    },
    async predictionsCsv(kind) {
      return evaluator.predictionsCsv(kind);
    },
    async embeddings(req, onProgress) {
      await ready;
      await runsOpened;
      const r = await evaluator.embeddings(req, onProgress);
      return Comlink.transfer(r, [r.x.buffer as ArrayBuffer]);
    },
    async fineTune(req, onEpoch) {
      await ready;
      await runsOpened;
      if (controller.active)
        throw new Error('a training run is in progress: fine-tune when it has ended');
      const r = await evaluator.fineTune(req, onEpoch);
      return Comlink.transfer(
        r,
        (r.snapshots?.x ?? []).map((x) => x.buffer as ArrayBuffer),
      );
    },

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

    async stopFineTune() {
      evaluator.stopFineTune();
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
  return engine;
}

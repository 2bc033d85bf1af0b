/**
 * The engine's augment part: presets, default ops for the editor, pipeline validation and the
 * two-view preview of stored images.
 */
import * as tf from '@tensorflow/tfjs';
import * as Comlink from 'comlink';
import type { BackendReport } from '../../ml/backend';
import { listPresets } from '../../ml/augment/presets';
import { validatePipeline } from '../../ml/augment/schema';
import type { AugmentOp, EngineApi } from '../api';
import { previewViews } from '../augment-preview';
import type { EngineContext } from './context';

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

export type AugmentPart = Pick<
  EngineApi,
  'augmentPresets' | 'augmentOpDefaults' | 'validatePipeline' | 'augmentPreview'
>;

export function augmentPart({ store, ready, readImages }: EngineContext): AugmentPart {
  return {
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
  };
}

/**
 * Static cost of a built model, for refusing or splitting a batch before a run (wasm memory tops
 * out at 4 GiB) and for showing the user what a choice costs. Counts from the layer shapes only;
 * no tensors are created.
 */
import type * as tf from '@tensorflow/tfjs';

export interface ModelCost {
  /** Trainable parameters. */
  params: number;
  /** Non-trainable weights (batch-norm running statistics and counters). */
  nonTrainable: number;
  /** Multiply-accumulates per image in Conv2D, DepthwiseConv2D and Dense layers (what torchvision's "GFLOPS" column counts). */
  macsPerImage: number;
  /** Sum of every layer's output size per image, in floats: a rough proxy for the activations a training step keeps. */
  activationFloatsPerImage: number;
}

const size = (shape: readonly (number | null)[]): number =>
  shape.reduce<number>((a, d) => a * (d ?? 1), 1);

/** Counts parameters, MACs and activation floats of `model` (nested models included). */
export function modelCost(model: tf.LayersModel): ModelCost {
  const cost: ModelCost = {
    params: 0,
    nonTrainable: 0,
    macsPerImage: 0,
    activationFloatsPerImage: 0,
  };
  for (const w of model.trainableWeights) cost.params += size(w.shape);
  for (const w of model.nonTrainableWeights) cost.nonTrainable += size(w.shape);
  const visit = (layers: tf.layers.Layer[]) => {
    for (const layer of layers) {
      const nested = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
      if (Array.isArray(nested)) {
        visit(nested);
        continue;
      }
      const out = layer.outputShape as (number | null)[];
      if (!Array.isArray(out) || Array.isArray(out[0])) continue;
      const outPerImage = size(out.slice(1));
      if (layer.getClassName() !== 'InputLayer') cost.activationFloatsPerImage += outPerImage;
      const cls = layer.getClassName();
      if (cls === 'Conv2D' || cls === 'Dense') {
        const kernel = layer.getWeights()[0].shape; // [kh, kw, I, O] or [I, O]
        cost.macsPerImage += outPerImage * size(kernel.slice(0, -1));
      } else if (cls === 'DepthwiseConv2D') {
        const [kh, kw] = layer.getWeights()[0].shape;
        cost.macsPerImage += outPerImage * kh * kw;
      }
    }
  };
  visit(model.layers);
  return cost;
}

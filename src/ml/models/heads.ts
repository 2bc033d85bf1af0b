/**
 * Projection / prediction heads and the linear classifier, as tfjs Sequential models (standard layers
 * only, so they serialise). Input [N,inDim] → output [N,outDim]. Linear layers that feed a BatchNorm
 * have no bias (BN's β replaces it). BatchNorm uses eps 1e-5 and tfjs momentum 0.9 (= PyTorch's 0.1).
 * Weights are drawn from the seeded Rng (PyTorch's Linear default, U(±1/√fan_in)), never tf.random.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../rng';

/** BatchNorm settings shared by heads (and the reference test nets): PyTorch's eps and momentum. */
export const BN_EPSILON = 1e-5;
export const BN_MOMENTUM = 0.9;

function dense(units: number, useBias: boolean, inputDim?: number): tf.layers.Layer {
  return tf.layers.dense({
    units,
    useBias,
    kernelInitializer: 'zeros',
    biasInitializer: 'zeros',
    ...(inputDim !== undefined ? { inputShape: [inputDim] } : {}),
  });
}

function bn(affine = true): tf.layers.Layer {
  // tfjs BN cannot train without γ/β (it reads them unconditionally), so "no affine" is γ=1, β=0 frozen.
  return tf.layers.batchNormalization({
    axis: -1,
    epsilon: BN_EPSILON,
    momentum: BN_MOMENTUM,
    trainable: affine,
  });
}

const relu = (): tf.layers.Layer => tf.layers.reLU();

/** Re-draws every Dense kernel and bias of `model` from U(−1/√fan_in, 1/√fan_in) with `rng` (in place). */
export function initDenseSeeded(model: tf.LayersModel, rng: Rng): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Dense') continue;
    const values = layer.getWeights().map((w) => {
      const fanIn = w.shape.length === 2 ? w.shape[0] : (layer.getWeights()[0].shape[0] as number);
      const bound = 1 / Math.sqrt(fanIn);
      const data = new Float32Array(w.size);
      for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-bound, bound);
      return tf.tensor(data, w.shape);
    });
    layer.setWeights(values);
    values.forEach((t) => t.dispose());
  }
}

function finish(layers: tf.layers.Layer[], rng: Rng, name: string): tf.Sequential {
  const model = tf.sequential({ layers, name });
  initDenseSeeded(model, rng);
  return model;
}

export interface MlpHeadOptions {
  hiddenDim: number;
  outDim: number;
}

/** SimCLR projection g(·): Linear–BN–ReLU–Linear (Chen et al. 2020 §2, with BN as in SimCLR v2). [N,in]→[N,out]. */
export function simclrProjectionHead(inDim: number, opts: MlpHeadOptions, rng: Rng): tf.Sequential {
  return finish(
    [dense(opts.hiddenDim, false, inDim), bn(), relu(), dense(opts.outDim, true)],
    rng,
    'simclr_proj',
  );
}

/**
 * BYOL projector or predictor: Linear(hidden)–BN–ReLU–Linear(out) (Grill et al. 2020 §3.3; the paper's
 * 4096/256 are configurable here). [N,in]→[N,out].
 */
export function byolMlpHead(inDim: number, opts: MlpHeadOptions, rng: Rng): tf.Sequential {
  return finish(
    [dense(opts.hiddenDim, false, inDim), bn(), relu(), dense(opts.outDim, true)],
    rng,
    'byol_mlp',
  );
}

/**
 * SimSiam projector: 3 layers, BN after every Linear including the output, ReLU except at the output;
 * the output BN has no affine (Chen & He 2021 §4 and their code). [N,in]→[N,out].
 */
export function simsiamProjector(inDim: number, opts: MlpHeadOptions, rng: Rng): tf.Sequential {
  return finish(
    [
      dense(opts.hiddenDim, false, inDim),
      bn(),
      relu(),
      dense(opts.hiddenDim, false),
      bn(),
      relu(),
      dense(opts.outDim, false),
      bn(false),
    ],
    rng,
    'simsiam_proj',
  );
}

/** SimSiam predictor h: bottleneck Linear(dim→hidden)–BN–ReLU–Linear(hidden→dim) (Chen & He 2021 §4). [N,dim]→[N,dim]. */
export function simsiamPredictor(
  dim: number,
  opts: { hiddenDim: number },
  rng: Rng,
): tf.Sequential {
  return finish(
    [dense(opts.hiddenDim, false, dim), bn(), relu(), dense(dim, true)],
    rng,
    'simsiam_pred',
  );
}

/** MoCo v2 head: Linear(hidden)–ReLU–Linear(out), both with bias, no BN (Chen et al. 2020, MoCo v2). [N,in]→[N,out]. */
export function mocoV2Head(inDim: number, opts: MlpHeadOptions, rng: Rng): tf.Sequential {
  return finish(
    [dense(opts.hiddenDim, true, inDim), relu(), dense(opts.outDim, true)],
    rng,
    'moco_head',
  );
}

/** Linear classifier: one Linear layer with bias, [N,in] → logits [N,numClasses]. */
export function linearClassifier(inDim: number, numClasses: number, rng: Rng): tf.Sequential {
  return finish([dense(numClasses, true, inDim)], rng, 'linear_cls');
}

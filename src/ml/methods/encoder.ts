/**
 * The backbone as the methods see it: images [N,H,W,3] → embeddings [N,D], its trainable variables,
 * and (for BYOL's target and MoCo's key encoder) a way to copy it. Wraps any tfjs LayersModel.
 */
import * as tf from '@tensorflow/tfjs';

export interface Encoder {
  /** Embedding size D. */
  readonly dim: number;
  /** [N,H,W,C] → [N,D]; training=true uses batch statistics in BatchNorm (and updates its moving stats). Caller owns the result. */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
  /** Variables the optimiser updates, in a fixed order. */
  trainableVariables(): tf.Variable[];
  /** Every variable including non-trainable ones (BN moving statistics), in a fixed order. */
  allVariables(): tf.Variable[];
  /** An independent copy with equal weights; absent when the encoder cannot be copied. */
  clone?(): Encoder;
  /** Frees the variables (only called on encoders a method created itself, i.e. clones). */
  dispose(): void;
}

/** Either a LayersModel ([N,H,W,C] → [N,D]) or an Encoder. */
export type BackboneInput = tf.LayersModel | Encoder;

/** Copies a LayersModel (architecture from its config, weights copied); synchronous. Needs custom layers registered with tf.serialization. */
export function cloneLayersModel(model: tf.LayersModel): tf.LayersModel {
  const ctor =
    model.constructor as unknown as tf.serialization.SerializableConstructor<tf.LayersModel> & {
      fromConfig(
        cls: tf.serialization.SerializableConstructor<tf.LayersModel>,
        config: tf.serialization.ConfigDict,
        customObjects?: tf.serialization.ConfigDict,
        fastWeightInit?: boolean,
      ): tf.LayersModel;
    };
  const copy = ctor.fromConfig(
    ctor,
    model.getConfig() as tf.serialization.ConfigDict,
    undefined,
    true,
  );
  copy.setWeights(model.getWeights());
  return copy;
}

/** Trainable variables of a LayersModel, in weight order. */
export function modelTrainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/** All variables of a LayersModel (trainable and not), in weight order. */
export function modelAllVariables(model: tf.LayersModel): tf.Variable[] {
  return model.weights.map((w) => w.read() as tf.Variable);
}

/** Wraps a LayersModel whose output is [N,D]; D is read from the model unless given. */
export function encoderFromModel(model: tf.LayersModel, dim?: number): Encoder {
  const outShape = model.outputs[0]?.shape;
  const d = dim ?? (outShape && outShape.length === 2 ? (outShape[1] as number) : NaN);
  if (!Number.isInteger(d) || d <= 0) {
    throw new Error(
      `encoderFromModel: the model's output is [${outShape}], not [N,D]; pass the embedding dim`,
    );
  }
  return {
    dim: d,
    apply: (x, training) => model.apply(x, { training }) as tf.Tensor2D,
    trainableVariables: () => modelTrainableVariables(model),
    allVariables: () => modelAllVariables(model),
    clone: () => encoderFromModel(cloneLayersModel(model), d),
    dispose: () => model.dispose(),
  };
}

/**
 * Wraps a plain apply function `(x [N,H,W,C], training) → [N,dim]` and the variables it trains.
 * Such an encoder cannot be copied, so BYOL and MoCo need a LayersModel or an Encoder with clone().
 */
export function encoderFromFunction(
  apply: (x: tf.Tensor4D, training: boolean) => tf.Tensor2D,
  trainable: () => tf.Variable[],
  dim: number,
  all: () => tf.Variable[] = trainable,
): Encoder {
  return { dim, apply, trainableVariables: trainable, allVariables: all, dispose: () => {} };
}

/** Returns `b` as an Encoder (LayersModels are wrapped, Encoders passed through). */
export function asEncoder(b: BackboneInput, dim?: number): Encoder {
  return b instanceof tf.LayersModel ? encoderFromModel(b, dim) : b;
}

/** Returns `b`'s copy or throws a helpful error (methods with a target network need one). */
export function cloneEncoder(b: Encoder, method: string): Encoder {
  if (!b.clone)
    throw new Error(
      `${method} needs a copy of the backbone for its target network: pass a LayersModel or an Encoder with clone()`,
    );
  return b.clone();
}

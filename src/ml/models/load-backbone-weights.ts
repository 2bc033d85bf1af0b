/**
 * Checkpoint weights → a built backbone's variables: the one place simlab restores a backbone from
 * stored weights (training resume, run export / import, evaluation embeddings, fine-tuning). Every
 * weight is checked against the model before anything is written, so a mismatch leaves the model as
 * it was and the error names the tensor.
 */
import * as tf from '@tensorflow/tfjs';

/** One stored weight (a checkpoint's TensorData fits; declared here so ml/train can import this file without a cycle). */
export interface StoredWeight {
  shape: readonly number[];
  dtype: 'float32' | 'int32' | 'bool';
  data: Float32Array | Int32Array | Uint8Array;
}

/**
 * Writes `weights` (in `model.weights` order, trainable and BN moving statistics, as a checkpoint
 * stores them) into `model`'s variables. Throws, changing nothing, when the count differs or a
 * weight's shape or dtype differs from the model's (the message names the weight and `what` the
 * weights come from). The model stays the caller's; the temporary tensors made here are disposed
 * before it returns (or throws), so `tf.memory().numTensors` is unchanged.
 */
export function loadBackboneWeights(
  model: tf.LayersModel,
  weights: readonly StoredWeight[],
  what = 'the checkpoint',
): void {
  const vars = model.weights;
  if (vars.length !== weights.length)
    throw new Error(
      `${what} has ${weights.length} backbone weights, the ${model.name} model ${vars.length}`,
    );
  vars.forEach((w, i) => {
    const d = weights[i];
    if (d.shape.join(',') !== w.shape.join(','))
      throw new Error(
        `backbone weight ${i} (${w.name}) has shape [${d.shape}] in ${what}, [${w.shape}] in the model`,
      );
    if (d.dtype !== w.dtype)
      throw new Error(
        `backbone weight ${i} (${w.name}) has dtype ${d.dtype} in ${what}, ${w.dtype} in the model`,
      );
    const size = d.shape.reduce((a, b) => a * b, 1);
    if (d.data.length !== size)
      throw new Error(
        `backbone weight ${i} (${w.name}) holds ${d.data.length} values in ${what}, its shape [${d.shape}] needs ${size}`,
      );
  });
  const ts = weights.map((d) => tf.tensor(d.data, [...d.shape], d.dtype));
  try {
    model.setWeights(ts);
  } finally {
    tf.dispose(ts);
  }
}

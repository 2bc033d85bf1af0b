/**
 * Hard-swish and hard-sigmoid as layers, with PyTorch's definitions (Howard et al. 2019, "Searching
 * for MobileNetV3", eq. in §5.2): hsigmoid(x) = ReLU6(x + 3) / 6, hswish(x) = x · hsigmoid(x).
 * tfjs-layers' 'hardSigmoid' activation is Keras' clip(0.2x + 0.5, 0, 1), a different curve, hence
 * these registered layers (no weights; shape in = shape out).
 */
import * as tf from '@tensorflow/tfjs';

type Kwargs = Parameters<tf.layers.Layer['call']>[1];

/** x → ReLU6(x + 3) / 6, elementwise. */
export function hardSigmoidOp(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.div(tf.relu6(tf.add(x, 3)), 6));
}

/** x → x · ReLU6(x + 3) / 6, elementwise. */
export function hardSwishOp(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, hardSigmoidOp(x)));
}

export class HardSigmoid extends tf.layers.Layer {
  static className = 'TorchHardSigmoid';
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return hardSigmoidOp(Array.isArray(inputs) ? inputs[0] : inputs);
  }
}
tf.serialization.registerClass(HardSigmoid);

export class HardSwish extends tf.layers.Layer {
  static className = 'TorchHardSwish';
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return hardSwishOp(Array.isArray(inputs) ? inputs[0] : inputs);
  }
}
tf.serialization.registerClass(HardSwish);

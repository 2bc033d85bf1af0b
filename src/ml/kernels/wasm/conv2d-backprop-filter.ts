/**
 * Conv2DBackpropFilter for the wasm backend (tfjs-backend-wasm 4.22 has none): the filter gradient
 * of an NHWC conv as ONE forward convolution (XNNPACK) in which the batch plays the role of the
 * channels: x^T [Ci,H,W,N] convolved with dy^T [OH,OW,N,Co] at dilation = stride gives
 * [Ci,KH,KW,Co] (the "weight gradient is a convolution" identity used by cuDNN's wgrad).
 */
import * as tf from '@tensorflow/tfjs';
import { asTensor, assertNhwc, convInfo, cropForPad, type Conv2DInfo } from './conv-geometry';

/**
 * [N,H,W,C] → [C,H,W,N]. Done as a 2-D transpose then a block transpose (C-blocks of N floats):
 * 2–3× faster in tfjs-backend-wasm than its direct 4-D transpose at ResNet sizes (measured).
 */
export function channelsToBatch(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const t = tf.reshape(tf.transpose(tf.reshape(x, [n, h * w * c])), [h * w, c, n]);
    return tf.reshape(tf.transpose(t, [1, 0, 2]), [c, h, w, n]) as tf.Tensor4D;
  });
}

/**
 * dW of y = conv2d(x, filter): x [N,H,W,Ci], dy [N,OH,OW,Co], info from convInfo(x.shape, ...)
 * → dW [KH,KW,Ci,Co]. Caller owns the result; intermediates are tidied.
 */
export function conv2dBackpropFilterAsConv(x: tf.Tensor4D, dy: tf.Tensor4D, info: Conv2DInfo): tf.Tensor4D {
  return tf.tidy(() => {
    const { inHeight: h, inWidth: w, inChannels: ci, outChannels: co } = info;
    const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
    const { filterHeight: kh, filterWidth: kw } = info;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    // Rows actually read: top-padded x must span kh + (oh-1)*sh rows; extra pad or crop at the end.
    const c = cropForPad(x, top, kh + (oh - 1) * sh - h - top, left, kw + (ow - 1) * sw - w - left);
    if (c === null) return tf.zeros([kh, kw, ci, co]) as tf.Tensor4D;
    const xT = channelsToBatch(c.x);
    const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
    const pad = [
      [0, 0],
      c.pad[1],
      c.pad[2],
      [0, 0],
    ] as tf.backend_util.ExplicitPadding;
    const out = tf.conv2d(xT, dyT, 1, pad, 'NHWC', [sh, sw]);
    return tf.transpose(out, [1, 2, 0, 3]);
  });
}

/** KernelConfig body for Conv2DBackpropFilter on 'wasm' (inputs x, dy; attrs as in tfjs-core). */
export const conv2dBackpropFilterKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  assertNhwc('Conv2DBackpropFilter', a.dataFormat);
  const { x, dy } = inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const info = convInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, a.pad, a.dimRoundingMode, false);
  return tf.tidy(() => conv2dBackpropFilterAsConv(asTensor<tf.Rank.R4>(x), asTensor<tf.Rank.R4>(dy), info));
};

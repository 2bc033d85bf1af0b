/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend (tfjs-backend-wasm 4.22 has none), as
 * one forward depthwise convolution (XNNPACK) with dy as the kernel and the batch folded into the
 * channels. Measured here (batch 64, 32 px): 4–50x faster than im2col (strided slices) + batched matmul, 1.2–2x
 * faster than stacking the batch along the height; still slow in absolute terms (~0.1–0.4 GFLOP/s):
 * XNNPACK's depthwise path is built for small kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { asTensor, assertNoDilation, convInfo, padOrCrop, type Conv2DInfo } from './conv-geometry';

/**
 * dW as ONE depthwise convolution with the batch folded into the channels: x as the image
 * [1, Hp, Wp, N*C] and dy as the kernel [OH, OW, N*C, M] at dilation = stride give
 * [1, KH, KW, N*C*M]; summing over N gives dW. x [N,H,W,C], dy [N,OH,OW,C*M] → [KH,KW,C,M].
 */
export function depthwiseBackpropFilterBatchInChannels(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  info: Conv2DInfo,
  mult: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: ch } = info;
    const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
    const { filterHeight: kh, filterWidth: kw } = info;
    const hp = kh + (oh - 1) * sh;
    const wp = kw + (ow - 1) * sw;
    const xp = padOrCrop(
      x,
      info.padInfo.top,
      hp - h - info.padInfo.top,
      info.padInfo.left,
      wp - w - info.padInfo.left,
    );
    if (xp === null) return tf.zeros([kh, kw, ch, mult]) as tf.Tensor4D;
    const image = tf.reshape(tf.transpose(tf.reshape(xp, [n, hp * wp, ch]), [1, 0, 2]), [
      1,
      hp,
      wp,
      n * ch,
    ]) as tf.Tensor4D;
    const kernel = tf.reshape(tf.transpose(tf.reshape(dy, [n, oh * ow, ch * mult]), [1, 0, 2]), [
      oh,
      ow,
      n * ch,
      mult,
    ]) as tf.Tensor4D;
    const out = tf.depthwiseConv2d(image, kernel, 1, 'valid', 'NHWC', [sh, sw]); // [1, KH, KW, N*C*M]
    return tf.reshape(tf.sum(tf.reshape(out, [kh * kw, n, ch * mult]), 1), [
      kh,
      kw,
      ch,
      mult,
    ]) as tf.Tensor4D;
  });
}

/** KernelConfig body for DepthwiseConv2dNativeBackpropFilter on 'wasm' (inputs x, dy). */
export const depthwiseBackpropFilterKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  assertNoDilation('DepthwiseConv2dNativeBackpropFilter', a.dilations);
  const { x, dy } = inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const info = convInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  return tf.tidy(() =>
    depthwiseBackpropFilterBatchInChannels(
      asTensor<tf.Rank.R4>(x),
      asTensor<tf.Rank.R4>(dy),
      info,
      a.filterShape[3],
    ),
  );
};

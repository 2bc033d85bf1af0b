/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend (tfjs-backend-wasm 4.22 has none), as
 * one forward depthwise convolution (XNNPACK) of the batch-stacked input with dy as the kernel.
 * 3–40x faster here than im2col (strided slices) + batched matmul.
 */
import * as tf from '@tensorflow/tfjs';
import { asTensor, assertNoDilation, convInfo, padOrCrop, type Conv2DInfo } from './conv-geometry';

/**
 * dW as ONE depthwise convolution: the batch is stacked along the height, x as the image
 * [1, N*Hp, Wp, C] and dy (rows padded to the same per-sample pitch) as the kernel
 * [(N-1)*Hs + OH, OW, C, M] at dilation = stride; the KH x KW output positions are dW.
 * No transposes and no im2col. x [N,H,W,C], dy [N,OH,OW,C*M] → [KH,KW,C,M].
 */
export function depthwiseBackpropFilterStacked(x: tf.Tensor4D, dy: tf.Tensor4D, info: Conv2DInfo, mult: number): tf.Tensor4D {
  return tf.tidy(() => {
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: ch } = info;
    const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
    const { filterHeight: kh, filterWidth: kw } = info;
    // Per-sample row pitch hs*sh >= KH + (OH-1)*sh, so sample n's rows never reach sample n+1's.
    const hs = oh - 1 + Math.ceil(kh / sh);
    const wp = kw + (ow - 1) * sw;
    const xp = padOrCrop(x, info.padInfo.top, hs * sh - h - info.padInfo.top, info.padInfo.left, wp - w - info.padInfo.left);
    if (xp === null) return tf.zeros([kh, kw, ch, mult]) as tf.Tensor4D;
    const image = tf.reshape(xp, [1, n * hs * sh, wp, ch]) as tf.Tensor4D;
    const rows = (n - 1) * hs + oh;
    const dyPitched = tf.reshape(tf.pad(dy, [[0, 0], [0, hs - oh], [0, 0], [0, 0]]), [n * hs, ow, ch, mult]);
    const kernel = (rows === n * hs ? dyPitched : tf.slice(dyPitched, [0, 0, 0, 0], [rows, ow, ch, mult])) as tf.Tensor4D;
    const out = tf.depthwiseConv2d(image, kernel, 1, 'valid', 'NHWC', [sh, sw]); // [1, sh*ceil(KH/sh), KW, C*M]
    const cropped = out.shape[1] === kh ? out : tf.slice(out, [0, 0, 0, 0], [1, kh, kw, ch * mult]);
    return tf.reshape(cropped, [kh, kw, ch, mult]) as tf.Tensor4D;
  });
}

/** KernelConfig body for DepthwiseConv2dNativeBackpropFilter on 'wasm' (inputs x, dy). */
export const depthwiseBackpropFilterKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  assertNoDilation('DepthwiseConv2dNativeBackpropFilter', a.dilations);
  const { x, dy } = inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const info = convInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, a.pad, a.dimRoundingMode, true);
  return tf.tidy(() => depthwiseBackpropFilterStacked(asTensor<tf.Rank.R4>(x), asTensor<tf.Rank.R4>(dy), info, a.filterShape[3]));
};

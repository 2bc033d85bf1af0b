/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend (tfjs-backend-wasm 4.22 has none):
 * im2col of x in channel-major layout [C, KH*KW, N*OH*OW] (one strided slice per tap), then one
 * batched matmul per channel with dy [C, N*OH*OW, M] → [C, KH*KW, M].
 */
import * as tf from '@tensorflow/tfjs';
import { asTensor, assertNoDilation, convInfo, padOrCrop, type Conv2DInfo } from './conv-geometry';

/**
 * dW of y = depthwiseConv2d(x, filter): x [N,H,W,C], dy [N,OH,OW,C*M], info from
 * convInfo(x.shape, filterShape, ..., depthwise=true) → dW [KH,KW,C,M]. Caller owns the result.
 */
export function depthwiseBackpropFilterIm2col(x: tf.Tensor4D, dy: tf.Tensor4D, info: Conv2DInfo, mult: number): tf.Tensor4D {
  return tf.tidy(() => {
    const { batchSize: n, inHeight: h, inWidth: w, inChannels: ch } = info;
    const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
    const { filterHeight: kh, filterWidth: kw } = info;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const p = n * oh * ow;
    const xp = padOrCrop(x, top, kh + (oh - 1) * sh - h - top, left, kw + (ow - 1) * sw - w - left);
    if (xp === null) return tf.zeros([kh, kw, ch, mult]) as tf.Tensor4D;
    const xT = tf.transpose(xp, [3, 0, 1, 2]); // [C, N, Hp, Wp]
    const cols: tf.Tensor[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const s = tf.stridedSlice(xT, [0, 0, i, j], [ch, n, i + (oh - 1) * sh + 1, j + (ow - 1) * sw + 1], [1, 1, sh, sw]);
        cols.push(tf.reshape(s, [ch, 1, p]));
      }
    }
    const xcol = cols.length === 1 ? cols[0] : tf.concat(cols, 1); // [C, T, P]
    const dyT = tf.transpose(tf.reshape(dy, [p, ch, mult]), [1, 0, 2]); // [C, P, M]
    const dw = tf.matMul(xcol as tf.Tensor3D, dyT as tf.Tensor3D); // [C, T, M]
    return tf.reshape(tf.transpose(dw, [1, 0, 2]), [kh, kw, ch, mult]) as tf.Tensor4D;
  });
}

/** KernelConfig body for DepthwiseConv2dNativeBackpropFilter on 'wasm' (inputs x, dy). */
export const depthwiseBackpropFilterKernel: tf.KernelFunc = ({ inputs, attrs }) => {
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  assertNoDilation('DepthwiseConv2dNativeBackpropFilter', a.dilations);
  const { x, dy } = inputs as unknown as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const info = convInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, a.pad, a.dimRoundingMode, true);
  return tf.tidy(() => depthwiseBackpropFilterIm2col(asTensor<tf.Rank.R4>(x), asTensor<tf.Rank.R4>(dy), info, a.filterShape[3]));
};

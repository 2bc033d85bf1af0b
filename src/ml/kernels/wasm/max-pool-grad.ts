/**
 * MaxPoolGrad for the wasm backend: tfjs-backend-wasm 4.22's kernel took ~85 ms per call on a
 * ConvNet activation ([128,32,32,32], 2×2 stride 2) here, 8% of a SimCLR step. This one is a JS
 * loop over the wasm heap: one pass over the pooling windows, the first strict maximum of each window
 * (row-major scan, as tfjs' cpu maxPoolPositions) receives that window's dy (summed where windows
 * overlap), channels innermost so every read and write is contiguous.
 */
import * as tf from '@tensorflow/tfjs';

interface WasmLike {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/**
 * dx [N,H,W,C] of y = maxPool(x) given dy [N,OH,OW,C], on flat arrays (dx must be zeroed).
 * info: tfjs' computePool2DInfo for x's shape (dilation 1).
 */
export function maxPoolGradLoop(
  x: Float32Array,
  dy: Float32Array,
  dx: Float32Array,
  info: tf.backend_util.Conv2DInfo,
): void {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c } = info;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const { filterHeight: fh, filterWidth: fw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const best = new Float32Array(c);
  const at = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    const xb = b * h * w * c;
    for (let i = 0; i < oh; i++) {
      const r0 = Math.max(0, i * sh - top);
      const r1 = Math.min(h, i * sh - top + fh);
      for (let j = 0; j < ow; j++) {
        const c0 = Math.max(0, j * sw - left);
        const c1 = Math.min(w, j * sw - left + fw);
        best.fill(-Infinity);
        at.fill(-1);
        for (let r = r0; r < r1; r++) {
          for (let q = c0; q < c1; q++) {
            const o = xb + (r * w + q) * c;
            for (let k = 0; k < c; k++) {
              const v = x[o + k];
              if (v > best[k]) {
                best[k] = v;
                at[k] = o + k;
              }
            }
          }
        }
        const d = ((b * oh + i) * ow + j) * c;
        for (let k = 0; k < c; k++) if (at[k] >= 0) dx[at[k]] += dy[d + k];
      }
    }
  }
}

/** KernelConfig body for MaxPoolGrad on 'wasm' (inputs dy, input, output; attrs as in tfjs-core). */
export const maxPoolGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as unknown as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const a = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const wasm = backend as unknown as WasmLike;
  const out = wasm.makeOutput(input.shape, 'float32');
  const dx = wasm.typedArrayFromHeap(out);
  dx.fill(0);
  maxPoolGradLoop(wasm.typedArrayFromHeap(input), wasm.typedArrayFromHeap(dy), dx, info);
  return out;
};

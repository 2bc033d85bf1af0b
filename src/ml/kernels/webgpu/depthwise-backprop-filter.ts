/**
 * DepthwiseConv2dNativeBackpropFilter for tfjs-backend-webgpu: dW[kh,kw,C,mult] of an NHWC
 * depthwise conv as a split reduction over batch·outH·outW, one invocation per (weight, K-slice),
 * then split-sum.ts adds the slices. The stock program runs one invocation per weight, each looping
 * over the whole batch (a MobileNetV3 3×3 layer with 16 channels: 144 invocations).
 */
import type * as tf from '@tensorflow/tfjs';
import {
  assertNoDilation,
  convInfo,
  type Conv2DInfo,
  type PadAttr,
  type RoundingMode,
} from '../wasm/conv-geometry';
import { planSplitReduction } from './filter-gemm-plan';
import { webgpuKernelOptions } from './options';
import {
  asWebGpu,
  flatDispatch,
  run,
  sizeOf,
  type Dispatch,
  type ProgramCost,
  type SimlabProgram,
} from './program';
import { sumSplits } from './split-sum';

const WG = 64;

/** x [B,H,W,C], dy [B,OH,OW,C·mult] → dW [kh,kw,C,mult] (splits = 1) or partial sums [splits, size]. */
export class DepthwiseFilterProgram implements SimlabProgram {
  outputShape: number[];
  shaderKey = 'simlabDepthwiseFilter';
  dispatchLayout: { x: number[] };
  dispatch: Dispatch;
  workgroupSize: Dispatch = [WG, 1, 1];
  variableNames = ['x', 'dy'];
  uniforms =
    'pads : vec2<i32>, strides : vec2<i32>, filterDims : vec2<i32>, inDims : vec2<i32>, outDims : vec2<i32>, channels : i32, channelMul : i32, weights : i32, sumLength : i32, chunk : i32,';
  size = true;
  readonly #weights: number;
  readonly #splits: number;
  readonly #chunk: number;
  readonly #info: Conv2DInfo;

  constructor(info: Conv2DInfo, splits: number, chunk: number) {
    this.#info = info;
    this.#weights =
      (info.filterHeight * info.filterWidth * info.inChannels * info.outChannels) / info.inChannels;
    this.#splits = splits;
    this.#chunk = chunk;
    this.outputShape = splits === 1 ? info.filterShape : [splits, this.#weights];
    this.dispatchLayout = { x: this.outputShape.map((_, i) => i) };
    this.dispatch = flatDispatch(splits * this.#weights, WG);
  }

  static uniformData(info: Conv2DInfo, chunk: number) {
    const mult = info.outChannels / info.inChannels;
    return [
      { type: 'int32' as const, data: [info.padInfo.top, info.padInfo.left] },
      { type: 'int32' as const, data: [info.strideHeight, info.strideWidth] },
      { type: 'int32' as const, data: [info.filterHeight, info.filterWidth] },
      { type: 'int32' as const, data: [info.inHeight, info.inWidth] },
      { type: 'int32' as const, data: [info.outHeight, info.outWidth] },
      { type: 'int32' as const, data: [info.inChannels] },
      { type: 'int32' as const, data: [mult] },
      {
        type: 'int32' as const,
        data: [info.filterHeight * info.filterWidth * info.inChannels * mult],
      },
      { type: 'int32' as const, data: [info.batchSize * info.outHeight * info.outWidth] },
      { type: 'int32' as const, data: [chunk] },
    ];
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let o = index % uniforms.weights;
          let split = index / uniforms.weights;
          let dm = o % uniforms.channelMul;
          let rest = o / uniforms.channelMul;
          let d1 = rest % uniforms.channels;
          let tap = rest / uniforms.channels;
          let wc = tap % uniforms.filterDims.y;
          let wr = tap / uniforms.filterDims.y;
          let d2 = d1 * uniforms.channelMul + dm;
          let outC = uniforms.channels * uniforms.channelMul;
          let kStart = split * uniforms.chunk;
          let kEnd = min(uniforms.sumLength, kStart + uniforms.chunk);
          var sum = 0.0;
          for (var k = kStart; k < kEnd; k++) {
            let ow = k % uniforms.outDims.y;
            let kRest = k / uniforms.outDims.y;
            let oh = kRest % uniforms.outDims.x;
            let b = kRest / uniforms.outDims.x;
            let ih = oh * uniforms.strides.x - uniforms.pads.x + wr;
            let iw = ow * uniforms.strides.y - uniforms.pads.y + wc;
            if (ih >= 0 && ih < uniforms.inDims.x && iw >= 0 && iw < uniforms.inDims.y) {
              sum = sum + x[((b * uniforms.inDims.x + ih) * uniforms.inDims.y + iw) * uniforms.channels + d1] *
                  dy[k * outC + d2];
            }
          }
          result[index] = sum;
        }
      }`;
  }

  cost(): ProgramCost {
    const i = this.#info;
    return {
      serialMacs: this.#chunk,
      macs: this.#weights * i.batchSize * i.outHeight * i.outWidth,
      bytesRead: 4 * (sizeOf(i.inShape) + sizeOf(i.outShape)),
      bytesWritten: 4 * this.#splits * this.#weights,
      memoryBound: false,
    };
  }
}

interface DepthwiseFilterAttrs {
  strides: [number, number] | number;
  pad: PadAttr;
  dilations?: [number, number] | number;
  dimRoundingMode?: RoundingMode;
  filterShape: [number, number, number, number];
}

/** kernelFunc: {x [B,H,W,C], dy [B,OH,OW,C·mult]} → dW [kh,kw,C,mult] (engine-owned). */
export function depthwiseBackpropFilterWebGpu(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: unknown;
}): tf.TensorInfo {
  const backend = asWebGpu(args.backend);
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = args.attrs as unknown as DepthwiseFilterAttrs;
  assertNoDilation('DepthwiseConv2dNativeBackpropFilter', a.dilations);
  const info = convInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  const weights = a.filterShape.reduce((p, q) => p * q, 1);
  const k = info.batchSize * info.outHeight * info.outWidth;
  const { splits, chunk } = planSplitReduction(weights, k, 64, webgpuKernelOptions.forceSplits);
  const program = new DepthwiseFilterProgram(info, splits, chunk);
  const out = run(backend, program, [x, dy], DepthwiseFilterProgram.uniformData(info, chunk));
  if (splits === 1) return out;
  return sumSplits(backend, out, info.filterShape, splits);
}

/**
 * DepthwiseConv2dNativeBackpropInput for tfjs-backend-webgpu: dx[b,ih,iw,c] of an NHWC depthwise
 * conv, one invocation per input element, visiting only the filter taps that hit an output pixel
 * (integer stride phase, no float division or fract() tests as in the stock program).
 */
import type * as tf from '@tensorflow/tfjs';
import {
  assertNoDilation,
  convInfo,
  type Conv2DInfo,
  type PadAttr,
  type RoundingMode,
} from '../wasm/conv-geometry';
import {
  asWebGpu,
  flatDispatch,
  run,
  sizeOf,
  type Dispatch,
  type ProgramCost,
  type SimlabProgram,
} from './program';

const WG = 64;

/** dy [B,OH,OW,C·mult], W [kh,kw,C,mult] → dx [B,H,W,C]. */
export class DepthwiseInputProgram implements SimlabProgram {
  outputShape: number[];
  shaderKey = 'simlabDepthwiseInput';
  dispatchLayout: { x: number[] };
  dispatch: Dispatch;
  workgroupSize: Dispatch = [WG, 1, 1];
  variableNames = ['dy', 'W'];
  uniforms =
    'pads : vec2<i32>, strides : vec2<i32>, filterDims : vec2<i32>, outDims : vec2<i32>, channelMul : i32,';
  size = true;
  readonly #info: Conv2DInfo;

  constructor(info: Conv2DInfo) {
    this.#info = info;
    this.outputShape = info.inShape;
    this.dispatchLayout = { x: [0, 1, 2, 3] };
    this.dispatch = flatDispatch(
      info.inShape.reduce((a, b) => a * b, 1),
      WG,
    );
  }

  static uniformData(info: Conv2DInfo) {
    return [
      { type: 'int32' as const, data: [info.padInfo.top, info.padInfo.left] },
      { type: 'int32' as const, data: [info.strideHeight, info.strideWidth] },
      { type: 'int32' as const, data: [info.filterHeight, info.filterWidth] },
      { type: 'int32' as const, data: [info.outHeight, info.outWidth] },
      { type: 'int32' as const, data: [info.outChannels / info.inChannels] },
    ];
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let coords = getCoordsFromIndex(index);
          let b = coords[0];
          let d1 = coords[3];
          let channels = uniforms.outShape[3];
          let outC = channels * uniforms.channelMul;
          let rowBase = coords[1] + uniforms.pads.x;
          let colBase = coords[2] + uniforms.pads.y;
          var sum = 0.0;
          // Taps wr with (rowBase − wr) divisible by the stride: the first is rowBase mod stride.
          for (var wr = rowBase % uniforms.strides.x; wr < uniforms.filterDims.x; wr += uniforms.strides.x) {
            let oh = (rowBase - wr) / uniforms.strides.x;
            if (oh < 0 || oh >= uniforms.outDims.x) { continue; }
            for (var wc = colBase % uniforms.strides.y; wc < uniforms.filterDims.y; wc += uniforms.strides.y) {
              let ow = (colBase - wc) / uniforms.strides.y;
              if (ow < 0 || ow >= uniforms.outDims.y) { continue; }
              let dyBase = ((b * uniforms.outDims.x + oh) * uniforms.outDims.y + ow) * outC + d1 * uniforms.channelMul;
              let wBase = ((wr * uniforms.filterDims.y + wc) * channels + d1) * uniforms.channelMul;
              for (var dm = 0; dm < uniforms.channelMul; dm++) {
                sum = sum + dy[dyBase + dm] * W[wBase + dm];
              }
            }
          }
          setOutputAtIndex(index, sum);
        }
      }`;
  }

  cost(): ProgramCost {
    const i = this.#info;
    const n = i.inShape.reduce((a, b) => a * b, 1);
    const mult = i.outChannels / i.inChannels;
    const taps =
      Math.ceil(i.filterHeight / i.strideHeight) * Math.ceil(i.filterWidth / i.strideWidth) * mult;
    return {
      serialMacs: taps,
      macs: n * taps,
      bytesRead: 4 * (sizeOf(i.outShape) + sizeOf(i.filterShape)),
      bytesWritten: 4 * n,
      memoryBound: false,
    };
  }
}

interface DepthwiseInputAttrs {
  strides: [number, number] | number;
  pad: PadAttr;
  dilations?: [number, number] | number;
  dimRoundingMode?: RoundingMode;
  inputShape: [number, number, number, number];
}

/** kernelFunc: {dy [B,OH,OW,C·mult], filter [kh,kw,C,mult]} → dx [B,H,W,C] (engine-owned). */
export function depthwiseBackpropInputWebGpu(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: unknown;
}): tf.TensorInfo {
  const backend = asWebGpu(args.backend);
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = args.attrs as unknown as DepthwiseInputAttrs;
  assertNoDilation('DepthwiseConv2dNativeBackpropInput', a.dilations);
  const info = convInfo(
    a.inputShape,
    filter.shape as [number, number, number, number],
    a.strides,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  const program = new DepthwiseInputProgram(info);
  return run(backend, program, [dy, filter], DepthwiseInputProgram.uniformData(info));
}

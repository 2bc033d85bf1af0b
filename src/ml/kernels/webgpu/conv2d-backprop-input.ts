/**
 * Conv2DBackpropInput for tfjs-backend-webgpu, for the shapes the stock matmul program handles
 * badly: strides > 1 (it multiplies every tap, 3 of 4 by zero at stride 2, testing each with
 * fract()) and few or odd channel counts (its scalar path). One invocation computes 4 input
 * channels of one pixel, visiting only the taps that land on an output pixel (integer stride
 * phase). Stride-1 layers with ≥ 32 channels (multiples of 4) go to the stock kernel.
 */
import type * as tf from '@tensorflow/tfjs';
import { convInfo, type Conv2DInfo, type PadAttr, type RoundingMode } from '../wasm/conv-geometry';
import {
  asWebGpu,
  flatDispatch,
  run,
  sizeOf,
  type Dispatch,
  type ProgramCost,
  type SimlabProgram,
} from './program';
import { stockKernel } from './stock-kernels';

const WG = 64;
/** Input channels per invocation (each dy value is reused across them). */
const CPT = 4;

/** Whether the stock tfjs kernel is kept for this geometry (its tiled matmul, stride 1). */
export function stockInputKernelFits(info: Conv2DInfo): boolean {
  const { inChannels: ci, outChannels: co } = info;
  return (
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    ci >= 32 &&
    co >= 32 &&
    ci % 4 === 0 &&
    co % 4 === 0
  );
}

/** dy [B,OH,OW,Cout], W [kh,kw,Cin,Cout] → dx [B,H,W,Cin]. */
export class ConvInputProgram implements SimlabProgram {
  outputShape: number[];
  shaderKey = `simlabConvInput_${CPT}`;
  dispatchLayout: { x: number[] };
  dispatch: Dispatch;
  workgroupSize: Dispatch = [WG, 1, 1];
  variableNames = ['dy', 'W'];
  uniforms =
    'pads : vec2<i32>, strides : vec2<i32>, filterDims : vec2<i32>, inDims : vec2<i32>, outDims : vec2<i32>, cin : i32, cout : i32, channelGroups : i32, total : i32,';
  readonly #info: Conv2DInfo;

  constructor(info: Conv2DInfo) {
    this.#info = info;
    this.outputShape = info.inShape;
    this.dispatchLayout = { x: [0, 1, 2, 3] };
    this.dispatch = flatDispatch(ConvInputProgram.total(info), WG);
  }

  static total(info: Conv2DInfo): number {
    return info.batchSize * info.inHeight * info.inWidth * Math.ceil(info.inChannels / CPT);
  }

  static uniformData(info: Conv2DInfo) {
    return [
      { type: 'int32' as const, data: [info.padInfo.top, info.padInfo.left] },
      { type: 'int32' as const, data: [info.strideHeight, info.strideWidth] },
      { type: 'int32' as const, data: [info.filterHeight, info.filterWidth] },
      { type: 'int32' as const, data: [info.inHeight, info.inWidth] },
      { type: 'int32' as const, data: [info.outHeight, info.outWidth] },
      { type: 'int32' as const, data: [info.inChannels] },
      { type: 'int32' as const, data: [info.outChannels] },
      { type: 'int32' as const, data: [Math.ceil(info.inChannels / CPT)] },
      { type: 'int32' as const, data: [ConvInputProgram.total(info)] },
    ];
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.total) {
          let g = index % uniforms.channelGroups;
          let pix = index / uniforms.channelGroups;
          let iw = pix % uniforms.inDims.y;
          let pRest = pix / uniforms.inDims.y;
          let ih = pRest % uniforms.inDims.x;
          let b = pRest / uniforms.inDims.x;
          let ci0 = g * ${CPT};
          let nC = min(${CPT}, uniforms.cin - ci0);
          let cout = uniforms.cout;
          // Rows past the last channel read channel nC − 1 again and are not written.
          let wOff = vec4<i32>(0, min(1, nC - 1), min(2, nC - 1), min(3, nC - 1)) * cout;
          var acc = vec4<f32>(0.0);
          let rowBase = ih + uniforms.pads.x;
          let colBase = iw + uniforms.pads.y;
          for (var wr = rowBase % uniforms.strides.x; wr < uniforms.filterDims.x; wr += uniforms.strides.x) {
            let oh = (rowBase - wr) / uniforms.strides.x;
            if (oh < 0 || oh >= uniforms.outDims.x) { continue; }
            for (var wc = colBase % uniforms.strides.y; wc < uniforms.filterDims.y; wc += uniforms.strides.y) {
              let ow = (colBase - wc) / uniforms.strides.y;
              if (ow < 0 || ow >= uniforms.outDims.y) { continue; }
              let dyBase = ((b * uniforms.outDims.x + oh) * uniforms.outDims.y + ow) * cout;
              let wBase = ((wr * uniforms.filterDims.y + wc) * uniforms.cin + ci0) * cout;
              for (var co = 0; co < cout; co++) {
                let d = dy[dyBase + co];
                let wi = wBase + co + wOff;
                acc = acc + d * vec4<f32>(W[wi.x], W[wi.y], W[wi.z], W[wi.w]);
              }
            }
          }
          let outBase = ((b * uniforms.inDims.x + ih) * uniforms.inDims.y + iw) * uniforms.cin + ci0;
          for (var j = 0; j < nC; j++) {
            result[outBase + j] = acc[j];
          }
        }
      }`;
  }

  cost(): ProgramCost {
    const i = this.#info;
    const n = ConvInputProgram.total(i);
    const taps =
      Math.ceil(i.filterHeight / i.strideHeight) * Math.ceil(i.filterWidth / i.strideWidth);
    const serial = taps * i.outChannels * CPT;
    return {
      serialMacs: serial,
      macs: n * serial,
      bytesRead: 4 * (sizeOf(i.outShape) + sizeOf(i.filterShape)),
      bytesWritten: 4 * sizeOf(i.inShape),
      memoryBound: false,
    };
  }
}

interface InputAttrs {
  strides: [number, number] | number;
  pad: PadAttr;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: RoundingMode;
  inputShape: [number, number, number, number];
}

/** kernelFunc: {dy [B,OH,OW,Cout], filter [kh,kw,Cin,Cout]} → dx [B,H,W,Cin] (engine-owned). */
export function conv2dBackpropInputWebGpu(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: unknown;
}): tf.TensorInfo {
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = args.attrs as unknown as InputAttrs;
  // NCHW (never used by simlab's models) stays with the stock kernel.
  if (a.dataFormat === 'NCHW')
    return stockKernel('Conv2DBackpropInput')(args as never) as tf.TensorInfo;
  const info = convInfo(
    a.inputShape,
    filter.shape as [number, number, number, number],
    a.strides,
    a.pad,
    a.dimRoundingMode,
    false,
  );
  if (stockInputKernelFits(info))
    return stockKernel('Conv2DBackpropInput')(args as never) as tf.TensorInfo;
  const program = new ConvInputProgram(info);
  return run(asWebGpu(args.backend), program, [dy, filter], ConvInputProgram.uniformData(info));
}

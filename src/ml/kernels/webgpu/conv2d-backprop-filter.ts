/**
 * Conv2DBackpropFilter for tfjs-backend-webgpu: the filter gradient of an NHWC conv as an implicit
 * GEMM, dW[kh·kw·Cin, Cout] = Σ over batch·outH·outW of im2col(x)ᵀ·dy, tiled through workgroup
 * memory and split along K so small-filter layers (the stems, 1×1 shortcuts) still launch enough
 * invocations; a second pass (split-sum.ts) adds the slices. Replaces tfjs' Conv2DDerFilterProgram,
 * which runs one invocation per filter weight, each looping over batch × outH × outW.
 */
import type * as tf from '@tensorflow/tfjs';
import { convInfo, type Conv2DInfo, type PadAttr, type RoundingMode } from '../wasm/conv-geometry';
import { planFilterGemm, type GemmPlan } from './filter-gemm-plan';
import { webgpuKernelOptions } from './options';
import {
  asWebGpu,
  run,
  sizeOf,
  type Dispatch,
  type ProgramCost,
  type SimlabProgram,
} from './program';
import { sumSplits } from './split-sum';
import { stockKernel } from './stock-kernels';

/**
 * One launch over all (tile, split) pairs: x [B,H,W,Cin], dy [B,OH,OW,Cout] → [kh,kw,Cin,Cout]
 * when plan.splits = 1, else partial sums [splits, kh·kw·Cin·Cout].
 */
export class FilterGemmProgram implements SimlabProgram {
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0], y: [1], z: [2] };
  dispatch: Dispatch;
  workgroupSize: Dispatch;
  variableNames = ['x', 'dy'];
  uniforms =
    'pads : vec2<i32>, strides : vec2<i32>, filterDims : vec2<i32>, inDims : vec2<i32>, outDims : vec2<i32>, gemmM : i32, gemmN : i32, gemmK : i32, cin : i32, tilesPerSplit : i32,';
  readonly plan: GemmPlan;
  readonly #info: Conv2DInfo;

  constructor(info: Conv2DInfo, plan: GemmPlan) {
    this.plan = plan;
    this.#info = info;
    this.outputShape = plan.splits === 1 ? info.filterShape : [plan.splits, plan.m * plan.n];
    this.dispatch = plan.dispatch;
    this.workgroupSize = plan.workgroupSize;
    this.shaderKey = `simlabFilterGemm_${plan.tileM}_${plan.tileN}_${plan.tileK}_${plan.perThreadM}_${plan.perThreadN}`;
  }

  /** Uniform values for runWebGPUProgram, in the order of `uniforms`. */
  static uniformData(info: Conv2DInfo, plan: GemmPlan) {
    return [
      { type: 'int32' as const, data: [info.padInfo.top, info.padInfo.left] },
      { type: 'int32' as const, data: [info.strideHeight, info.strideWidth] },
      { type: 'int32' as const, data: [info.filterHeight, info.filterWidth] },
      { type: 'int32' as const, data: [info.inHeight, info.inWidth] },
      { type: 'int32' as const, data: [info.outHeight, info.outWidth] },
      { type: 'int32' as const, data: [plan.m] },
      { type: 'int32' as const, data: [plan.n] },
      { type: 'int32' as const, data: [plan.k] },
      { type: 'int32' as const, data: [info.inChannels] },
      { type: 'int32' as const, data: [plan.tilesPerSplit] },
    ];
  }

  getUserCode(): string {
    const { tileM: TM, tileN: TN, tileK: TK, perThreadM: RM, perThreadN: RN } = this.plan;
    const threads = this.workgroupSize[0] * this.workgroupSize[1];
    const accInit = Array.from({ length: RM * RN }, () => '0.0').join(', ');
    return `
      var<workgroup> tileA : array<f32, ${TK * TM}>;
      var<workgroup> tileB : array<f32, ${TK * TN}>;

      // im2col(x)[k, m]: k = (b, oh, ow), m = (r, c, ci); zero outside x or past K / M.
      fn readA(kIdx : i32, mIdx : i32) -> f32 {
        if (kIdx >= uniforms.gemmK || mIdx >= uniforms.gemmM) { return 0.0; }
        let ow = kIdx % uniforms.outDims.y;
        let kRest = kIdx / uniforms.outDims.y;
        let oh = kRest % uniforms.outDims.x;
        let b = kRest / uniforms.outDims.x;
        let ci = mIdx % uniforms.cin;
        let mRest = mIdx / uniforms.cin;
        let c = mRest % uniforms.filterDims.y;
        let r = mRest / uniforms.filterDims.y;
        let ih = oh * uniforms.strides.x - uniforms.pads.x + r;
        let iw = ow * uniforms.strides.y - uniforms.pads.y + c;
        if (ih < 0 || ih >= uniforms.inDims.x || iw < 0 || iw >= uniforms.inDims.y) { return 0.0; }
        return x[((b * uniforms.inDims.x + ih) * uniforms.inDims.y + iw) * uniforms.cin + ci];
      }

      fn readB(kIdx : i32, nIdx : i32) -> f32 {
        if (kIdx >= uniforms.gemmK || nIdx >= uniforms.gemmN) { return 0.0; }
        return dy[kIdx * uniforms.gemmN + nIdx];
      }

      fn main() {
        let tx = i32(localId.x);
        let ty = i32(localId.y);
        let lin = i32(localIndex);
        let n0 = i32(workgroupId.x) * ${TN};
        let m0 = i32(workgroupId.y) * ${TM};
        let split = i32(workgroupId.z);
        let kBase = split * uniforms.tilesPerSplit * ${TK};
        var acc = array<f32, ${RM * RN}>(${accInit});
        for (var t = 0; t < uniforms.tilesPerSplit; t++) {
          let k0 = kBase + t * ${TK};
          for (var i = lin; i < ${TK * TM}; i += ${threads}) {
            tileA[i] = readA(k0 + i / ${TM}, m0 + i % ${TM});
          }
          for (var i = lin; i < ${TK * TN}; i += ${threads}) {
            tileB[i] = readB(k0 + i / ${TN}, n0 + i % ${TN});
          }
          workgroupBarrier();
          for (var kk = 0; kk < ${TK}; kk++) {
            for (var rm = 0; rm < ${RM}; rm++) {
              let a = tileA[kk * ${TM} + ty * ${RM} + rm];
              for (var rn = 0; rn < ${RN}; rn++) {
                acc[rm * ${RN} + rn] = acc[rm * ${RN} + rn] + a * tileB[kk * ${TN} + tx * ${RN} + rn];
              }
            }
          }
          workgroupBarrier();
        }
        let base = split * uniforms.gemmM * uniforms.gemmN;
        for (var rm = 0; rm < ${RM}; rm++) {
          let mIdx = m0 + ty * ${RM} + rm;
          for (var rn = 0; rn < ${RN}; rn++) {
            let nIdx = n0 + tx * ${RN} + rn;
            if (mIdx < uniforms.gemmM && nIdx < uniforms.gemmN) {
              result[base + mIdx * uniforms.gemmN + nIdx] = acc[rm * ${RN} + rn];
            }
          }
        }
      }`;
  }

  cost(): ProgramCost {
    const p = this.plan;
    const i = this.#info;
    return {
      serialMacs: p.tilesPerSplit * p.tileK * p.perThreadM * p.perThreadN,
      macs: p.m * p.n * p.k,
      bytesRead: 4 * (sizeOf(i.inShape) + sizeOf(i.outShape)),
      bytesWritten: 4 * p.splits * p.m * p.n,
      memoryBound: false,
    };
  }
}

/** Attributes tfjs passes to Conv2DBackpropFilter. */
interface FilterAttrs {
  strides: [number, number] | number;
  pad: PadAttr;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: RoundingMode;
  filterShape: [number, number, number, number];
}

/**
 * kernelFunc: inputs {x [B,H,W,Cin], dy [B,OH,OW,Cout]} → dW [kh,kw,Cin,Cout] (owned by the engine;
 * the partial buffer is disposed here).
 */
export function conv2dBackpropFilterWebGpu(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: unknown;
}): tf.TensorInfo {
  const backend = asWebGpu(args.backend);
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = args.attrs as unknown as FilterAttrs;
  // NCHW (never used by simlab's models) stays with the stock kernel.
  if (a.dataFormat === 'NCHW')
    return stockKernel('Conv2DBackpropFilter')(args as never) as tf.TensorInfo;
  const info = convInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    a.pad,
    a.dimRoundingMode,
    false,
  );
  const m = info.filterHeight * info.filterWidth * info.inChannels;
  const k = info.batchSize * info.outHeight * info.outWidth;
  const plan = planFilterGemm(m, info.outChannels, k, webgpuKernelOptions.forceSplits);
  const program = new FilterGemmProgram(info, plan);
  const out = run(backend, program, [x, dy], FilterGemmProgram.uniformData(info, plan));
  if (plan.splits === 1) return out;
  return sumSplits(backend, out, info.filterShape, plan.splits);
}

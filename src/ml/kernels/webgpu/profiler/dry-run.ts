/**
 * Records every WebGPU dispatch of a piece of work by wrapping a WebGPUBackend instance's
 * `runWebGPUProgram` (tfjs-backend-webgpu 4.22: every kernel's dispatch goes through it).
 *
 * Two modes:
 * - 'real': the wrapped call runs as usual; each dispatched program is noted after it ran (so its
 *   `dispatch` is the one the backend reshaped to the device's limits).
 * - 'dry': each program is noted and its output tensor is made resident on the "GPU" without any
 *   buffer, pipeline or dispatch: the tensor's `resource` becomes a placeholder that tfjs treats as
 *   GPU-resident (so `shouldExecuteOnCPU` and every later kernel choice sees what a real step sees),
 *   and its bytes are accounted. A batch-256 ResNet-18 step, hours on SwiftShader, lists in seconds.
 *   Nothing may read a dry tensor's values (they were never computed); dispose them normally.
 *
 * Peak GPU bytes: the backend's own `numBytesInGPU` (real buffers in use) plus the bytes of dry
 * placeholders alive, maximised over the recording (sampled after every dispatch and release).
 */
import * as tf from '@tensorflow/tfjs';

export type RecordMode = 'real' | 'dry';

/** The parts of a tfjs-backend-webgpu program the profiler reads (see webgpu_program.d.ts). */
export interface ProgramLike {
  constructor: { name: string };
  outputShape: number[];
  shaderKey: string;
  dispatch: [number, number, number];
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  workgroupSize: [number, number, number];
  variableNames: string[];
  workPerThread?: number;
  outputComponent?: number;
  variableComponents?: number[];
  size?: boolean;
  [k: string]: unknown;
}

export interface TensorShapeInfo {
  shape: number[];
  dtype: tf.DataType;
}

/** One dispatch: the program (live object, for its cost formula), its class and key, its launch. */
export interface DispatchRecord {
  /** Program class name, e.g. 'MatMulPackedProgram'. */
  kernel: string;
  /** The tfjs kernel (op) that ran it, e.g. 'BatchMatMul' (innermost when kernels nest). */
  op: string;
  /** The program's shader key plus its input and output shapes and dtypes (tfjs' pipeline cache key, rebuilt). */
  key: string;
  workgroups: [number, number, number];
  workgroupSize: [number, number, number];
  /** workgroups × workgroup size. */
  invocations: number;
  inputs: TensorShapeInfo[];
  output: TensorShapeInfo;
  /** The program-defined uniforms by name (from `program.uniforms`), e.g. { dimInner: [576] }. */
  uniforms: Record<string, number[]>;
  program: ProgramLike;
}

export interface Recording {
  dispatches: DispatchRecord[];
  /** Most bytes resident on the GPU at once during the recording. */
  peakGpuBytes: number;
  /** GPU bytes in use when the recording started. */
  startGpuBytes: number;
}

type TensorInfo = { dataId: object; shape: number[]; dtype: tf.DataType };
type TensorData = { resource: unknown; values: unknown; shape: number[]; dtype: tf.DataType };
interface BackendLike {
  runWebGPUProgram(
    program: ProgramLike,
    inputs: TensorInfo[],
    outputDtype: tf.DataType,
    uniforms?: { data: number[] }[],
    output?: TensorInfo,
  ): TensorInfo;
  makeTensorInfo(shape: number[], dtype: tf.DataType): TensorInfo;
  releaseResource(dataId: object): void;
  tensorMap: { get(dataId: object): TensorData };
  bufferManager: { numBytesUsed: number };
  device: { limits: { maxComputeWorkgroupsPerDimension: number } };
}

/** The placeholder a dry output holds instead of a GPUBuffer. */
class DryBuffer {
  constructor(readonly size: number) {}
}

function bytesOf(t: { shape: number[]; dtype: tf.DataType }): number {
  // tfjs-backend-webgpu stores bool and int32 as 4-byte words, like float32.
  return 4 * tf.util.sizeFromShape(t.shape);
}

/** The backend's own rule (backend_webgpu.js reshapeDispatch): fold an over-long x dispatch into 2-D or 3-D. */
export function reshapeDispatch(
  maxPerDim: number,
  program: Pick<ProgramLike, 'dispatch' | 'dispatchLayout'>,
): [number, number, number] {
  const d = program.dispatch;
  if (d.every((x) => x <= maxPerDim)) return d;
  const sq = Math.ceil(Math.sqrt(d[0]));
  if (sq > maxPerDim) {
    const cb = Math.ceil(Math.cbrt(d[0]));
    return [cb, cb, cb];
  }
  return [sq, sq, 1];
}

/** Names the values passed as `programDefinedUniform` after the declaration order in `program.uniforms`. */
export function namedUniforms(
  declared: string | undefined,
  values: { data: number[] | ArrayLike<number> }[] | undefined,
): Record<string, number[]> {
  const names = (declared ?? '')
    .split(',')
    .map((d) => d.split(':')[0].trim())
    .filter((n) => n.length > 0);
  const out: Record<string, number[]> = {};
  (values ?? []).forEach((v, i) => {
    out[names[i] ?? `u${i}`] = Array.from(v.data);
  });
  return out;
}

function keyOf(program: ProgramLike, inputs: TensorShapeInfo[], output: TensorShapeInfo): string {
  const shapes = [...inputs, output].map((t) => `${t.dtype}[${t.shape.join(',')}]`);
  return `${program.shaderKey}|${shapes.join(';')}`;
}

/** The active WebGPU backend (throws when another backend is active). */
export function activeWebGPUBackend(): BackendLike {
  if (tf.getBackend() !== 'webgpu') throw new Error(`webgpu is not active (${tf.getBackend()})`);
  return tf.backend() as unknown as BackendLike;
}

/**
 * Runs `work` with every dispatch of the active WebGPU backend recorded ('real') or recorded and
 * skipped ('dry'). `work` may call `restart()` to drop what was recorded so far (warm-up steps) and
 * restart the peak from the bytes resident then. The wrappers are removed when `work` settles.
 * Tensors `work` creates are the caller's to dispose as usual.
 */
export async function recordDispatches(
  mode: RecordMode,
  work: (restart: () => void) => Promise<void> | void,
): Promise<Recording> {
  const backend = activeWebGPUBackend();
  const engine = tf.engine() as unknown as { runKernelFunc(p: { kernelName?: string }): unknown };
  const dispatches: DispatchRecord[] = [];
  const opStack: string[] = [];
  let dryLive = 0;
  let startGpuBytes = backend.bufferManager.numBytesUsed;
  let peak = startGpuBytes;
  const restart = () => {
    dispatches.length = 0;
    startGpuBytes = backend.bufferManager.numBytesUsed + dryLive;
    peak = startGpuBytes;
  };
  const sample = () => {
    peak = Math.max(peak, backend.bufferManager.numBytesUsed + dryLive);
  };

  const resident = (dataId: object) => {
    const d = backend.tensorMap.get(dataId);
    if (d.resource != null) return;
    const size = bytesOf(d);
    d.resource = new DryBuffer(size);
    dryLive += size;
  };

  const origRun = backend.runWebGPUProgram;
  const origRelease = backend.releaseResource;
  const origKernel = engine.runKernelFunc;

  backend.runWebGPUProgram = function (program, inputs, outputDtype, uniforms, output) {
    const outShape = output ? output.shape : program.outputShape;
    // Empty outputs never reach a dispatch (the backend short-circuits them): pass them through.
    if (tf.util.sizeFromShape(outShape) === 0)
      return origRun.call(backend, program, inputs, outputDtype, uniforms, output);
    const ins = inputs.map((t) => ({ shape: [...t.shape], dtype: t.dtype }));
    let out: TensorInfo;
    if (mode === 'real') {
      out = origRun.call(backend, program, inputs, outputDtype, uniforms, output);
    } else {
      out = output ?? backend.makeTensorInfo(program.outputShape, outputDtype);
      for (const t of inputs) resident(t.dataId);
      resident(out.dataId);
      program.dispatch = reshapeDispatch(
        backend.device.limits.maxComputeWorkgroupsPerDimension,
        program,
      );
    }
    const o = { shape: [...out.shape], dtype: out.dtype };
    const wg = program.workgroupSize;
    const d = program.dispatch;
    dispatches.push({
      kernel: program.constructor.name,
      op: opStack[opStack.length - 1] ?? '',
      key: keyOf(program, ins, o),
      workgroups: [d[0], d[1], d[2]],
      workgroupSize: [wg[0], wg[1], wg[2]],
      invocations: d[0] * d[1] * d[2] * wg[0] * wg[1] * wg[2],
      inputs: ins,
      output: o,
      uniforms: namedUniforms(program.uniforms as string | undefined, uniforms),
      program,
    });
    sample();
    return out;
  };

  backend.releaseResource = function (dataId) {
    const d = backend.tensorMap.get(dataId);
    if (d && d.resource instanceof DryBuffer) dryLive -= d.resource.size;
    origRelease.call(backend, dataId);
    sample();
  };

  engine.runKernelFunc = function (p) {
    opStack.push(p.kernelName ?? 'customGrad');
    try {
      return origKernel.call(engine, p);
    } finally {
      opStack.pop();
    }
  };

  try {
    await work(restart);
  } finally {
    backend.runWebGPUProgram = origRun;
    backend.releaseResource = origRelease;
    engine.runKernelFunc = origKernel;
  }
  return { dispatches, peakGpuBytes: peak, startGpuBytes };
}

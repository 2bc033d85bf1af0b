/**
 * Records every WebGPU dispatch of a piece of work by wrapping a WebGPUBackend instance's
 * `runWebGPUProgram` (tfjs-backend-webgpu 4.22: every kernel's dispatch goes through it).
 *
 * Two modes:
 * - 'real': the wrapped call runs as usual; each dispatched program is noted after it ran (so its
 *   `dispatch` is the one the backend reshaped to the device's limits).
 * - 'dry': each program is noted and its output tensor is made resident on the "GPU" without its
 *   own buffer, pipeline or dispatch: the tensor's `resource` becomes one shared 256-byte placeholder
 *   buffer, so tfjs treats it as GPU-resident (`shouldExecuteOnCPU` and every later kernel choice
 *   see what a real step sees) and code that binds it still binds a valid buffer; its bytes are
 *   accounted. A batch-256 ResNet-18 step, hours on SwiftShader, lists in seconds. A dry tensor's
 *   values were never computed: do not read them, and dispose every tensor made during the
 *   recording before `work` returns (any left are detached from the placeholder at the end).
 *
 * Dispatches that bypass `runWebGPUProgram` (simlab's read-write programs encode on the backend's
 * compute pass themselves) are caught at GPUComputePassEncoder.dispatchWorkgroups during the
 * recording, named by their pipeline's label; a dry run skips them too.
 *
 * Peak GPU bytes: the backend's own `numBytesInGPU` (real buffers in use) plus the bytes of dry
 * placeholders alive, maximised over the recording (sampled after every dispatch and release).
 */
import * as tf from '@tensorflow/tfjs';
import type { ProgramCost } from '../program';
import { readWriteDispatchListeners, type ReadWriteDispatch } from '../read-write-dispatch';

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
  /** Bytes uploaded from JavaScript arrays to the GPU during the recorded step (e.g. tf.ones of an activation's shape, made on the CPU). */
  uploadBytes: number;
  /** Host (JavaScript) milliseconds inside each tfjs kernel, self time (nested kernels apart), recorded step only. */
  hostMsByOp: Record<string, number>;
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
  uploadToGPU(dataId: object): void;
  releaseResource(dataId: object): void;
  tensorMap: { get(dataId: object): TensorData };
  bufferManager: { numBytesUsed: number };
  device: {
    limits: { maxComputeWorkgroupsPerDimension: number };
    createBuffer(d: { size: number; usage: number }): { destroy(): void };
  };
}

interface PassEncoderProto {
  setPipeline(p: { label?: string }): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
}

/**
 * A dispatch encoded outside runWebGPUProgram: named after its pipeline's label, with the cost its
 * encoder announced (read-write-dispatch.ts tells its listeners before each dispatch).
 */
function directProgram(
  label: string,
  d: [number, number, number],
  announced: ProgramCost | null,
): ProgramLike {
  return {
    ...(announced ? { cost: () => announced } : {}),
    constructor: { name: label.split('_')[0] || 'unlabelled pipeline' },
    outputShape: [],
    shaderKey: label,
    dispatch: d,
    dispatchLayout: { x: [] },
    workgroupSize: [1, 1, 1],
    variableNames: [],
  };
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

function keyOf(shaderKey: string, inputs: TensorShapeInfo[], output: TensorShapeInfo): string {
  const shapes = [...inputs, output].map((t) => `${t.dtype}[${t.shape.join(',')}]`);
  return `${shaderKey}|${shapes.join(';')}`;
}

/** The active WebGPU backend (throws when another backend is active). */
export function activeWebGPUBackend(): BackendLike {
  if (tf.getBackend() !== 'webgpu') throw new Error(`webgpu is not active (${tf.getBackend()})`);
  return tf.backend() as unknown as BackendLike;
}

export interface RecordingControl {
  /** Drops what was recorded so far (warm-up steps); the peak restarts from the bytes resident now. */
  restart(): void;
  /** Stops noting dispatches and the peak (clean-up after the recorded step); dry mode stays on. */
  stop(): void;
}

/**
 * Runs `work` with every dispatch of the active WebGPU backend recorded ('real') or recorded and
 * skipped ('dry'). The wrappers are removed when `work` settles. In dry mode `work` must dispose
 * every tensor it made (see the header).
 */
export async function recordDispatches(
  mode: RecordMode,
  work: (control: RecordingControl) => Promise<void> | void,
): Promise<Recording> {
  const backend = activeWebGPUBackend();
  const engine = tf.engine() as unknown as { runKernelFunc(p: { kernelName?: string }): unknown };
  const dispatches: DispatchRecord[] = [];
  const opStack: string[] = [];
  const hostMsByOp: Record<string, number> = {};
  const childMs: number[] = [];
  let dryLive = 0;
  let uploadBytes = 0;
  let on = true;
  let startGpuBytes = backend.bufferManager.numBytesUsed;
  let peak = startGpuBytes;
  const control: RecordingControl = {
    restart() {
      dispatches.length = 0;
      uploadBytes = 0;
      for (const k of Object.keys(hostMsByOp)) delete hostMsByOp[k];
      startGpuBytes = backend.bufferManager.numBytesUsed + dryLive;
      peak = startGpuBytes;
    },
    stop() {
      on = false;
    },
  };
  const sample = () => {
    if (on) peak = Math.max(peak, backend.bufferManager.numBytesUsed + dryLive);
  };

  // Dry tensors: dataId → bytes, all backed by one placeholder buffer.
  const dry = new Map<object, number>();
  const placeholder =
    mode === 'dry'
      ? backend.device.createBuffer({
          size: 256,
          usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
        })
      : null;
  const resident = (dataId: object) => {
    const d = backend.tensorMap.get(dataId);
    if (d.resource != null) return;
    const size = bytesOf(d);
    if (d.values != null && on) uploadBytes += size;
    d.resource = placeholder;
    dry.set(dataId, size);
    dryLive += size;
  };
  const detach = (dataId: object) => {
    const size = dry.get(dataId);
    if (size === undefined) return;
    dry.delete(dataId);
    dryLive -= size;
    const d = backend.tensorMap.get(dataId);
    if (d && d.resource === placeholder) d.resource = null;
  };

  // Dispatches encoded outside runWebGPUProgram.
  const pass = (globalThis as { GPUComputePassEncoder?: { prototype: PassEncoderProto } })
    .GPUComputePassEncoder?.prototype;
  const origSetPipeline = pass?.setPipeline;
  const origDispatch = pass?.dispatchWorkgroups;
  let insideRun = 0;
  let pipelineLabel = '';
  let lastAnnounced: ReadWriteDispatch | null = null;
  const announce = (d: ReadWriteDispatch) => (lastAnnounced = d);
  readWriteDispatchListeners.add(announce);
  if (pass && origSetPipeline && origDispatch) {
    pass.setPipeline = function (p) {
      pipelineLabel = p?.label ?? '';
      return origSetPipeline.call(this, p);
    };
    pass.dispatchWorkgroups = function (x, y = 1, z = 1) {
      if (insideRun > 0) return origDispatch.call(this, x, y, z);
      if (on) {
        const d: [number, number, number] = [x, y, z];
        const program = directProgram(
          pipelineLabel,
          d,
          lastAnnounced?.key === pipelineLabel ? lastAnnounced.cost : null,
        );
        lastAnnounced = null;
        dispatches.push({
          kernel: program.constructor.name,
          op: opStack[opStack.length - 1] ?? '',
          key: pipelineLabel,
          workgroups: d,
          workgroupSize: [1, 1, 1],
          invocations: x * y * z,
          inputs: [],
          output: { shape: [], dtype: 'float32' },
          uniforms: {},
          program,
        });
        sample();
      }
      if (mode === 'real') return origDispatch.call(this, x, y, z);
    };
  }

  // Uploads of JavaScript arrays: counted; a dry run makes the tensor resident on the placeholder.
  const origUpload = backend.uploadToGPU;
  backend.uploadToGPU = function (dataId) {
    if (mode === 'dry') return resident(dataId);
    const d = backend.tensorMap.get(dataId);
    if (on && d.resource == null && d.values != null) uploadBytes += bytesOf(d);
    origUpload.call(backend, dataId);
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
    const named = namedUniforms(program.uniforms as string | undefined, uniforms);
    // runWebGPUProgram replaces program.shaderKey with its cache key: take the program's own first.
    const ownKey = program.shaderKey;
    if (mode === 'real') {
      insideRun++;
      try {
        out = origRun.call(backend, program, inputs, outputDtype, uniforms, output);
      } finally {
        insideRun--;
      }
    } else {
      out = output ?? backend.makeTensorInfo(program.outputShape, outputDtype);
      for (const t of inputs) resident(t.dataId);
      resident(out.dataId);
      program.dispatch = reshapeDispatch(
        backend.device.limits.maxComputeWorkgroupsPerDimension,
        program,
      );
    }
    if (!on) return out;
    const o = { shape: [...out.shape], dtype: out.dtype };
    const wg = program.workgroupSize;
    const d = program.dispatch;
    dispatches.push({
      kernel: program.constructor.name,
      op: opStack[opStack.length - 1] ?? '',
      key: keyOf(ownKey, ins, o),
      workgroups: [d[0], d[1], d[2]],
      workgroupSize: [wg[0], wg[1], wg[2]],
      invocations: d[0] * d[1] * d[2] * wg[0] * wg[1] * wg[2],
      inputs: ins,
      output: o,
      uniforms: named,
      program,
    });
    sample();
    return out;
  };

  backend.releaseResource = function (dataId) {
    detach(dataId);
    origRelease.call(backend, dataId);
    sample();
  };

  engine.runKernelFunc = function (p) {
    const name = p.kernelName ?? 'customGrad';
    opStack.push(name);
    childMs.push(0);
    const t0 = performance.now();
    try {
      return origKernel.call(engine, p);
    } finally {
      opStack.pop();
      const total = performance.now() - t0;
      const nested = childMs.pop() ?? 0;
      if (childMs.length) childMs[childMs.length - 1] += total;
      if (on) hostMsByOp[name] = (hostMsByOp[name] ?? 0) + total - nested;
    }
  };

  try {
    await work(control);
  } finally {
    backend.runWebGPUProgram = origRun;
    backend.releaseResource = origRelease;
    backend.uploadToGPU = origUpload;
    engine.runKernelFunc = origKernel;
    if (pass && origSetPipeline && origDispatch) {
      pass.setPipeline = origSetPipeline;
      pass.dispatchWorkgroups = origDispatch;
    }
    readWriteDispatchListeners.delete(announce);
    // Tensors still alive hold no buffer now; the placeholder never enters tfjs' buffer pool.
    for (const id of [...dry.keys()]) detach(id);
    placeholder?.destroy();
  }
  return { dispatches, peakGpuBytes: peak, startGpuBytes, uploadBytes, hostMsByOp };
}

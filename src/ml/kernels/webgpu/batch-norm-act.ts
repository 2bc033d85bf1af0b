/**
 * WebGPU kernels of the fused batch norm (training) + optional ReLU (src/ml/ops/batch-norm-act):
 * WGSL programs run through tfjs-backend-webgpu 4.22's runWebGPUProgram, x flattened to [rows, C].
 *
 * The per-channel reductions are two-stage so they run in parallel: a partial pass launches
 * ⌈C/64⌉ × G workgroups, invocation (c, g) summing rows [g·R, (g+1)·R) of channel c (neighbouring
 * invocations read neighbouring channels: coalesced), into partials [G, 2, C]; a finish pass (one
 * invocation per channel) adds the G partials. Forward: partial sums of x − x[0] and its square →
 * finish (mean, variance, invstd, scale/shift) → one elementwise pass y = act(x·scale + shift).
 * Backward: partial sums of g = dy·[y > 0] and g·(x − mean) → finish (dgamma, dbeta, dx coefficients)
 * → one elementwise pass dx. Two passes over the activation each way; the finish passes touch [C].
 * Type-only imports from tfjs-backend-webgpu, so Node can load this file.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { BatchNormActAttrs } from '../../ops/batch-norm-act/kernel-names';

type Uniforms = { type: 'int32' | 'float32'; data: number[] }[];

const PARTIAL_WG = 64;
const FLAT_WG = 256;

/**
 * Row groups G of the partial pass: G ≤ ⌈rows / 16⌉ (so more than 8 rows a group), about 32,768
 * invocations in all (G·C: enough to fill a laptop GPU, the step profiler's bar), G ≤ 1,024.
 */
export function rowGroups(rows: number, channels: number): { groups: number; groupRows: number } {
  const want = Math.max(1, Math.ceil(32768 / channels));
  const groups = Math.max(1, Math.min(Math.ceil(rows / 16), want, 1024));
  const groupRows = Math.ceil(rows / groups);
  return { groups: Math.ceil(rows / groupRows), groupRows };
}

function flatDispatch(n: number, wg: number): [number, number, number] {
  return [Math.max(1, Math.ceil(n / wg)), 1, 1];
}

/** Shapes the webgpu profiler hands a program's cost() (src/ml/kernels/webgpu/profiler). */
interface CostIo {
  inputs: { shape: number[] }[];
  output: { shape: number[] };
}

/** A dispatch's cost in the profiler's terms: memory-bound, `work` elements, `serialMacs` steps per invocation. */
export interface BnProgramCost {
  serialMacs: number;
  macs: number;
  bytesRead: number;
  bytesWritten: number;
  memoryBound: boolean;
  work: number;
}

const elems = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Memory-bound cost: every input read once and the output written once (4 bytes an element);
 * `work` = elements folded or produced, `serial` = the longest chain of one invocation.
 */
function memoryCost(io: CostIo, work: number, serial: number): BnProgramCost {
  return {
    serialMacs: serial,
    macs: 0,
    bytesRead: 4 * io.inputs.reduce((a, t) => a + elems(t.shape), 0),
    bytesWritten: 4 * elems(io.output.shape),
    memoryBound: true,
    work,
  };
}

/** Partial pass [G, 2, C] over x-shaped input 1: each invocation folds ⌈rows / G⌉ rows. */
function partialCost(io: CostIo): BnProgramCost {
  const [groups, , c] = io.output.shape;
  const rows = elems(io.inputs[io.inputs.length === 1 ? 0 : 1].shape) / c;
  return memoryCost(io, rows * c, Math.ceil(rows / groups));
}

/**
 * Finish pass: each output element folds the G partials of its channel; of its other inputs it
 * reads one value per channel (x's first row, gamma, beta / mean, invstd), not the whole tensor.
 */
function finishCost(io: CostIo): BnProgramCost {
  const groups = io.inputs[0].shape[0];
  const c = io.output.shape[io.output.shape.length - 1];
  const cost = memoryCost(io, elems(io.output.shape) * groups, groups);
  return { ...cost, bytesRead: 4 * (elems(io.inputs[0].shape) + (io.inputs.length - 1) * c) };
}

/** Elementwise pass: one element per invocation. */
function elementwiseCost(io: CostIo): BnProgramCost {
  return memoryCost(io, elems(io.output.shape), 1);
}

function program(
  p: Pick<WebGPUProgram, 'outputShape' | 'shaderKey' | 'variableNames' | 'workgroupSize'> & {
    dispatch: [number, number, number];
    uniforms: string;
    size?: boolean;
    body: string;
    cost: (io: CostIo) => BnProgramCost;
  },
): WebGPUProgram & { cost: (io: CostIo) => BnProgramCost } {
  const rank = p.outputShape.length;
  return {
    outputShape: p.outputShape,
    shaderKey: p.shaderKey,
    variableNames: p.variableNames,
    workgroupSize: p.workgroupSize,
    dispatch: p.dispatch,
    dispatchLayout: { x: Array.from({ length: rank }, (_, i) => i) },
    uniforms: p.uniforms,
    size: p.size ?? false,
    cost: p.cost,
    // tfjs' flat-layout start header calls main(getGlobalIndex()). The phony reads keep every
    // input statically used: WebGPU's automatic layout drops unused bindings, and tfjs binds all.
    getUserCode: () =>
      `fn main(index : i32) {\n${p.variableNames.map((v) => `  _ = ${v}[0];`).join('\n')}\n${p.body}\n}`,
  };
}

/** Partial sums [G, 2, C] per (group, channel): forward (x) or backward (dy, x, y, mean). */
function partialProgram(
  kind: 'stats' | 'grad',
  relu: boolean,
  c: number,
  groups: number,
): WebGPUProgram {
  const term =
    kind === 'stats'
      ? `let v = x[o] - shift; s = s + v; q = q + v * v;`
      : `let g = ${relu ? 'select(0.0, dy[o], y[o] > 0.0)' : 'dy[o]'}; s = s + g; q = q + g * (x[o] - shift);`;
  return program({
    outputShape: [groups, 2, c],
    shaderKey: `simlabBnPartial_${kind}_${relu}`,
    variableNames: kind === 'stats' ? ['x'] : ['dy', 'x', 'y', 'mean'],
    workgroupSize: [PARTIAL_WG, 1, 1],
    dispatch: [Math.ceil(c / PARTIAL_WG), groups, 1],
    uniforms: 'rows : i32, channels : i32, groupRows : i32,',
    cost: partialCost,
    body: `
  let C = uniforms.channels;
  let c = i32(workgroupId.x) * ${PARTIAL_WG} + i32(localId.x);
  let g = i32(workgroupId.y);
  if (c >= C) { return; }
  let r0 = g * uniforms.groupRows;
  let r1 = min(uniforms.rows, r0 + uniforms.groupRows);
  let shift = ${kind === 'stats' ? 'x[c]' : 'mean[c]'};
  var s = 0.0;
  var q = 0.0;
  for (var r = r0; r < r1; r = r + 1) {
    let o = r * C + c;
    ${term}
  }
  result[g * 2 * C + c] = s;
  result[g * 2 * C + C + c] = q;`,
  });
}

type ForwardMode = 'mean' | 'variance' | 'invstd' | 'scaleShift';
type BackwardMode = 'dgamma' | 'dbeta' | 'coef';

/** Forward finish: one of mean / variance / invstd [C], or scale/shift [2, C]. */
function statsFinishProgram(mode: ForwardMode, c: number): WebGPUProgram {
  const out: Record<ForwardMode, string> = {
    mean: 'result[index] = mean;',
    variance: 'result[index] = variance;',
    invstd: 'result[index] = invstd;',
    scaleShift:
      'let scale = gamma[c] * invstd; if (index < C) { result[index] = scale; } else { result[index] = beta[c] - mean * scale; }',
  };
  const shape = mode === 'scaleShift' ? [2, c] : [c];
  return program({
    outputShape: shape,
    shaderKey: `simlabBnStatsFinish_${mode}`,
    variableNames: ['partials', 'x', 'gamma', 'beta'],
    workgroupSize: [PARTIAL_WG, 1, 1],
    dispatch: flatDispatch(
      shape.reduce((a, b) => a * b, 1),
      PARTIAL_WG,
    ),
    size: true,
    uniforms: 'rows : i32, channels : i32, groups : i32, eps : f32,',
    cost: finishCost,
    body: `
  if (index >= uniforms.size) { return; }
  let C = uniforms.channels;
  let c = index % C;
  var s = 0.0;
  var q = 0.0;
  for (var g = 0; g < uniforms.groups; g = g + 1) {
    s = s + partials[g * 2 * C + c];
    q = q + partials[g * 2 * C + C + c];
  }
  let n = f32(uniforms.rows);
  let ms = s / n;
  let variance = max(0.0, q / n - ms * ms);
  let mean = ms + x[c];
  let invstd = 1.0 / sqrt(variance + uniforms.eps);
  ${out[mode]}`,
  });
}

/** Backward finish: dgamma or dbeta [C], or the dx coefficients [4, C] (a, b, mean, e). */
function gradFinishProgram(mode: BackwardMode, c: number): WebGPUProgram {
  // dx = a·g − b·(x − mean) + e, a = gamma·invstd, b = a·invstd·dgamma/n, e = −a·dbeta/n.
  const out: Record<BackwardMode, string> = {
    dgamma: 'result[index] = dgamma;',
    dbeta: 'result[index] = dbeta;',
    coef: `let a = gamma[c] * invstd[c];
  let row = index / C;
  if (row == 0) { result[index] = a; }
  else if (row == 1) { result[index] = a * invstd[c] * dgamma / n; }
  else if (row == 2) { result[index] = mean[c]; }
  else { result[index] = -a * dbeta / n; }`,
  };
  const shape = mode === 'coef' ? [4, c] : [c];
  return program({
    outputShape: shape,
    shaderKey: `simlabBnGradFinish_${mode}`,
    variableNames: ['partials', 'gamma', 'mean', 'invstd'],
    workgroupSize: [PARTIAL_WG, 1, 1],
    dispatch: flatDispatch(
      shape.reduce((a, b) => a * b, 1),
      PARTIAL_WG,
    ),
    size: true,
    uniforms: 'rows : i32, channels : i32, groups : i32,',
    cost: finishCost,
    body: `
  if (index >= uniforms.size) { return; }
  let C = uniforms.channels;
  let c = index % C;
  var dbeta = 0.0;
  var sgx = 0.0;
  for (var g = 0; g < uniforms.groups; g = g + 1) {
    dbeta = dbeta + partials[g * 2 * C + c];
    sgx = sgx + partials[g * 2 * C + C + c];
  }
  let n = f32(uniforms.rows);
  let dgamma = sgx * invstd[c];
  ${out[mode]}`,
  });
}

/** y = act(x·scale + shift), ss = [2, C] (scale; shift). */
function normaliseProgram(shape: number[], relu: boolean): WebGPUProgram {
  const size = shape.reduce((a, b) => a * b, 1);
  return program({
    outputShape: shape,
    shaderKey: `simlabBnNormalise_${relu}`,
    variableNames: ['x', 'ss'],
    workgroupSize: [FLAT_WG, 1, 1],
    dispatch: flatDispatch(size, FLAT_WG),
    size: true,
    uniforms: 'channels : i32,',
    cost: elementwiseCost,
    body: `
  if (index >= uniforms.size) { return; }
  let c = index % uniforms.channels;
  let v = x[index] * ss[c] + ss[uniforms.channels + c];
  result[index] = ${relu ? 'max(v, 0.0)' : 'v'};`,
  });
}

/** dx = a·g − b·(x − mean) + e, coef = [4, C] (a, b, mean, e), g = dy·[y > 0] with ReLU. */
function inputGradProgram(shape: number[], relu: boolean): WebGPUProgram {
  const size = shape.reduce((a, b) => a * b, 1);
  return program({
    outputShape: shape,
    shaderKey: `simlabBnInputGrad_${relu}`,
    variableNames: ['dy', 'x', 'y', 'coef'],
    workgroupSize: [FLAT_WG, 1, 1],
    dispatch: flatDispatch(size, FLAT_WG),
    size: true,
    uniforms: 'channels : i32,',
    cost: elementwiseCost,
    body: `
  if (index >= uniforms.size) { return; }
  let C = uniforms.channels;
  let c = index % C;
  let g = ${relu ? 'select(0.0, dy[index], y[index] > 0.0)' : 'dy[index]'};
  result[index] = coef[c] * g - coef[C + c] * (x[index] - coef[2 * C + c]) + coef[3 * C + c];`,
  });
}

/**
 * The programs one forward / backward call dispatches, in order, for x of `shape` (the profiler's
 * and the tests' view of the kernels below; each program carries its cost()).
 */
export function batchNormActPrograms(
  shape: number[],
  relu: boolean,
): { forward: WebGPUProgram[]; backward: WebGPUProgram[] } {
  const c = shape[shape.length - 1];
  const { groups } = rowGroups(elems(shape) / c, c);
  return {
    forward: [
      partialProgram('stats', relu, c, groups),
      ...(['mean', 'variance', 'invstd', 'scaleShift'] as const).map((m) =>
        statsFinishProgram(m, c),
      ),
      normaliseProgram(shape, relu),
    ],
    backward: [
      partialProgram('grad', relu, c, groups),
      ...(['dgamma', 'dbeta', 'coef'] as const).map((m) => gradFinishProgram(m, c)),
      inputGradProgram(shape, relu),
    ],
  };
}

function shapeInfo(x: tf.TensorInfo) {
  const c = x.shape[x.shape.length - 1];
  const rows = x.shape.reduce((a, b) => a * b, 1) / c;
  return { c, rows, ...rowGroups(rows, c) };
}

/** Forward kernel for 'webgpu': {x, gamma, beta} → [y, mean, variance, invstd]. */
export const webgpuBatchNormActForward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const gpu = backend as unknown as WebGPUBackend;
  const { epsilon, relu } = attrs as unknown as BatchNormActAttrs;
  const { x, gamma, beta } = inputs as Record<'x' | 'gamma' | 'beta', tf.TensorInfo>;
  const { c, rows, groups, groupRows } = shapeInfo(x);
  const partials = gpu.runWebGPUProgram(partialProgram('stats', relu, c, groups), [x], 'float32', [
    { type: 'int32', data: [rows] },
    { type: 'int32', data: [c] },
    { type: 'int32', data: [groupRows] },
  ] satisfies Uniforms);
  const finishUniforms: Uniforms = [
    { type: 'int32', data: [rows] },
    { type: 'int32', data: [c] },
    { type: 'int32', data: [groups] },
    { type: 'float32', data: [epsilon] },
  ];
  const finish = (mode: ForwardMode) =>
    gpu.runWebGPUProgram(
      statsFinishProgram(mode, c),
      [partials, x, gamma, beta],
      'float32',
      finishUniforms,
    );
  const mean = finish('mean');
  const variance = finish('variance');
  const invstd = finish('invstd');
  const ss = finish('scaleShift');
  gpu.disposeData(partials.dataId);
  const y = gpu.runWebGPUProgram(normaliseProgram(x.shape, relu), [x, ss], 'float32', [
    { type: 'int32', data: [c] },
  ]);
  gpu.disposeData(ss.dataId);
  return [y, mean, variance, invstd];
};

/** Backward kernel for 'webgpu': {dy, x, y, gamma, mean, invstd} → [dx, dgamma, dbeta]. */
export const webgpuBatchNormActBackward: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const gpu = backend as unknown as WebGPUBackend;
  const { relu } = attrs as unknown as BatchNormActAttrs;
  const { dy, x, y, gamma, mean, invstd } = inputs as Record<
    'dy' | 'x' | 'y' | 'gamma' | 'mean' | 'invstd',
    tf.TensorInfo
  >;
  const { c, rows, groups, groupRows } = shapeInfo(x);
  const partials = gpu.runWebGPUProgram(
    partialProgram('grad', relu, c, groups),
    [dy, x, y, mean],
    'float32',
    [
      { type: 'int32', data: [rows] },
      { type: 'int32', data: [c] },
      { type: 'int32', data: [groupRows] },
    ] satisfies Uniforms,
  );
  const finishUniforms: Uniforms = [
    { type: 'int32', data: [rows] },
    { type: 'int32', data: [c] },
    { type: 'int32', data: [groups] },
  ];
  const finish = (mode: BackwardMode) =>
    gpu.runWebGPUProgram(
      gradFinishProgram(mode, c),
      [partials, gamma, mean, invstd],
      'float32',
      finishUniforms,
    );
  const dgamma = finish('dgamma');
  const dbeta = finish('dbeta');
  const coef = finish('coef');
  gpu.disposeData(partials.dataId);
  const dx = gpu.runWebGPUProgram(inputGradProgram(x.shape, relu), [dy, x, y, coef], 'float32', [
    { type: 'int32', data: [c] },
  ]);
  gpu.disposeData(coef.dataId);
  return [dx, dgamma, dbeta];
};

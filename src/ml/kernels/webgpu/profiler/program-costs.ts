/**
 * The cost of one WebGPU dispatch, written per program class from the program's shapes, its
 * launch and its uniforms (tfjs-backend-webgpu 4.22's shaders, dist/*_webgpu.js, read by hand).
 *
 * For each dispatch:
 * - `work`: multiply-adds for a compute kernel (matmul, conv), elements touched for a memory-bound
 *   one (elementwise ops, copies, reductions: input elements; pooling: window reads);
 * - `serial`: the longest serial chain of one invocation, in the same unit (a matmul invocation
 *   computing a 4×4 tile over K = 576 runs 16 · 576 multiply-adds in a row; a reduction invocation
 *   folds ceil(n / workgroup) inputs then log₂(workgroup) tree steps);
 * - `macs` and `flops` (2 per multiply-add; an elementwise op counts 1 per output element, a copy 0);
 * - `bytesRead` / `bytesWritten`: compulsory traffic, each input tensor read once (a slice or gather
 *   reads what it outputs) and the output written once, 4 bytes per element.
 * The parallelism the readiness figure uses is `work / serial`: invocations that do no work (the
 * tail of a rounded-up dispatch) do not raise it.
 *
 * A program class simlab writes itself declares its own cost with an optional method
 *   cost(io: { inputs: {shape, dtype}[]; output: {shape, dtype}; uniforms: Record<string, number[]> }):
 *     { serialMacs: number; macs: number; bytesRead: number; bytesWritten: number;
 *       memoryBound?: boolean; flops?: number; work?: number }
 * (src/ml/kernels/webgpu/program.ts's ProgramCost is this without the optional fields)
 * where `serialMacs` is its longest serial chain (multiply-adds, or element steps when
 * memoryBound), `memoryBound` defaults to macs = 0, `work` to `macs` (the output's element count
 * when memoryBound) and `flops` to 2 · macs. A class with neither a `cost()` nor a formula below makes the profiler fail
 * (`programCost` throws, naming the class).
 */
import type { DispatchRecord, ProgramLike, TensorShapeInfo } from './dry-run';

export interface ProgramCost {
  work: number;
  serial: number;
  macs: number;
  flops: number;
  bytesRead: number;
  bytesWritten: number;
  memoryBound: boolean;
}

/** What a formula reads: the dispatch record less its bookkeeping. */
export type CostInput = Pick<
  DispatchRecord,
  'inputs' | 'output' | 'uniforms' | 'invocations' | 'workgroupSize'
> & { program: ProgramLike };

/** The optional method a simlab program class implements (see the header). */
export interface DeclaredCost {
  serialMacs: number;
  macs: number;
  bytesRead: number;
  bytesWritten: number;
  /** Default: true when macs is 0. */
  memoryBound?: boolean;
  flops?: number;
  work?: number;
}

type Formula = (c: CostInput) => ProgramCost;

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const bytes = (t: TensorShapeInfo) => 4 * size(t.shape);
const readAll = (c: CostInput) => c.inputs.reduce((s, t) => s + bytes(t), 0);
const u = (c: CostInput, name: string, i = 0): number => {
  const v = c.uniforms[name];
  if (!v || v[i] === undefined)
    throw new Error(`${c.program.constructor.name}: uniform '${name}' missing`);
  return v[i];
};
const num = (p: ProgramLike, k: string): number => p[k] as number;
const ept = (p: ProgramLike): number[] =>
  (p.elementsPerThread as number[] | undefined) ?? [1, 1, 1];

/** A multiply-add kernel: `macs` in all, `serial` in the longest invocation. */
function compute(c: CostInput, macs: number, serial: number): ProgramCost {
  return {
    work: macs,
    serial,
    macs,
    flops: 2 * macs,
    bytesRead: readAll(c),
    bytesWritten: bytes(c.output),
    memoryBound: false,
  };
}

/** A memory-bound kernel: `elements` element steps in all, `serial` in the longest invocation. */
function memory(
  c: CostInput,
  elements: number,
  serial: number,
  flops: number,
  bytesRead = readAll(c),
): ProgramCost {
  return {
    work: elements,
    serial: Math.max(1, serial),
    macs: 0,
    flops,
    bytesRead,
    bytesWritten: bytes(c.output),
    memoryBound: true,
  };
}

/** One output element per invocation step, spread evenly: serial = ceil(outputs / invocations). */
function elementwise(flopsPerElement: number, readsOutputSized = false): Formula {
  return (c) => {
    const n = size(c.output.shape);
    return memory(
      c,
      n,
      Math.ceil(n / c.invocations),
      flopsPerElement * n,
      readsOutputSized ? bytes(c.output) : readAll(c),
    );
  };
}

/** Tree steps of a workgroup reduction over min(n, wg) partial values (reduce_webgpu.js loop). */
function treeSteps(n: number, wg: number): number {
  let steps = 0;
  for (let r = Math.min(n, wg); r > 1; r = Math.ceil(r / 2)) steps++;
  return steps;
}

/**
 * Tiled matmul (MatMulPackedProgram; also the implicit GEMM of Conv2DMMProgram and
 * Conv2DDerInputMMProgram): each invocation accumulates an elementsPerThread[0] × [1] tile of
 * outputs over the whole inner dimension (uniform dimInner), one multiply-add per output per k.
 */
const tiledMatmul: Formula = (c) => {
  const k = u(c, 'dimInner');
  const [ex, ey] = ept(c.program);
  return compute(c, size(c.output.shape) * k, ex * ey * k);
};

/** Outputs along one axis that a filter tap reaches inside the input. */
function validOutputs(t: number, outDim: number, stride: number, pad: number, inDim: number) {
  let n = 0;
  for (let o = 0; o < outDim; o++) {
    const x = t + o * stride - pad;
    if (x >= 0 && x < inDim) n++;
  }
  return n;
}

/**
 * Conv2DDerFilterProgram (conv_backprop_webgpu.js): one invocation per filter weight
 * [fH, fW, inC, outC] loops b < batch, yR < outH, yC < outW and multiply-adds wherever the tap lands
 * inside x (padding skips). Serial = the weight with the most valid positions.
 */
const conv2dDerFilter: Formula = (c) => {
  const [fH, fW, inC, outC] = c.output.shape;
  const [B, H, W] = c.inputs[0].shape;
  const [sH, sW] = c.uniforms.strides;
  const [pH, pW] = c.uniforms.pads;
  const oH = u(c, 'outHeight');
  const oW = u(c, 'outWidth');
  const rows = Array.from({ length: fH }, (_, t) => validOutputs(t, oH, sH, pH, H));
  const cols = Array.from({ length: fW }, (_, t) => validOutputs(t, oW, sW, pW, W));
  const sum = (a: number[]) => a.reduce((s, x) => s + x, 0);
  return compute(
    c,
    B * inC * outC * sum(rows) * sum(cols),
    B * Math.max(...rows) * Math.max(...cols),
  );
};

/**
 * Conv2DDerInputProgram: one input element per invocation (vec4: 4 channels × workPerThread
 * columns), looping the filter taps whose dy index is whole and in range, then all outC.
 */
const conv2dDerInput: Formula = (c) => {
  const [B, H, W, inC] = c.output.shape;
  const [fH, fW] = c.uniforms.filterDims;
  const [sH, sW] = c.uniforms.strides;
  const [pH, pW] = c.uniforms.pads;
  const [, oH, oW, outC] = c.uniforms.outBackprop;
  // Input row x reads dy row (x − pads + t) / stride for tap t when whole and inside dy.
  const taps = (x: number, f: number, s: number, p: number, o: number) => {
    let n = 0;
    for (let t = 0; t < f; t++) {
      const y = (x - p + t) / s;
      if (Number.isInteger(y) && y >= 0 && y < o) n++;
    }
    return n;
  };
  const rows = Array.from({ length: H }, (_, x) => taps(x, fH, sH, pH, oH));
  const cols = Array.from({ length: W }, (_, x) => taps(x, fW, sW, pW, oW));
  const sum = (a: number[]) => a.reduce((s, x) => s + x, 0);
  const perOut = c.program.isVec4 ? 4 * num(c.program, 'workPerThread') : 1;
  return compute(
    c,
    B * inC * outC * sum(rows) * sum(cols),
    perOut * outC * Math.max(...rows) * Math.max(...cols),
  );
};

/** Filter taps of a conv program's weights input ([fH, fW, inC, outC] or depthwise [fH, fW, C, m]). */
const filterOf = (c: CostInput) => c.inputs[1].shape;

const FORMULAS: Record<string, Formula> = {
  MatMulPackedProgram: tiledMatmul,
  Conv2DMMProgram: tiledMatmul,
  Conv2DDerInputMMProgram: tiledMatmul,
  /** One 8×8-thread tile per 128-long slice of K (splitedDimInner), accumulated atomically. */
  MatMulSplitKProgram: (c) => {
    const k = u(c, 'dimInner');
    const [ex, ey] = ept(c.program);
    return compute(c, size(c.output.shape) * k, ex * ey * Math.min(k, 128));
  },
  /** One workgroup (256) per output: strided partial sums of K, then a shared-memory tree. */
  MatMulReduceProgram: (c) => {
    const k = u(c, 'dimInner');
    const wg = c.workgroupSize[0];
    return compute(c, size(c.output.shape) * k, Math.ceil(k / wg) + treeSteps(wg, wg));
  },
  /** One output per invocation over all of K. */
  MatMulSmallOutputSizeProgram: (c) => {
    const k = u(c, 'dimInner');
    return compute(c, size(c.output.shape) * k, k);
  },
  /** One output per invocation: fH · fW · inC multiply-adds (out-of-range taps read zero). */
  Conv2DNaiveProgram: (c) => {
    const [fH, fW, inC] = filterOf(c);
    return compute(c, size(c.output.shape) * fH * fW * inC, fH * fW * inC);
  },
  Conv2DDerFilterProgram: conv2dDerFilter,
  Conv2DDerInputProgram: conv2dDerInput,
  /** One output per invocation, fH · fW taps (depthwise_conv2d_webgpu.js). */
  DepthwiseConv2DProgram: (c) => {
    const [fH, fW] = filterOf(c);
    return compute(c, size(c.output.shape) * fH * fW, fH * fW);
  },
  /** 4 channels × workPerThread (4) columns per invocation. */
  DepthwiseConv2DVec4Program: (c) => {
    const [fH, fW] = filterOf(c);
    return compute(
      c,
      size(c.output.shape) * fH * fW,
      4 * num(c.program, 'workPerThread') * fH * fW,
    );
  },
  DepthwiseConv2DNCHWSharedProgram: (c) => {
    const [fH, fW] = filterOf(c);
    return compute(c, size(c.output.shape) * fH * fW, fH * fW);
  },
  /** One invocation per filter weight [fH, fW, C, m], looping batch × outH × outW. */
  DepthwiseConv2DDerFilterProgram: (c) => {
    const [B, oH, oW] = c.inputs[1].shape;
    const n = B * oH * oW;
    return compute(c, size(c.output.shape) * n, n);
  },
  /** One input element per invocation, looping fH × fW taps × channel multiplier. */
  DepthwiseConv2DDerInputProgram: (c) => {
    const [fH, fW, , m] = c.inputs[1].shape;
    const n = fH * fW * m;
    return compute(c, size(c.output.shape) * n, n);
  },

  /** One workgroup per output row: strided partial folds, then a tree (reduce_webgpu.js). */
  ReduceProgram: (c) => {
    const [rows, n] = c.program.inputShape as number[];
    const wg = c.workgroupSize[0];
    return memory(c, rows * n, Math.ceil(n / wg) + treeSteps(n, wg), rows * n);
  },
  /** One workgroup per row: max pass, exp-sum pass, write pass, each a fold plus a tree. */
  SoftmaxProgram: (c) => {
    const [rows, cols] = c.output.shape;
    const wg = c.workgroupSize[0];
    const pass = Math.ceil(cols / wg);
    return memory(c, 3 * rows * cols, 3 * pass + 2 * treeSteps(cols, wg), 4 * rows * cols);
  },
  /** One invocation per output (argmin/argmax over the reduced axis in workgroup-strided folds). */
  ArgMinMaxProgram: (c) => {
    const n = size(c.inputs[0].shape);
    const outs = size(c.output.shape);
    const wg = c.workgroupSize[0];
    const per = n / outs;
    return memory(c, n, Math.ceil(per / wg) + treeSteps(per, wg), n);
  },
  /** Pooling: fH · fW window reads per output (uniforms filterDims / poolSize). */
  Pool2DProgram: (c) => {
    const [fH, fW] = c.uniforms.filterDims ?? c.uniforms.poolSize ?? [1, 1];
    const n = size(c.output.shape);
    return memory(c, n * fH * fW, Math.ceil(n / c.invocations) * fH * fW, n * fH * fW);
  },
  PoolWithFilterSizeEqualsOneProgram: elementwise(0, true),
  /** One input-gradient element per invocation, looping the fH × fW window (uniform filterDims). */
  MaxPool2DBackpropProgram: (c) => {
    const [fH, fW] = c.uniforms.filterDims;
    const n = size(c.output.shape);
    return memory(c, n * fH * fW, fH * fW, n * fH * fW);
  },
  AvgPool2DBackpropProgram: (c) => {
    const [fH, fW] = c.uniforms.filterDims;
    const n = size(c.output.shape);
    return memory(c, n * fH * fW, fH * fW, n * fH * fW);
  },

  // Elementwise and data-movement programs: one (or a vector of) output element(s) per invocation.
  BinaryOpProgram: elementwise(1),
  UnaryOpProgram: elementwise(1),
  BatchNormProgram: elementwise(4),
  ClipProgram: elementwise(1),
  ClipVec4Program: elementwise(1),
  SelectProgram: elementwise(1),
  AddNPackedProgram: (c) => elementwise(c.inputs.length - 1)(c),
  BiasActivationProgram: elementwise(2),
  FillProgram: elementwise(0),
  OneHotProgram: elementwise(0),
  TransposeProgram: elementwise(0),
  TransposeSharedProgram: elementwise(0),
  ConcatProgram: elementwise(0),
  PadProgram: elementwise(0),
  MirrorPadProgram: elementwise(0),
  TileProgram: elementwise(0, true),
  SliceProgram: elementwise(0, true),
  StridedSliceProgram: elementwise(0, true),
  GatherProgram: elementwise(0, true),
  GatherNDProgram: elementwise(0, true),
  Im2ColProgram: elementwise(0, true),
  ReverseProgram: elementwise(0),
};

/** The program classes with a formula here (simlab's own classes declare `cost()` instead). */
export const COSTED_CLASSES = Object.keys(FORMULAS);

/** What a dispatch encoded outside runWebGPUProgram shows: its pipeline label and launch. */
export interface DirectDispatch {
  label: string;
  workgroups: [number, number, number];
}
const DIRECT = new Map<string, (d: DirectDispatch) => DeclaredCost>();

/** Declares the cost of the dispatches whose pipeline label starts with `name` + '_' (or is `name`). */
export function declareDispatchCost(name: string, cost: (d: DirectDispatch) => DeclaredCost): void {
  DIRECT.set(name, cost);
}

function declared(c: CostInput): ProgramCost | null {
  const own = (c.program as { cost?: (io: unknown) => DeclaredCost }).cost;
  const direct = DIRECT.get(c.program.constructor.name);
  let d: DeclaredCost;
  if (typeof own === 'function')
    d = own.call(c.program, { inputs: c.inputs, output: c.output, uniforms: c.uniforms });
  else if (direct) d = direct({ label: c.program.shaderKey, workgroups: c.program.dispatch });
  else return null;
  const memoryBound = d.memoryBound ?? d.macs === 0;
  return {
    work: d.work ?? (memoryBound ? size(c.output.shape) : d.macs),
    serial: Math.max(1, d.serialMacs),
    macs: d.macs,
    flops: d.flops ?? 2 * d.macs,
    bytesRead: d.bytesRead,
    bytesWritten: d.bytesWritten,
    memoryBound,
  };
}

/** The cost of one dispatch; throws for a program class with no `cost()` and no formula. */
export function programCost(c: CostInput): ProgramCost {
  const own = declared(c);
  if (own) return own;
  const name = c.program.constructor.name;
  const f = FORMULAS[name];
  if (!f)
    throw new Error(
      `no cost formula for WebGPU program class '${name}' (shader key ${c.program.shaderKey})`,
    );
  return f(c);
}

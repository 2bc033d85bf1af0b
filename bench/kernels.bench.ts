/**
 * Benchmark of simlab's wasm training kernels (src/ml/kernels/wasm) on ResNet-18 CIFAR layer shapes
 * (batch 64, 32 px, widths 16 and 64): GFLOP/s of the forward conv, the input gradient (ours vs
 * tfjs-backend-wasm's own Conv2DBackpropInput), the filter gradient (ours; wasm has none), a matmul
 * of the same FLOPs (the GEMM ceiling), and a full forward+backward (tf.grads) of one layer.
 *
 *   node --import tsx bench/kernels.bench.ts [--widths 16,64] [--batch 64] [--reps 3] [--no-original]
 */
import * as tf from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { createRng } from '../src/ml/rng';
import { registerWasmTrainingKernels } from '../src/ml/kernels/wasm/register';

interface Layer {
  name: string;
  hw: number;
  ci: number;
  co: number;
  k: number;
  stride: number;
}

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : dflt;
}
const widths = arg('widths', '16,64').split(',').map(Number);
const batch = Number(arg('batch', '64'));
const reps = Number(arg('reps', '3'));
const withOriginal = !process.argv.includes('--no-original');

/** ResNet-18 (CIFAR stem: 3x3 conv, no max-pool) conv shapes at 32 px for base width w. */
function resnet18Layers(w: number): Layer[] {
  return [
    { name: 'stem 3x3', hw: 32, ci: 3, co: w, k: 3, stride: 1 },
    { name: 'layer1 3x3', hw: 32, ci: w, co: w, k: 3, stride: 1 },
    { name: 'layer2 3x3 s2', hw: 32, ci: w, co: 2 * w, k: 3, stride: 2 },
    { name: 'layer2 1x1 s2 short', hw: 32, ci: w, co: 2 * w, k: 1, stride: 2 },
    { name: 'layer2 3x3', hw: 16, ci: 2 * w, co: 2 * w, k: 3, stride: 1 },
    { name: 'layer3 3x3 s2', hw: 16, ci: 2 * w, co: 4 * w, k: 3, stride: 2 },
    { name: 'layer3 3x3', hw: 8, ci: 4 * w, co: 4 * w, k: 3, stride: 1 },
    { name: 'layer4 3x3 s2', hw: 8, ci: 4 * w, co: 8 * w, k: 3, stride: 2 },
    { name: 'layer4 3x3', hw: 4, ci: 8 * w, co: 8 * w, k: 3, stride: 1 },
  ];
}

function seeded(shape: number[], rng: ReturnType<typeof createRng>): tf.Tensor {
  const a = new Float32Array(shape.reduce((p, q) => p * q, 1));
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  return tf.tensor(a, shape);
}

/** Best (minimum) wall time in ms of f over `reps` runs after one warm-up (robust to other load on the machine); f returns what it allocated. */
function time(f: () => tf.TensorContainer): number {
  const once = (): number => {
    const t0 = performance.now();
    const out = f();
    for (const t of tf.util.flatten(out as never) as tf.Tensor[])
      if (t instanceof tf.Tensor) t.dataSync();
    const ms = performance.now() - t0;
    tf.dispose(out);
    return ms;
  };
  once();
  return Math.min(...Array.from({ length: reps }, once));
}

const gf = (flops: number, ms: number): string => (flops / ms / 1e6).toFixed(2).padStart(6);

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  const original = tf.getKernel('Conv2DBackpropInput', 'wasm');
  registerWasmTrainingKernels();
  console.log(
    `tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}, wasm threads ${wasm.getThreadsCount()}, batch ${batch}, best of ${reps} runs`,
  );
  console.log(
    'GFLOP/s; flops = 2*N*OH*OW*KH*KW*Ci*Co per pass; matmul = [N*OH*OW, KH*KW*Ci] x [KH*KW*Ci, Co]',
  );
  const rng = createRng(7);
  for (const w of widths) {
    console.log(`\nResNet-18 CIFAR w${w}`);
    console.log(
      'layer                 shape              fwd   dx-ours  dx-wasm  dW-ours  matmul   fwd+bwd  (ms fwd+bwd)',
    );
    for (const l of resnet18Layers(w)) {
      const oh = Math.ceil(l.hw / l.stride);
      const x = seeded([batch, l.hw, l.hw, l.ci], rng) as tf.Tensor4D;
      const f = seeded([l.k, l.k, l.ci, l.co], rng) as tf.Tensor4D;
      const dy = seeded([batch, oh, oh, l.co], rng) as tf.Tensor4D;
      const flops = 2 * batch * oh * oh * l.k * l.k * l.ci * l.co;
      const attrs = { strides: l.stride, pad: 'same', dataFormat: 'NHWC' } as tf.NamedAttrMap;
      const fwd = time(() => tf.conv2d(x, f, l.stride, 'same'));
      const dx = time(
        () =>
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropInput',
              { dy, filter: f },
              { ...attrs, inputShape: x.shape },
            ) as tf.Tensor,
      );
      const dw = time(
        () =>
          tf
            .engine()
            .runKernel(
              'Conv2DBackpropFilter',
              { x, dy },
              { ...attrs, filterShape: f.shape },
            ) as tf.Tensor,
      );
      let dxOrig = NaN;
      // wasm's own loop takes seconds per call at w64; time it on the cheaper layers only.
      if (withOriginal && original && flops < 2e9) {
        dxOrig = time(() => {
          const info = original.kernelFunc({
            inputs: { dy, filter: f },
            backend: tf.backend(),
            attrs: { ...attrs, inputShape: x.shape },
          }) as tf.TensorInfo;
          return tf.engine().makeTensorFromTensorInfo(info);
        });
      }
      const a = seeded([batch * oh * oh, l.k * l.k * l.ci], rng);
      const b = seeded([l.k * l.k * l.ci, l.co], rng);
      const mm = time(() => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D));
      const g = tf.grads((xx: tf.Tensor, ff: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, l.stride, 'same'), dy)),
      );
      const full = time(() => g([x, f]));
      const shape = `${l.hw}x${l.hw}x${l.ci}->${oh}x${oh}x${l.co}`;
      console.log(
        `${l.name.padEnd(21)} ${shape.padEnd(17)} ${gf(flops, fwd)}  ${gf(flops, dx)}   ${Number.isNaN(dxOrig) ? '    - ' : gf(flops, dxOrig)}   ${gf(flops, dw)}  ${gf(flops, mm)}   ${gf(3 * flops, full)}  (${full.toFixed(0)} ms)`,
      );
      tf.dispose([x, f, dy, a, b]);
    }
  }
  // Depthwise 3x3 (MobileNet-style blocks at CIFAR sizes); wasm has no depthwise gradients of its own.
  console.log('\nDepthwise 3x3, flops = 2*N*OH*OW*9*C*M');
  console.log('shape                      fwd   dx-ours  dW-ours  fwd+bwd  (ms fwd+bwd)');
  for (const [hw, ch, mult, stride] of [
    [32, 32, 1, 1],
    [32, 32, 1, 2],
    [16, 64, 2, 1],
  ]) {
    const oh = Math.ceil(hw / stride);
    const x = seeded([batch, hw, hw, ch], rng) as tf.Tensor4D;
    const f = seeded([3, 3, ch, mult], rng) as tf.Tensor4D;
    const dy = seeded([batch, oh, oh, ch * mult], rng) as tf.Tensor4D;
    const flops = 2 * batch * oh * oh * 9 * ch * mult;
    const attrs = { strides: stride, dilations: 1, pad: 'same' } as tf.NamedAttrMap;
    const fwd = time(() => tf.depthwiseConv2d(x, f, stride, 'same'));
    const dx = time(
      () =>
        tf
          .engine()
          .runKernel(
            'DepthwiseConv2dNativeBackpropInput',
            { dy, filter: f },
            { ...attrs, inputShape: x.shape },
          ) as tf.Tensor,
    );
    const dw = time(
      () =>
        tf
          .engine()
          .runKernel(
            'DepthwiseConv2dNativeBackpropFilter',
            { x, dy },
            { ...attrs, filterShape: f.shape },
          ) as tf.Tensor,
    );
    const g = tf.grads((xx: tf.Tensor, ff: tf.Tensor) =>
      tf.sum(tf.mul(tf.depthwiseConv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, stride, 'same'), dy)),
    );
    const full = time(() => g([x, f]));
    const shape = `${hw}x${hw}x${ch} m${mult} s${stride}`;
    console.log(
      `${shape.padEnd(24)} ${gf(flops, fwd)}  ${gf(flops, dx)}   ${gf(flops, dw)}   ${gf(3 * flops, full)}  (${full.toFixed(0)} ms)`,
    );
    tf.dispose([x, f, dy]);
  }
  console.log(`\ntensors alive at end: ${tf.memory().numTensors}`);
}

await main();

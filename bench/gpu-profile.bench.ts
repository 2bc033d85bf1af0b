/**
 * GPU readiness of a training step (issue 12): for each step below, a dry run on the webgpu backend
 * (SwiftShader here; nothing is dispatched, so batch 256 lists in seconds) records every dispatch
 * and prints dispatches, FLOPs and bytes per kernel kind, peak GPU bytes and the readiness figures
 * (ml/kernels/webgpu/profiler/readiness.ts). Rows per step and kernel set:
 *   gpu-readiness dispatches <step>, gpu-readiness min-parallelism <step>,
 *   gpu-readiness max-serial-macs <step>
 * with " stock" after the step for tfjs-backend-webgpu's kernels alone (simlab's swapped out).
 * BENCH_GPU_KERNELS=stock|current runs one set; BENCH_GPU_STEPS=a,b filters the steps by name.
 * The figures are counts from shapes, not timings: the load on the machine does not change them.
 */
import { newPage, openApp } from '../tests/e2e/browser';
import { startApp } from './browser';
import { emit, fmt } from './lib';
import type {
  GpuProfileRequest,
  GpuProfileResult,
} from '../src/ml/kernels/webgpu/profiler/profile-types';
import type { GpuStepProfile } from '../src/ml/kernels/webgpu/profiler/profile-types';

type Engine = { benchGpuProfile(o: GpuProfileRequest): Promise<GpuProfileResult> };

interface Step {
  name: string;
  size: string;
  req: Omit<GpuProfileRequest, 'kernels' | 'mode'>;
}

const STEPS: Step[] = [
  {
    name: 'resnet18-w64-simclr-b256',
    size: 'ResNet-18 CIFAR stem w64, 32 px, batch 256',
    req: {
      method: 'simclr',
      backbone: { name: 'resnet18', width: 64, stem: 'cifar', inputSize: 32 },
      batch: 256,
    },
  },
  {
    name: 'convnet-w32-supervised-b128',
    size: 'ConvNet w32, 64 px, batch 128',
    req: {
      method: 'supervised',
      backbone: { name: 'convnet', width: 32, inputSize: 64 },
      batch: 128,
    },
  },
  {
    name: 'mobilenetv3-small-simsiam-b128',
    size: 'MobileNetV3-Small, 64 px, batch 128',
    req: {
      method: 'simsiam',
      backbone: { name: 'mobilenetv3-small', inputSize: 64 },
      batch: 128,
    },
  },
];

const sets = (process.env.BENCH_GPU_KERNELS?.split(',') ?? ['stock', 'current']) as (
  'stock' | 'current'
)[];
const only = process.env.BENCH_GPU_STEPS?.split(',');

const g = (n: number) => `${(n / 1e9).toFixed(2)} G`;
const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

function report(step: Step, set: string, res: GpuProfileResult): GpuStepProfile {
  const r = res.profile!;
  const lines = [
    `${step.name} (${set}${res.nonStockKernels.length ? `: ${res.nonStockKernels.join(', ')}` : ''}): ` +
      `${r.dispatches} dispatches, ${g(r.flops)}FLOP, ${mb(r.bytesRead)} read, ` +
      `${mb(r.bytesWritten)} written, peak GPU ${mb(r.peakGpuBytes)}, dry run ${res.seconds.toFixed(1)} s`,
    '  kind                                dispatches        FLOP        bytes',
    ...r.kinds.map(
      (k) =>
        `  ${k.kernel.padEnd(34)} ${String(k.dispatches).padStart(10)} ${g(k.flops).padStart(11)} ${mb(k.bytes).padStart(12)}`,
    ),
    `  min parallelism ${fmt(r.minParallelism.parallelism)}: ${r.minParallelism.kernel} (${r.minParallelism.op}) ` +
      `work ${fmt(r.minParallelism.work)} / serial ${fmt(r.minParallelism.serial)}, ` +
      `${r.minParallelism.invocations} invocations, ×${r.minParallelism.dispatches}; ${r.minParallelism.key}`,
    `  max serial ${fmt(r.maxSerial.serial)}: ${r.maxSerial.kernel} (${r.maxSerial.op}); ${r.maxSerial.key}`,
    '  lowest-parallelism programs carrying ≥ 1% of FLOPs or bytes:',
    ...r.programs
      .filter((p) => p.flops >= 0.01 * r.flops || p.bytes >= 0.01 * (r.bytesRead + r.bytesWritten))
      .sort((a, b) => a.parallelism - b.parallelism)
      .slice(0, 8)
      .map(
        (p) =>
          `    ${fmt(p.parallelism).padStart(10)}  ${p.kernel} (${p.op}) ×${p.dispatches}, ` +
          `${((100 * p.flops) / r.flops).toFixed(1)}% FLOP, ${((100 * p.bytes) / (r.bytesRead + r.bytesWritten)).toFixed(1)}% bytes`,
      ),
  ];
  const host = Object.entries(res.hostMsByOp).sort((a, b) => b[1] - a[1]);
  const hostMs = host.reduce((t, [, ms]) => t + ms, 0);
  lines.push(
    `  host → GPU uploads ${mb(res.uploadBytes)}; wall s: ${Object.entries(res.phaseMs)
      .map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)}`)
      .join(', ')}; host time inside kernels ${(hostMs / 1000).toFixed(1)} s; most: ` +
      host
        .slice(0, 5)
        .map(([op, ms]) => `${op} ${(ms / 1000).toFixed(1)} s`)
        .join(', '),
  );
  console.log(lines.join('\n'));
  return r;
}

const app = await startApp();
try {
  for (const step of STEPS.filter((s) => !only || only.includes(s.name))) {
    for (const set of sets) {
      const { context, page } = await newPage(app.browser);
      const active = await openApp(page, app.served.url, '?backend=webgpu');
      const res = await page.evaluate(
        (o) =>
          (window as unknown as { __simlab: { engine: Engine } }).__simlab.engine.benchGpuProfile(
            o,
          ),
        { ...step.req, kernels: set, mode: 'dry' as const },
      );
      const suffix = set === 'stock' ? ' stock' : '';
      const common = { backend: active, size: step.size, runs: 1, anchor: null, ratio: null };
      if (!res.profile) {
        // The profiler refuses to guess: no readiness figures without every program's formula.
        console.log(
          `${step.name} (${set}): ${res.list.length} dispatches, host → GPU uploads ` +
            `${mb(res.uploadBytes)}, peak GPU ${mb(res.peakGpuBytes)}, dry run ${res.seconds.toFixed(1)} s; ${res.costError}`,
        );
        emit({
          figure: `gpu-readiness dispatches ${step.name}${suffix}`,
          median: res.list.length,
          unit: 'dispatches',
          note: 'not costed: program classes without a cost formula (see log)',
          ...common,
        });
        await context.close();
        continue;
      }
      const r = report(step, set, res);
      emit({
        figure: `gpu-readiness dispatches ${step.name}${suffix}`,
        median: r.dispatches,
        unit: 'dispatches',
        note: `${g(r.flops)}FLOP, ${mb(r.bytesRead + r.bytesWritten)} moved, peak GPU ${mb(r.peakGpuBytes)}`,
        ...common,
      });
      emit({
        figure: `gpu-readiness min-parallelism ${step.name}${suffix}`,
        median: r.minParallelism.parallelism,
        unit: 'work/serial',
        note: `${r.minParallelism.kernel} (${r.minParallelism.op})`,
        ...common,
      });
      emit({
        figure: `gpu-readiness max-serial-macs ${step.name}${suffix}`,
        median: r.maxSerial.serial,
        unit: r.maxSerial.memoryBound ? 'element steps' : 'MACs',
        note: `${r.maxSerial.kernel} (${r.maxSerial.op})`,
        ...common,
      });
      await context.close();
    }
  }
} finally {
  await app.close();
}

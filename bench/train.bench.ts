/**
 * Training-step throughput in Node on the wasm backend (with simlab's conv backprop kernels): images/s
 * of one optimiser step (forward, loss, backward, SGD-momentum update, after-step) per method, for the
 * ConvNet (w32) and ResNet-18 CIFAR at widths 16 and 64, 32 px. Views are made before the clock
 * starts (augmentation is timed separately by augment.bench.ts). Anchors measured in the same
 * process: the wasm backend's 1024³ matmul GFLOP/s, and PyTorch CPU images/s of the same step
 * (supervised and SimCLR) when /usr/bin/python3 has torch.
 *
 *   node --import tsx bench/train.bench.ts [--models convnet,resnet18-w16,resnet18-w64] [--methods simclr,...] [--reps 3] [--batch 64]
 *
 * ResNet-18 w64 runs at batch 16: at 64 (two views = 128 images) wasm's 4 GiB heap is exhausted.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../src/ml/kernels/wasm/register';
import { createMethod } from '../src/ml/methods/create-method';
import { METHOD_NAMES, type MethodBatch, type MethodName } from '../src/ml/methods/method';
import { createBackbone, type BackboneConfigInput } from '../src/ml/models/backbones';
import { createOptimizer } from '../src/ml/optim/optimizers';
import { createRng } from '../src/ml/rng';
import { emit, median, type BenchRow } from './lib';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

const MODELS: Record<string, { backbone: BackboneConfigInput; batch?: number }> = {
  convnet: { backbone: { name: 'convnet', inputSize: 32, width: 32 } },
  'resnet18-w16': { backbone: { name: 'resnet18', inputSize: 32, width: 16, stem: 'cifar' } },
  'resnet18-w64': {
    backbone: { name: 'resnet18', inputSize: 32, width: 64, stem: 'cifar' },
    batch: 16,
  },
};
const models = arg('models', Object.keys(MODELS).join(',')).split(',');
const methods = arg('methods', METHOD_NAMES.join(',')).split(',') as MethodName[];
const reps = Number(arg('reps', '3'));
const defaultBatch = Number(arg('batch', '64'));

/** Best-of-5 GFLOP/s of a 1024×1024 by 1024×1024 matmul on the active backend. */
async function matmulGflops(): Promise<number> {
  const n = 1024;
  const a = tf.randomNormal([n, n]) as tf.Tensor2D,
    b = tf.randomNormal([n, n]) as tf.Tensor2D;
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    times.push(performance.now() - t0);
    c.dispose();
  }
  tf.dispose([a, b]);
  return (2 * n ** 3) / (Math.min(...times.slice(1)) / 1000) / 1e9;
}

function images(n: number, rng: ReturnType<typeof createRng>): tf.Tensor4D {
  return tf.tensor4d(
    Float32Array.from({ length: n * 32 * 32 * 3 }, () => rng.normal()),
    [n, 32, 32, 3],
  );
}

/** Median images/s of `reps` steps after one warm-up step. */
async function stepRate(model: string, method: MethodName, batch: number): Promise<number> {
  const bb = createBackbone(MODELS[model].backbone);
  const m = createMethod(
    bb.model,
    method === 'supervised'
      ? { method, numClasses: 10 }
      : method === 'mocov2'
        ? { method, queueSize: 4096 }
        : { method },
  );
  const opt = createOptimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 });
  const rng = createRng(1);
  const b: MethodBatch =
    m.batchKind === 'labeled'
      ? {
          x: images(batch, rng),
          y: tf.tensor1d(
            Array.from({ length: batch }, (_, i) => i % 10),
            'int32',
          ),
        }
      : { v1: images(batch, rng), v2: images(batch, rng) };
  const rates: number[] = [];
  try {
    for (let i = 0; i <= reps; i++) {
      const info = { step: i, totalSteps: reps + 1 };
      const t0 = performance.now();
      const r = m.step(b, opt, 0.01, info);
      m.afterStep(info);
      await r.loss.data();
      const s = (performance.now() - t0) / 1000;
      tf.dispose([r.loss, ...Object.values(r.extra)]);
      if (i > 0) rates.push(batch / s);
    }
  } finally {
    tf.dispose(Object.values(b) as tf.Tensor[]);
    m.dispose();
    opt.dispose();
    bb.model.dispose();
  }
  return median(rates);
}

const PY = `
import json, sys, time, torch, torch.nn as nn, torch.nn.functional as F
torch.set_num_threads(2)
def convnet(w):
    L, c = [], 3
    for b in range(4):
        o = w * 2 ** b; L += [nn.Conv2d(c, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(), nn.MaxPool2d(2)]; c = o
    return nn.Sequential(*L, nn.AdaptiveAvgPool2d(1), nn.Flatten()), c
class Block(nn.Module):
    def __init__(s, i, o, st):
        super().__init__()
        s.c1, s.b1 = nn.Conv2d(i, o, 3, st, 1, bias=False), nn.BatchNorm2d(o)
        s.c2, s.b2 = nn.Conv2d(o, o, 3, 1, 1, bias=False), nn.BatchNorm2d(o)
        s.sc = nn.Sequential() if st == 1 and i == o else nn.Sequential(nn.Conv2d(i, o, 1, st, bias=False), nn.BatchNorm2d(o))
    def forward(s, x): return F.relu(s.b2(s.c2(F.relu(s.b1(s.c1(x))))) + s.sc(x))
def resnet18(w):
    L, c = [nn.Conv2d(3, w, 3, 1, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU()], w
    for k in range(4):
        o = w * 2 ** k; L += [Block(c, o, 1 if k == 0 else 2), Block(o, o, 1)]; c = o
    return nn.Sequential(*L, nn.AdaptiveAvgPool2d(1), nn.Flatten()), c
out = {'torch': torch.__version__}
for name, batch in json.loads(sys.argv[1]):
    net, d = convnet(32) if name == 'convnet' else resnet18(int(name.split('-w')[1]))
    for method in ('supervised', 'simclr'):
        head = nn.Linear(d, 10) if method == 'supervised' else nn.Sequential(nn.Linear(d, d, bias=False), nn.BatchNorm1d(d), nn.ReLU(), nn.Linear(d, 64))
        opt = torch.optim.SGD(list(net.parameters()) + list(head.parameters()), lr=0.01, momentum=0.9, weight_decay=5e-4)
        x, y = torch.randn(batch, 3, 32, 32), torch.arange(batch) % 10
        v2 = torch.randn(batch, 3, 32, 32)
        rates = []
        for i in range(${'${REPS}'} + 1):
            t0 = time.time()
            if method == 'supervised':
                loss = F.cross_entropy(head(net(x)), y)
            else:
                z = F.normalize(head(net(torch.cat([x, v2]))), dim=1); s = z @ z.t() / 0.5; s.fill_diagonal_(float('-inf'))
                loss = F.cross_entropy(s, torch.cat([torch.arange(batch, 2 * batch), torch.arange(batch)]))
            opt.zero_grad(); loss.backward(); opt.step()
            if i > 0: rates.append(batch / (time.time() - t0))
        rates.sort(); out[name + '/' + method] = rates[len(rates) // 2]
a = torch.randn(1024, 1024); b = torch.randn(1024, 1024); ts = []
for i in range(6):
    t0 = time.time(); a @ b; ts.append(time.time() - t0)
out['matmulGflops'] = 2 * 1024 ** 3 / min(ts[1:]) / 1e9
print(json.dumps(out))
`;

/** PyTorch CPU images/s of the supervised and SimCLR steps, or null without /usr/bin/python3 + torch. */
function torchRates(specs: [string, number][]): Record<string, number> | null {
  if (!existsSync('/usr/bin/python3')) return null;
  const r = spawnSync(
    '/usr/bin/python3',
    ['-c', PY.replace('${REPS}', String(reps)), JSON.stringify(specs)],
    { encoding: 'utf8', timeout: 1_800_000 },
  );
  if (r.status !== 0) {
    console.error(`PyTorch anchor skipped: ${r.stderr.trim().split('\n').at(-1)}`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
}

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmTrainingKernels();
  const gflops = await matmulGflops();
  console.error(`wasm matmul 1024³: ${gflops.toFixed(1)} GFLOP/s`);
  const anchor = { name: 'wasm matmul 1024³', value: +gflops.toFixed(2), unit: 'GFLOP/s' };
  for (const model of models) {
    if (!MODELS[model])
      throw new Error(`unknown model ${model}; valid: ${Object.keys(MODELS).join(', ')}`);
    const batch = MODELS[model].batch ?? defaultBatch;
    for (const method of methods) {
      const rate = await stepRate(model, method, batch);
      const row: BenchRow = {
        figure: `train step ${method} ${model}`,
        backend: 'wasm (Node)',
        size: `b${batch} 32px`,
        median: +rate.toFixed(2),
        unit: 'images/s',
        runs: reps,
        anchor,
        ratio: null,
        note: 'views pre-made; SGD momentum',
      };
      emit(row);
    }
  }
  const torch = torchRates(models.map((m) => [m, MODELS[m].batch ?? defaultBatch]));
  if (torch) {
    const tAnchor = {
      name: 'torch matmul 1024³',
      value: +torch.matmulGflops.toFixed(2),
      unit: 'GFLOP/s',
    };
    for (const model of models) {
      for (const method of ['supervised', 'simclr']) {
        const v = torch[`${model}/${method}`];
        emit({
          figure: `train step ${method} ${model}`,
          backend: `PyTorch ${torch.torch} CPU (2 threads)`,
          size: `b${MODELS[model].batch ?? defaultBatch} 32px`,
          median: +v.toFixed(2),
          unit: 'images/s',
          runs: reps,
          anchor: tAnchor,
          ratio: null,
          note: 'same step in PyTorch',
        });
      }
    }
  }
}

await main();

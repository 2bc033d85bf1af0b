import { describe, expect, it } from 'vitest';
import { defaultRunConfig, runConfigOrThrow, type RunConfig } from '../../ml/train/config';
import { useCpuBackend } from '../../ml/node-backend.testing';
import { estimateStepBytes, WASM_MEMORY_LIMIT } from './run-controller';

const dataset = { id: 'd', name: 'cifar', fingerprint: 'f', size: 32 };

function withBackbone(
  base: RunConfig,
  backbone: Record<string, unknown>,
  batchSize: number,
): RunConfig {
  return runConfigOrThrow({ ...base, backbone: { ...backbone, inputSize: 32 }, batchSize });
}

describe('wasm memory estimate', () => {
  it('lets ResNet-18 w64 train at batch 32 but refuses batch 64 (PLATFORM.md: 3.4 GiB at 32, never finished at 64)', async () => {
    await useCpuBackend();
    const base = defaultRunConfig('simclr', dataset);
    const b32 = estimateStepBytes(withBackbone(base, { name: 'resnet18', width: 64 }, 32));
    const b64 = estimateStepBytes(withBackbone(base, { name: 'resnet18', width: 64 }, 64));
    expect(b32.bytes).toBeLessThanOrEqual(WASM_MEMORY_LIMIT);
    expect(b64.bytes).toBeGreaterThan(WASM_MEMORY_LIMIT);
    const conv = estimateStepBytes(withBackbone(base, { name: 'convnet', width: 32 }, 128));
    expect(conv.bytes).toBeLessThan(WASM_MEMORY_LIMIT / 2);
  });
});

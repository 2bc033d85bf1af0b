import { describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../methods/method';
import { defaultRunConfig, METHOD_DEFAULTS, parseRunConfig, runConfigOrThrow } from './config';

const dataset = { id: 'd1', name: 'cifar', fingerprint: 'abc', size: 32 };

describe('RunConfig', () => {
  it('fills per-method defaults from a minimal config, and round-trips through JSON', () => {
    for (const method of METHOD_NAMES) {
      const c = defaultRunConfig(method, dataset, { numClasses: 10 });
      expect(c.method.method).toBe(method);
      expect(c.optimizer.name).toBe(METHOD_DEFAULTS[method].optimizer.name);
      expect(c.batchSize).toBe(METHOD_DEFAULTS[method].batchSize);
      expect(c.backbone).toMatchObject({ name: 'convnet', inputSize: 32 });
      expect(c.augmentation.outputSize).toBe(32);
      expect(c.monitor).toMatchObject({
        knnEvery: 1,
        k: 200,
        temperature: 0.1,
        bankSize: 5000,
        source: 'val-split',
      });
      const again = parseRunConfig(JSON.parse(JSON.stringify(c)));
      expect(again).toEqual({ ok: true, config: c });
    }
  });

  it('keeps what the user wrote and sizes the backbone from the dataset', () => {
    const c = runConfigOrThrow({
      dataset: { ...dataset, size: 64 },
      method: { method: 'simclr', temperature: 0.2 },
      optimizer: { name: 'sgd', lr: 0.3 },
    });
    expect(c.method).toMatchObject({ method: 'simclr', temperature: 0.2 });
    expect(c.optimizer).toMatchObject({ name: 'sgd', lr: 0.3, momentum: 0.9 });
    expect(c.backbone.inputSize).toBe(64);
    expect(c.augmentation.outputSize).toBe(64);
  });

  it('lists every problem with its path', () => {
    const r = parseRunConfig({
      dataset: { ...dataset, id: '' },
      method: { method: 'supervised', numClasses: 1 },
      optimizer: { name: 'rmsprop', lr: -1 },
      epochs: 0,
      batchSize: 1.5,
      monitor: { bankSize: 9000, source: 'somewhere' },
      augmentation: { outputSize: 64, views: [[], []] },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.problems.map((p) => p.path);
    for (const p of [
      'dataset.id',
      'method.numClasses',
      'optimizer.name',
      'optimizer.lr',
      'epochs',
      'batchSize',
      'monitor.bankSize',
      'monitor.source',
    ]) {
      expect(paths, `missing ${p} in ${JSON.stringify(r.problems)}`).toContain(p);
    }
    expect(r.problems.find((p) => p.path === 'monitor.bankSize')?.message).toMatch(/5000/);
  });

  it('checks fields that depend on each other', () => {
    const r = parseRunConfig({
      dataset,
      method: { method: 'mocov2', queueSize: 64 },
      batchSize: 128,
      augmentation: { outputSize: 48, views: [[], []] },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toContainEqual({
      path: 'augmentation.outputSize',
      message: 'must equal backbone.inputSize (32), got 48',
    });
    expect(r.problems).toContainEqual({
      path: 'method.queueSize',
      message: 'must be ≥ batchSize (128)',
    });
  });

  it('names the valid methods for an unknown one and rejects unknown keys', () => {
    const r = parseRunConfig({
      dataset,
      method: { method: 'dino' },
      epochs: 1,
      batchSize: 8,
      optimizer: { name: 'sgd', lr: 1 },
      schedule: { kind: 'constant' },
      seed: 0,
      augmentation: { outputSize: 32, views: [[], []] },
      backbone: { name: 'convnet' },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0].path).toBe('method.method');
    const extra = parseRunConfig({ dataset, method: { method: 'simclr' }, lrr: 3 });
    expect(extra.ok).toBe(false);
    if (!extra.ok) expect(JSON.stringify(extra.problems)).toMatch(/lrr/);
    expect(() => runConfigOrThrow({ dataset, method: { method: 'simclr' }, epochs: -2 })).toThrow(
      /invalid run config:\n {2}epochs: /,
    );
  });
});

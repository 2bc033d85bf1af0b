import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { simclrCifarConfig } from './tiny-runs.testing';

const root = path.resolve(import.meta.dirname, '../../..');
const fixture = JSON.parse(
  readFileSync(path.join(root, 'tests/reference/fixtures/train_reference.json'), 'utf8'),
) as {
  script: string;
  scriptSha256: string;
  torch: string;
  config: {
    width: number;
    blocks: number;
    batch: number;
    lr: number;
    schedule: string;
    epochs: number;
    temperature: number;
    projectionDim: number;
    cropScale: number[];
    k: number;
    knnTemperature: number;
  };
  knnTop1BySeed: Record<string, number[]>;
  meanRandomInit: number;
  meanTrained: number;
};

describe('train_reference fixture (PyTorch SimCLR on cifar10-png)', () => {
  it('was written by the current script', () => {
    const script = readFileSync(path.join(root, fixture.script));
    expect(
      createHash('sha256').update(script).digest('hex'),
      `re-run /usr/bin/python3 ${fixture.script}`,
    ).toBe(fixture.scriptSha256);
    expect(fixture.torch).toMatch(/^1\.13/);
  });

  it('trained the recipe the learning test runs', () => {
    const c = simclrCifarConfig(32);
    const crop = c.augmentation.views[0][0];
    expect(fixture.config).toMatchObject({
      width: c.backbone.name === 'convnet' ? c.backbone.width : -1,
      blocks: c.backbone.name === 'convnet' ? c.backbone.blocks : -1,
      batch: c.batchSize,
      lr: c.optimizer.lr,
      schedule: c.schedule.kind,
      epochs: c.epochs,
      temperature: c.method.method === 'simclr' ? c.method.temperature : -1,
      projectionDim: c.method.method === 'simclr' ? c.method.projectionDim : -1,
      cropScale: crop.op === 'random-resized-crop' ? crop.scale : [],
      k: c.monitor.k,
      knnTemperature: c.monitor.temperature,
    });
    // PyTorch itself learns from this recipe: every seed ends above its random init.
    for (const curve of Object.values(fixture.knnTop1BySeed))
      expect(curve.at(-1)!).toBeGreaterThan(curve[0]);
  });
});

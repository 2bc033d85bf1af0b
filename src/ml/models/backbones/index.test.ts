import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { useWasmBackend } from '../../node-backend.testing';
import { BACKBONE_NAMES, BackboneConfigSchema, createBackbone, parseBackboneConfig } from './index';

describe('backbone registry', () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  it('lists the four backbones and rejects unknown names with the valid ones', () => {
    expect(BACKBONE_NAMES).toEqual(['convnet', 'resnet18', 'resnet50', 'mobilenetv3-small']);
    expect(() => createBackbone({ name: 'vgg16' } as never)).toThrow(
      'unknown backbone "vgg16"; valid names: convnet, resnet18, resnet50, mobilenetv3-small',
    );
  });

  it('reports invalid options by path', () => {
    expect(() => parseBackboneConfig({ name: 'convnet', blocks: 5 })).toThrow(
      /invalid convnet config: blocks/,
    );
    expect(() => parseBackboneConfig({ name: 'resnet18', stem: 'tiny' })).toThrow(
      /invalid resnet18 config: stem/,
    );
  });

  for (const input of [
    {
      name: 'convnet',
      width: 4,
      blocks: 3,
      inputSize: 16,
      activation: 'silu',
      dropout: 0.1,
      seed: 9,
    },
    { name: 'resnet18', width: 4, inputSize: 16, seed: 9 },
    { name: 'resnet50', width: 4, stem: 'cifar', inputSize: 16, seed: 9 },
    { name: 'mobilenetv3-small', widthMultiplier: 0.25, inputSize: 16, seed: 9 },
  ] as const) {
    it(`${input.name}: config survives JSON and rebuilds identical weights`, async () => {
      const a = createBackbone(input);
      expect(a.name).toBe(input.name);
      const json = JSON.parse(JSON.stringify(a.config));
      expect(BackboneConfigSchema.parse(json)).toEqual(a.config);
      const b = createBackbone(json);
      expect(b.config).toEqual(a.config);
      expect(b.embeddingDim).toBe(a.embeddingDim);
      const wa = a.model.getWeights();
      const wb = b.model.getWeights();
      expect(wb.length).toBe(wa.length);
      for (let i = 0; i < wa.length; i++)
        expect(Array.from(await wb[i].data())).toEqual(Array.from(await wa[i].data()));
      const x = tf.ones([1, 16, 16, 3]);
      const y = a.model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([1, a.embeddingDim]);
      tf.dispose([x, y]);
      a.model.dispose();
      b.model.dispose();
    });
  }
});

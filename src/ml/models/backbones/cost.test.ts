import { describe, it, expect, beforeAll } from 'vitest';
import { useWasmBackend } from '../../node-backend.testing';
import { modelCost } from './cost';
import { createResNet18 } from './resnet';
import { createMobileNetV3Small } from './mobilenetv3';
import { createConvNet } from './convnet';

describe('modelCost', () => {
  beforeAll(async () => {
    await useWasmBackend();
  });

  it("ResNet-18 ImageNet stem at 224 px: 1.81 GMACs (torchvision's table, less the 0.5 M of fc)", () => {
    const { model } = createResNet18({ stem: 'imagenet', inputSize: 224 }, { initWeights: false });
    const c = modelCost(model);
    expect(c.params).toBe(11_176_512);
    expect((c.macsPerImage + 512 * 1000) / 1e9).toBeCloseTo(1.81, 2);
    model.dispose();
  });

  it('ResNet-18 CIFAR stem at 32 px: 0.56 GMACs', () => {
    const { model } = createResNet18({ inputSize: 32 }, { initWeights: false });
    expect(modelCost(model).macsPerImage / 1e9).toBeCloseTo(0.56, 2);
    model.dispose();
  });

  it("MobileNetV3-Small, torchvision table at 224 px: 0.06 GMACs (torchvision's table)", () => {
    const { model } = createMobileNetV3Small(
      { table: 'torchvision', inputSize: 224 },
      { initWeights: false },
    );
    const c = modelCost(model);
    const classifier = 576 * 1024 + 1024 * 1000;
    expect((c.macsPerImage + classifier) / 1e9).toBeCloseTo(0.06, 2);
    model.dispose();
  });

  it('ConvNet: MACs and activation floats by hand', () => {
    const { model } = createConvNet(
      { width: 4, blocks: 3, inputSize: 16, batchNorm: false },
      { initWeights: false },
    );
    const c = modelCost(model);
    // convs at 16², 8², 4²: 3→4, 4→8, 8→16, 3×3 kernels
    expect(c.macsPerImage).toBe(256 * 4 * 27 + 64 * 8 * 36 + 16 * 16 * 72);
    // conv + act at 16²·4, pool 8²·4; 8²·8 ×2, 4²·8; 4²·16 ×2, 2²·16; avgpool 16
    expect(c.activationFloatsPerImage).toBe(2 * 1024 + 256 + 2 * 512 + 128 + 2 * 256 + 64 + 16);
    expect(c.nonTrainable).toBe(0);
    model.dispose();
  });
});

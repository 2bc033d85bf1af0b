import { describe, expect, it } from 'vitest';
import { softwareWebGlReason, softwareWebGpuReason, webGlRenderer } from './backend-software';

// Strings as Chromium reports them: under the CI flags (measured in a worker, Chromium 14x,
// --use-webgpu-adapter=swiftshader) and, for real GPUs, as published by GPUAdapterInfo / ANGLE.
describe('software renderer detection', () => {
  it('skips the SwiftShader WebGPU adapter, by name or by isFallbackAdapter alone', () => {
    const swiftshader = {
      vendor: 'google',
      architecture: 'swiftshader',
      device: '',
      description: '',
      isFallbackAdapter: true,
    };
    expect(softwareWebGpuReason(swiftshader)).toMatch(/software renderer \(swiftshader\)/);
    expect(softwareWebGpuReason({ ...swiftshader, isFallbackAdapter: false })).toMatch(
      /swiftshader/,
    );
    expect(
      softwareWebGpuReason({ vendor: 'x', architecture: 'y', isFallbackAdapter: true }),
    ).toMatch(/fallback adapter/);
    expect(softwareWebGpuReason({ vendor: 'x', architecture: 'y' }, true)).toMatch(/fallback/);
  });

  it('keeps real GPU adapters', () => {
    expect(softwareWebGpuReason({ vendor: 'nvidia', architecture: 'ampere' })).toBeNull();
    expect(softwareWebGpuReason({ vendor: 'apple', architecture: 'metal-3' }, false)).toBeNull();
    expect(
      softwareWebGpuReason({ vendor: 'intel', architecture: 'gen-12lp', isFallbackAdapter: false }),
    ).toBeNull();
  });

  it('skips SwiftShader and llvmpipe WebGL renderers and keeps GPU ones', () => {
    expect(
      softwareWebGlReason(
        'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
      ),
    ).toMatch(/SwiftShader/);
    expect(softwareWebGlReason('llvmpipe (LLVM 15.0.6, 256 bits)')).toMatch(/llvmpipe/);
    expect(
      softwareWebGlReason(
        'ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 Direct3D11 vs_5_0 ps_5_0, D3D11)',
      ),
    ).toBeNull();
    expect(
      softwareWebGlReason('ANGLE (Apple, ANGLE Metal Renderer: Apple M2, Unspecified Version)'),
    ).toBeNull();
  });

  it('finds no WebGL renderer in Node', () => {
    expect(webGlRenderer()).toBeNull();
  });
});

/**
 * Software renderers: a WebGPU adapter or WebGL context that runs on the CPU (SwiftShader,
 * llvmpipe, …) is far slower than the wasm backend (measured: WebGPU on SwiftShader ~0.2 GFLOP/s
 * against ~20 for wasm), so the automatic backend choice skips them. Runs in the worker and in Node
 * (no DOM use beyond OffscreenCanvas/document feature checks).
 */

/** Renderer names of CPU implementations of WebGPU / WebGL. */
const SOFTWARE_RENDERER =
  /swiftshader|llvmpipe|lavapipe|softpipe|software rasterizer|microsoft basic render|mesa offscreen/i;

/** The parts of GPUAdapterInfo (and the older GPUAdapter.isFallbackAdapter) this module reads. */
export interface AdapterFacts {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/**
 * Why a WebGPU adapter is a software one, in words for the header popover; null for a real GPU.
 * `legacyFallback` is `GPUAdapter.isFallbackAdapter` (browsers before GPUAdapterInfo had it).
 */
export function softwareWebGpuReason(info: AdapterFacts, legacyFallback?: boolean): string | null {
  const names = [info.vendor, info.architecture, info.device, info.description]
    .filter(Boolean)
    .join(' ');
  const renderer = SOFTWARE_RENDERER.exec(names)?.[0];
  if (!renderer && info.isFallbackAdapter !== true && legacyFallback !== true) return null;
  const what = renderer ? `a software renderer (${renderer})` : 'a fallback adapter';
  return (
    `the only WebGPU adapter is ${what} that runs on the CPU, not a GPU: ` +
    'it trains about 100× slower than WebAssembly, so WebAssembly is used instead'
  );
}

/** Why a WebGL renderer string is a software one, in words for the header popover; null otherwise. */
export function softwareWebGlReason(renderer: string): string | null {
  const m = SOFTWARE_RENDERER.exec(renderer)?.[0];
  if (!m) return null;
  return (
    `WebGL runs on a software renderer (${m}) on the CPU, not a GPU: ` +
    'it trains slower than WebAssembly, so WebAssembly is used instead'
  );
}

type GlLike = {
  RENDERER: number;
  getParameter(p: number): unknown;
  getExtension(name: string): { UNMASKED_RENDERER_WEBGL: number } | null;
};

/**
 * The WebGL renderer's name (unmasked when the browser allows it), from a 1×1 context made for the
 * question and dropped at once; null when no WebGL context can be made here.
 */
export function webGlRenderer(): string | null {
  const g = globalThis as {
    OffscreenCanvas?: new (w: number, h: number) => { getContext(k: string): unknown };
    document?: { createElement(t: string): { getContext(k: string): unknown } };
  };
  const canvas = g.OffscreenCanvas
    ? new g.OffscreenCanvas(1, 1)
    : g.document
      ? g.document.createElement('canvas')
      : null;
  if (!canvas) return null;
  const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as GlLike | null;
  if (!gl) return null;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  (gl.getExtension('WEBGL_lose_context') as { loseContext(): void } | null)?.loseContext();
  return name;
}

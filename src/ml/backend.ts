/**
 * Backend choice and capability report. Runs in the worker and in Node tests (no DOM use beyond
 * feature checks on `navigator`).
 */
import * as tf from '@tensorflow/tfjs';

import { BACKENDS, type BackendName, type BackendReport } from './backend-names';
import { softwareWebGlReason, softwareWebGpuReason, webGlRenderer } from './backend-software';

export { BACKENDS, isBackendName, type BackendName, type BackendReport } from './backend-names';

interface GpuLike {
  requestAdapter(): Promise<{
    info?: Record<string, string | boolean | undefined>;
    isFallbackAdapter?: boolean;
  } | null>;
}

/**
 * Probes WebGPU without creating a tfjs backend; returns adapter info (and, for a CPU fallback
 * adapter such as SwiftShader, why it is one) or the reason WebGPU is missing.
 */
export async function probeWebGpu(): Promise<
  | { ok: true; adapter: NonNullable<BackendReport['adapter']>; software: string | null }
  | { ok: false; reason: string }
> {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  if (!nav || !nav.gpu) {
    const secure = (globalThis as { isSecureContext?: boolean }).isSecureContext;
    return {
      ok: false,
      reason:
        secure === false
          ? 'this page is not a secure context (use https or localhost), so the browser hides WebGPU'
          : 'this browser does not expose WebGPU (navigator.gpu is missing); use a recent Chrome or Edge',
    };
  }
  try {
    const adapter = await nav.gpu.requestAdapter();
    if (!adapter) {
      return {
        ok: false,
        reason: 'no WebGPU adapter: the GPU is blocklisted or WebGPU is disabled in this browser',
      };
    }
    const info = adapter.info ?? {};
    const text = (k: string) => (typeof info[k] === 'string' ? (info[k] as string) : '');
    return {
      ok: true,
      adapter: {
        vendor: text('vendor') || 'unknown vendor',
        architecture: text('architecture') || 'unknown architecture',
        device: text('device'),
        description: text('description'),
      },
      software: softwareWebGpuReason(
        {
          vendor: text('vendor'),
          architecture: text('architecture'),
          device: text('device'),
          description: text('description'),
          isFallbackAdapter: info.isFallbackAdapter === true,
        },
        adapter.isFallbackAdapter,
      ),
    };
  } catch (e) {
    return { ok: false, reason: `requesting a WebGPU adapter failed: ${(e as Error).message}` };
  }
}

/**
 * tfjs-backend-wasm 4.22 sizes its XNNPACK thread pool from navigator.hardwareConcurrency / 2
 * (it assumes two hyper-threads per core) and caps setThreadsCount() there, so a 2-core machine gets
 * one thread. In a browser worker, report twice the wanted count before the module starts so the
 * pool gets exactly `threads` (at most the 8 workers the build pre-creates). Node is left alone.
 */
function exposeCoresToWasm(threads: number): void {
  const g = globalThis as { WorkerGlobalScope?: unknown; navigator?: object };
  if (typeof g.WorkerGlobalScope === 'undefined' || !g.navigator) return;
  Object.defineProperty(g.navigator, 'hardwareConcurrency', {
    value: Math.min(threads, 8) * 2,
    configurable: true,
  });
}

export interface InitBackendOptions {
  /**
   * Force one backend (from `?backend=`); otherwise webgpu → webgl → wasm → cpu, skipping a WebGPU
   * adapter or WebGL renderer that runs on the CPU (SwiftShader, llvmpipe: slower than wasm).
   */
  force?: BackendName | null;
  /** Base URL or explicit file map for the wasm binaries (served by the app, never a CDN). */
  wasmPaths?: string | Record<string, string>;
  /** wasm threads; defaults to navigator.hardwareConcurrency. */
  wasmThreads?: number;
}

async function tryBackend(name: BackendName, opts: InitBackendOptions): Promise<string | null> {
  try {
    if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (opts.wasmPaths) wasm.setWasmPaths(opts.wasmPaths as never, true);
      const threads = Math.max(
        1,
        opts.wasmThreads ?? (globalThis.navigator?.hardwareConcurrency || 1),
      );
      wasm.setThreadsCount(threads);
      exposeCoresToWasm(threads);
    }
    if (name === 'webgpu') {
      await import('@tensorflow/tfjs-backend-webgpu');
    }
    const ok = await tf.setBackend(name);
    if (!ok) return `tfjs could not initialise ${name}`;
    await tf.ready();
    if (name === 'webgpu') {
      // simlab's training kernels (split-K filter gradient, …) replace weak stock ones.
      const { registerWebGpuTrainingKernels } = await import('./kernels/webgpu/register');
      registerWebGpuTrainingKernels();
    }
    return null;
  } catch (e) {
    return (e as Error).message || String(e);
  }
}

/** Picks and initialises the backend; resolves with what was chosen and why. */
export async function initBackend(opts: InitBackendOptions = {}): Promise<BackendReport> {
  const skipped: BackendReport['skipped'] = [];
  const probe = await probeWebGpu();
  const order: BackendName[] = opts.force ? [opts.force] : [...BACKENDS];
  let active: BackendName | null = null;
  for (const name of order) {
    if (name === 'webgpu' && !probe.ok) {
      skipped.push({ name, reason: probe.reason });
      continue;
    }
    if (name === 'webgpu' && probe.ok && probe.software && !opts.force) {
      skipped.push({ name, reason: probe.software });
      continue;
    }
    if (
      name === 'webgl' &&
      typeof (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas === 'undefined' &&
      typeof document === 'undefined'
    ) {
      skipped.push({ name, reason: 'no OffscreenCanvas for WebGL in this context' });
      continue;
    }
    if (name === 'webgl' && !opts.force) {
      const renderer = webGlRenderer();
      const soft =
        renderer === null ? 'WebGL is not available here' : softwareWebGlReason(renderer);
      if (soft) {
        skipped.push({ name, reason: soft });
        continue;
      }
    }
    const err = await tryBackend(name, opts);
    if (err === null) {
      active = name;
      break;
    }
    skipped.push({ name, reason: err });
  }
  if (active === null) {
    const why = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
    throw new Error(`no tfjs backend could start (${why})`);
  }
  let wasmThreads = 1;
  if (active === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasmThreads = wasm.getThreadsCount();
  }
  return {
    active,
    forced: !!opts.force,
    adapter: active === 'webgpu' && probe.ok ? probe.adapter : null,
    webgpuUnavailable:
      active === 'webgpu'
        ? null
        : probe.ok
          ? opts.force
            ? `backend forced to ${active}`
            : (probe.software ?? 'WebGPU adapter present but tfjs failed to start on it')
          : probe.reason,
    skipped,
    wasmThreads,
    crossOriginIsolated: !!(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated,
  };
}

/** Backend names and the report type, without importing tfjs (safe for the page bundle). */
export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface BackendReport {
  /** The backend tfjs is using now. */
  active: BackendName;
  /** Whether the user forced it with `?backend=`. */
  forced: boolean;
  /** WebGPU adapter facts when the active backend is webgpu. */
  adapter: { vendor: string; architecture: string; device: string; description: string } | null;
  /** Why WebGPU is not in use (null when it is). */
  webgpuUnavailable: string | null;
  /** Backends tried before the active one, with the reason each was skipped. */
  skipped: { name: BackendName; reason: string }[];
  /** wasm threads in use (1 when single-threaded or not wasm). */
  wasmThreads: number;
  /** Whether the context is cross-origin isolated (needed for threaded wasm). */
  crossOriginIsolated: boolean;
}

export function isBackendName(x: unknown): x is BackendName {
  return typeof x === 'string' && (BACKENDS as readonly string[]).includes(x);
}

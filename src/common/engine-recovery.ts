/**
 * What the engine tells the page when it restarted its backend after a GPU fault, and the test
 * hooks that cause each fault (tfjs-free: the page imports these).
 */
import type { BackendReport } from '../ml/backend-names';

/** Sent when the engine started a new backend on its own (after a lost GPU or GPU out of memory). */
export interface BackendChange {
  report: BackendReport;
  /** What happened and where the engine runs now, in words for the user. */
  reason: string;
}

/**
 * Test hooks (EngineApi.testHook; only when the page was opened with `?testHooks=1`):
 * - 'destroy-gpu-device': GPUDevice.destroy() on the webgpu backend's device (a lost device);
 * - 'gpu-out-of-memory': a GPUOutOfMemoryError delivered as the device's uncaptured error;
 * - 'crash': an exception thrown from a timer, reaching the worker's global error handler;
 * - 'hang': a timer that never returns (the worker stops answering; the heartbeat notices).
 */
export const TEST_HOOKS = ['destroy-gpu-device', 'gpu-out-of-memory', 'crash', 'hang'] as const;
export type TestHook = (typeof TEST_HOOKS)[number];

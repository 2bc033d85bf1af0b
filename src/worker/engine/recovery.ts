/**
 * The engine's recovery part. On a GPU fault (lost device, out of GPU memory) it ends the run in
 * progress at its last checkpoint with a message saying so, drops the dead backend, starts a new
 * one (webgpu again when a GPU adapter comes back, else wasm; a forced backend again) and tells the
 * page. Also the heartbeat the page's watchdog pings (worker/engine-supervisor.ts)
 * and the test hooks that cause each fault.
 */
import { probeWebGpu, type BackendReport } from '../../ml/backend';
import type { BackendChange } from '../../common/engine-recovery';
import type { EngineApi } from '../api';
import type { RunController } from '../train/run-controller';
import type { EngineContext } from './context';
import {
  destroyGpuDevice,
  injectGpuOutOfMemory,
  resetWebGpuBackend,
  watchGpuDevice,
  webGpuDevice,
  type GpuFault,
} from './gpu-faults';

export type RecoveryPart = Pick<EngineApi, 'init' | 'ping' | 'testHook'>;

type InitOptions = Parameters<EngineApi['init']>[0];

/** How long a run gets to end after abort() before the backend is replaced anyway. */
const RUN_END_WAIT_MS = 15_000;
/** How long a run's error on webgpu waits for the device to report a fault that explains it. */
const EXPLAIN_WAIT_MS = 500;

/** What the user reads about a fault (the run's error message and the engine's notice). */
export function faultMessage(f: GpuFault): { what: string; advice: string } {
  return f.kind === 'lost'
    ? {
        what: `The GPU device was lost (${f.detail})`,
        advice: '',
      }
    : {
        what: `The GPU ran out of memory (${f.detail})`,
        advice: ' A smaller batch size or a narrower backbone needs less GPU memory.',
      };
}

/** The run's error message for a fault. */
function runMessage(f: GpuFault): string {
  const { what, advice } = faultMessage(f);
  return `${what}. The run stopped at its last checkpoint; resume it from the Train panel.${advice}`;
}

/** `start` is the backend part's init (tfjs start-up); this part's init wraps it. */
export function recoveryPart(
  ctx: EngineContext,
  controller: RunController,
  start: EngineApi['init'],
): RecoveryPart {
  let options: InitOptions = { backend: null };
  let hooks = false;
  let notify: ((c: BackendChange) => void) | undefined;
  /** Resolves with the current webgpu device's first fault (never on other backends). */
  let faulted: Promise<GpuFault> = new Promise(() => undefined);
  let onWebGpu = false;

  async function begin(o: InitOptions): Promise<BackendReport> {
    const report = await start(o);
    onWebGpu = report.active === 'webgpu';
    let fire: (f: GpuFault) => void = () => undefined;
    faulted = new Promise<GpuFault>((r) => (fire = r));
    watchGpuDevice((f) => {
      fire(f);
      void recover(f);
    });
    return report;
  }

  // A run's error on webgpu may be the first sign of a lost device (its read-back fails before
  // `lost` resolves): wait briefly for the fault and say that instead.
  controller.explainErrors(async (message) => {
    if (!onWebGpu) return message;
    const f = await Promise.race([
      faulted,
      new Promise<null>((r) => setTimeout(() => r(null), EXPLAIN_WAIT_MS)),
    ]);
    return f ? runMessage(f) : message;
  });

  async function recover(f: GpuFault): Promise<void> {
    let settle: () => void = () => undefined;
    ctx.restarted = new Promise<void>((r) => (settle = r));
    try {
      await restart(f);
    } finally {
      settle();
    }
  }

  async function restart(f: GpuFault): Promise<void> {
    const { what } = faultMessage(f);
    const run = controller.active;
    controller.abort(new Error(runMessage(f)));
    await Promise.race([controller.idle(), new Promise((r) => setTimeout(r, RUN_END_WAIT_MS))]);
    // Out of memory leaves the device alive but its buffers invalid: let it go too.
    if (f.kind === 'out-of-memory') webGpuDevice()?.destroy();
    resetWebGpuBackend();
    const report = await startAgain();
    notify?.({
      report,
      reason:
        `${what}${run ? `, during run ${run.runId.slice(0, 8)}` : ''}. ` +
        `The engine restarted on ${report.active}${report.active === 'webgpu' ? ' (a new GPU device)' : ''}.`,
    });
  }

  /** webgpu again when a GPU adapter comes back, else wasm (the forced backend when one was). */
  async function startAgain(): Promise<BackendReport> {
    if (options.backend === null) {
      const probe = await probeWebGpu();
      const gpu = probe.ok && !probe.software;
      try {
        const r = await begin({ ...options, backend: gpu ? 'webgpu' : 'wasm' });
        // Chosen here, not forced by the user.
        const why = probe.ok
          ? (probe.software ?? 'tfjs could not start on the new GPU device')
          : probe.reason;
        return { ...r, forced: false, webgpuUnavailable: r.active === 'webgpu' ? null : why };
      } catch {
        return begin({ ...options, backend: 'wasm' });
      }
    }
    try {
      return await begin(options);
    } catch {
      // A forced webgpu whose adapter did not come back: wasm runs everywhere.
      return begin({ ...options, backend: 'wasm' });
    }
  }

  return {
    async init(o, onBackendChange) {
      options = { backend: o.backend, wasmThreads: o.wasmThreads };
      hooks = !!o.testHooks;
      notify = onBackendChange;
      return begin(options);
    },

    async ping() {
      return Date.now();
    },

    async testHook(name) {
      if (!hooks) throw new Error('test hooks are off (open the page with ?testHooks=1)');
      switch (name) {
        case 'destroy-gpu-device':
          return destroyGpuDevice();
        case 'gpu-out-of-memory':
          return injectGpuOutOfMemory();
        case 'crash':
          // Thrown outside any promise, so it reaches the worker's global error handler.
          setTimeout(() => {
            throw new Error('test hook: the engine worker crashed');
          }, 0);
          return;
        case 'hang':
          setTimeout(() => {
            for (let t = Date.now(); t > 0; t = Date.now());
          }, 0);
          return;
        default:
          throw new Error(`unknown test hook ${String(name)}`);
      }
    },
  };
}

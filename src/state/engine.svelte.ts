/**
 * The engine worker's lifecycle and backend report, as rune state for the UI. The worker is
 * supervised (worker/engine-supervisor.ts): after it died and was restarted, or after the engine
 * restarted its backend on a GPU fault, `notice` says what happened.
 */
import {
  isBackendName,
  type BackendChange,
  type BackendName,
  type BackendReport,
} from '../worker/api';
import { createEngineClient, type EngineClient } from '../worker/client';

export class EngineState {
  client: EngineClient;
  report = $state.raw<BackendReport | null>(null);
  error = $state<string | null>(null);
  ready = $state(false);
  /** What the engine recovered from last (worker restarted, GPU lost), for the header; null if nothing. */
  notice = $state<string | null>(null);
  /** How many times the worker was restarted after dying. */
  restarts = $state(0);
  /** Backend requested with ?backend=NAME (null = automatic). */
  readonly requested: BackendName | null;
  /** `?testHooks=1`: the engine accepts EngineApi.testHook (browser tests only). */
  readonly testHooks: boolean;

  constructor(search: string) {
    const q = new URLSearchParams(search);
    const param = q.get('backend');
    this.requested = isBackendName(param) ? param : null;
    if (param && !this.requested)
      this.error = `?backend=${param} is not a backend; use webgpu, webgl, wasm or cpu`;
    this.testHooks = q.get('testHooks') === '1';
    // Tests of the heartbeat shorten it (?testHooks=1&heartbeatMs=N); users keep the default.
    const hb = Number(q.get('heartbeatMs'));
    this.client = createEngineClient({
      heartbeat:
        this.testHooks && hb > 0 ? { everyMs: Math.min(500, hb / 4), timeoutMs: hb } : undefined,
    });
    this.client.onRestart((why) => {
      this.report = null;
      this.ready = false;
      this.restarts++;
      this.notice =
        `The engine stopped unexpectedly (${why}) and was restarted. ` +
        'A run that was training is kept as interrupted at its last checkpoint: resume it from the Train panel.';
      void this.start();
    });
  }

  #onBackendChange = (c: BackendChange) => {
    this.report = c.report;
    this.notice = c.reason;
  };

  async start(): Promise<void> {
    try {
      this.report = await this.client.init(
        { backend: this.requested, testHooks: this.testHooks },
        this.#onBackendChange,
      );
      this.ready = true;
      // A debugging handle on the engine (the browser tests and benchmarks use it too); `remote`
      // always reaches the current worker, also after a restart.
      (window as unknown as { __simlab?: unknown }).__simlab = { engine: this.client.remote };
    } catch (e) {
      this.error = `The engine could not start: ${(e as Error).message}`;
    }
  }
}

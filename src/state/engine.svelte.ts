/**
 * The engine worker's lifecycle and backend report, as rune state for the UI.
 */
import { isBackendName, type BackendName, type BackendReport } from '../worker/api';
import { createEngineClient, type EngineClient } from '../worker/client';

export class EngineState {
  client: EngineClient;
  report = $state.raw<BackendReport | null>(null);
  error = $state<string | null>(null);
  ready = $state(false);
  /** Backend requested with ?backend=NAME (null = automatic). */
  readonly requested: BackendName | null;

  constructor(search: string) {
    const param = new URLSearchParams(search).get('backend');
    this.requested = isBackendName(param) ? param : null;
    if (param && !this.requested)
      this.error = `?backend=${param} is not a backend; use webgpu, webgl, wasm or cpu`;
    this.client = createEngineClient();
  }

  async start(): Promise<void> {
    try {
      this.report = await this.client.remote.init({ backend: this.requested });
      this.ready = true;
      // A debugging handle on the engine (the browser tests and benchmarks use it too).
      (window as unknown as { __simlab?: unknown }).__simlab = { engine: this.client.remote };
    } catch (e) {
      this.error = `The engine could not start: ${(e as Error).message}`;
    }
  }
}

/**
 * The Train panel's state: the run config being edited (validated in the engine), the live run
 * (progress and curves from engine events), and stored runs that can be resumed.
 */
import {
  curvesWith,
  type ConfigProblem,
  type MethodName,
  type RunConfig,
  type RunEvent,
  type RunRecord,
} from '../worker/api';
import { EngineCrashed, type EngineClient } from '../worker/client';

export interface LiveProgress {
  step: number;
  totalSteps: number;
  epoch: number;
  epochs: number;
  etaSec: number;
  imagesPerSec: number;
  loss: number;
  lr: number;
}

/** The Train panel's words for a run call that failed (the worker dying is said plainly). */
function runFailure(e: unknown): string {
  if (e instanceof EngineCrashed)
    return (
      `The engine stopped while training (${e.why}) and was restarted. ` +
      'The run is kept as interrupted at its last checkpoint: resume it below.'
    );
  return (e as Error).message;
}

export class TrainState {
  readonly #client: EngineClient;
  config = $state<RunConfig | null>(null);
  problems = $state.raw<ConfigProblem[]>([]);
  runId = $state<string | null>(null);
  status = $state<'idle' | 'starting' | 'running' | 'paused' | 'stopping'>('idle');
  progress = $state.raw<LiveProgress | null>(null);
  /** Curves of the run on screen (a stored run's, extended live). */
  steps = $state.raw<RunRecord['curves']['steps']>([]);
  epochs = $state.raw<RunRecord['curves']['epochs']>([]);
  gradNorms = $state.raw<Record<string, number> | null>(null);
  message = $state<string | null>(null);
  error = $state<string | null>(null);
  runs = $state.raw<RunRecord[]>([]);
  lastCheckpoint = $state.raw<{ epoch: number; bytes: number } | null>(null);
  /** The stored record of the run on screen while none trains (the latest one after a reload). */
  shown = $derived(
    this.status === 'idle' && this.runId
      ? (this.runs.find((r) => r.id === this.runId) ?? null)
      : null,
  );
  #restoreDone = false;
  /** Bumped by loadConfig, so a defaults() answer that arrives later does not replace that config. */
  #configSeq = 0;
  #validateSeq = 0;
  /** Set by loadConfig: the next defaults() for this method and dataset keeps the loaded config. */
  #loaded: { method: string; datasetId: string } | null = null;

  constructor(client: EngineClient) {
    this.#client = client;
  }

  async refreshRuns(): Promise<void> {
    this.runs = await this.#client.remote.listRuns();
  }

  /**
   * Once per page: shows the latest training run (its curves, status and config) when nothing
   * else is on screen, so a reload lands on the run that was going, with Resume where it applies.
   */
  async restoreLatest(): Promise<void> {
    await this.refreshRuns();
    if (this.#restoreDone) return;
    this.#restoreDone = true;
    // A config loaded from elsewhere (a config JSON or a run imported in the Runs panel) stays.
    if (this.status !== 'idle' || this.runId || this.#loaded) return;
    const latest = this.runs
      .filter((r) => (r.kind ?? 'train') === 'train')
      .reduce<RunRecord | null>((a, r) => (!a || r.updatedAt > a.updatedAt ? r : a), null);
    if (!latest) return;
    this.runId = latest.id;
    this.steps = latest.curves.steps;
    this.epochs = latest.curves.epochs;
    this.loadConfig(latest.config);
  }

  /** A fresh default config for a method on a dataset (keeps the current augmentation when asked). */
  async defaults(method: MethodName, datasetId: string): Promise<void> {
    const loaded = this.#loaded;
    this.#loaded = null;
    if (loaded && loaded.method === method && loaded.datasetId === datasetId && this.config) return;
    // A run started from elsewhere (Runs panel) keeps its config on screen while it trains.
    if (this.status !== 'idle') return;
    this.error = null;
    try {
      const seq = this.#configSeq;
      const config = await this.#client.remote.defaultRunConfig(method, datasetId);
      if (seq !== this.#configSeq) return;
      this.config = config;
      await this.validate();
    } catch (e) {
      this.error = (e as Error).message;
    }
  }

  /** Fills the form with a whole config (from the Runs panel: a stored run's, or imported JSON). */
  loadConfig(config: RunConfig): void {
    this.#configSeq++;
    this.config = structuredClone(config);
    this.#loaded = { method: config.method.method, datasetId: config.dataset.id };
    void this.validate();
  }

  /** Validates the config in the engine; latest call wins. */
  /** Validates and, when valid, takes the engine's defaulted config (after a structural change). */
  async adoptDefaults(): Promise<void> {
    if (!this.config) return;
    const r = await this.#client.remote.validateRunConfig($state.snapshot(this.config));
    if (r.ok) this.config = r.config;
    this.problems = r.ok ? [] : r.problems;
  }

  async validate(): Promise<boolean> {
    if (!this.config) return false;
    const seq = ++this.#validateSeq;
    const r = await this.#client.remote.validateRunConfig($state.snapshot(this.config));
    if (seq !== this.#validateSeq) return r.ok;
    this.problems = r.ok ? [] : r.problems;
    return r.ok;
  }

  #onEvent = (e: RunEvent) => {
    switch (e.type) {
      case 'record':
        this.runId = e.runId;
        this.steps = e.record.curves.steps;
        this.epochs = e.record.curves.epochs;
        break;
      case 'step':
        this.status = 'running';
        this.progress = {
          step: e.step,
          totalSteps: e.totalSteps,
          epoch: e.epoch,
          epochs: this.config?.epochs ?? 0,
          etaSec: e.etaSec,
          imagesPerSec: e.imagesPerSec,
          loss: e.loss,
          lr: e.lr,
        };
        this.steps = curvesWith({ steps: this.steps, epochs: [] }, e).steps;
        if (e.gradNorms) this.gradNorms = e.gradNorms;
        break;
      case 'epoch':
        this.epochs = curvesWith({ steps: [], epochs: this.epochs }, e).epochs;
        if (e.gradNorms) this.gradNorms = e.gradNorms;
        break;
      case 'checkpoint':
        this.lastCheckpoint = { epoch: e.epoch, bytes: e.bytes };
        break;
      case 'paused':
        this.status = 'paused';
        break;
      case 'resumed':
        this.status = 'running';
        break;
      case 'error':
        this.error = e.message;
        break;
      case 'done':
        this.message =
          e.reason === 'finished'
            ? `Finished after ${e.epoch} epochs (${e.step} steps).`
            : e.reason === 'stopped'
              ? `Stopped at epoch ${e.epoch}, step ${e.step}; the checkpoint is kept and the run can be resumed.`
              : `The run failed at epoch ${e.epoch}, step ${e.step}; the last good checkpoint is kept.`;
        break;
    }
  };

  async start(): Promise<void> {
    if (!this.config || this.status !== 'idle') return;
    this.error = null;
    this.message = null;
    this.progress = null;
    this.steps = [];
    this.epochs = [];
    this.gradNorms = null;
    if (!(await this.validate())) return;
    this.status = 'starting';
    try {
      await this.#client.startRun($state.snapshot(this.config), this.#onEvent);
    } catch (e) {
      this.error = runFailure(e);
    } finally {
      this.status = 'idle';
      await this.refreshRuns();
    }
  }

  async resume(runId: string): Promise<void> {
    if (this.status !== 'idle') return;
    this.error = null;
    this.message = null;
    const r = this.runs.find((x) => x.id === runId);
    if (r) this.config = structuredClone(r.config);
    this.status = 'starting';
    try {
      await this.#client.resumeRun(runId, this.#onEvent);
    } catch (e) {
      this.error = runFailure(e);
    } finally {
      this.status = 'idle';
      await this.refreshRuns();
    }
  }

  pause(): void {
    void this.#client.remote.pauseRun();
  }
  continue(): void {
    void this.#client.remote.continueRun();
  }
  stop(): void {
    this.status = 'stopping';
    void this.#client.remote.stopRun();
  }
}

/**
 * The Runs panel's state: stored runs with their import notes, filters, the runs selected for
 * comparison, exports (files handed to the panel to download), and imports of checkpoint files and
 * config JSON (an imported config goes to the Train panel's form).
 */
import type { CheckpointSlot, ConfigProblem, ImportChoice, ImportedRunInfo, RunFile, RunImportNote, RunRecord } from '../worker/api';
import type { EngineClient } from '../worker/client';
import type { TrainState } from './train.svelte';

export interface RunFilters {
  method: string;
  status: string;
  text: string;
}

export class RunsState {
  readonly #client: EngineClient;
  readonly #train: TrainState;
  runs = $state.raw<RunRecord[]>([]);
  notes = $state.raw<Record<string, RunImportNote>>({});
  filters = $state<RunFilters>({ method: '', status: '', text: '' });
  /** Run ids selected for comparison, in selection order. */
  selected = $state<string[]>([]);
  busy = $state<string | null>(null);
  error = $state<string | null>(null);
  message = $state<string | null>(null);
  lastImport = $state.raw<ImportedRunInfo | null>(null);
  configProblems = $state.raw<ConfigProblem[]>([]);

  constructor(client: EngineClient, train: TrainState) {
    this.#client = client;
    this.#train = train;
  }

  get visible(): RunRecord[] {
    const f = this.filters;
    const text = f.text.trim().toLowerCase();
    return this.runs.filter(
      (r) =>
        (!f.method || r.config.method.method === f.method) &&
        (!f.status || r.status === f.status || (f.status === 'imported' && !!this.notes[r.id])) &&
        (!text || `${r.name} ${r.config.dataset.name} ${r.config.backbone.name} ${r.backend}`.toLowerCase().includes(text)),
    );
  }

  get compared(): RunRecord[] {
    return this.selected.map((id) => this.runs.find((r) => r.id === id)).filter((r): r is RunRecord => !!r);
  }

  async refresh(): Promise<void> {
    try {
      const [runs, notes] = await Promise.all([this.#client.remote.listRuns(), this.#client.remote.runImports()]);
      this.runs = [...runs].reverse();
      this.notes = notes;
      this.selected = this.selected.filter((id) => runs.some((r) => r.id === id));
    } catch (e) {
      this.error = `Could not read stored runs: ${(e as Error).message}`;
    }
  }

  toggle(id: string, on: boolean): void {
    this.selected = on ? [...this.selected.filter((x) => x !== id), id] : this.selected.filter((x) => x !== id);
  }

  async #do<T>(label: string, fn: () => Promise<T>): Promise<T | null> {
    this.busy = label;
    this.error = null;
    this.message = null;
    try {
      return await fn();
    } catch (e) {
      this.error = (e as Error).message;
      return null;
    } finally {
      this.busy = null;
    }
  }

  async rename(id: string, name: string): Promise<void> {
    if (await this.#do('rename', () => this.#client.remote.renameRun(id, name))) await this.refresh();
  }

  async remove(id: string): Promise<void> {
    await this.#do('delete', () => this.#client.remote.deleteRun(id));
    await this.refresh();
  }

  exportCheckpoint(id: string, slot: CheckpointSlot): Promise<RunFile | null> {
    return this.#do('export', () => this.#client.remote.exportRunCheckpoint(id, slot));
  }

  exportSafetensors(id: string, slot: CheckpointSlot): Promise<RunFile | null> {
    return this.#do('export', () => this.#client.remote.exportRunSafetensors(id, slot));
  }

  /** Validates and stores a checkpoint file as a new run. */
  async importFile(file: File): Promise<ImportedRunInfo | null> {
    this.lastImport = null;
    const r = await this.#do('import', () => this.#client.remote.importCheckpointFile(file, file.name));
    if (r) {
      this.lastImport = r;
      await this.refresh();
    }
    return r;
  }

  /**
   * Records the choice for the last import and acts on it: 'continue' resumes a stopped import (or
   * trains a new run from its weights with the same config), 'fine-tune' trains a new run from its
   * weights for `epochs`; both start in the Train panel. 'evaluate' is only recorded (Evaluate panel).
   * Returns true when a training run was started.
   */
  async choose(choice: ImportChoice, opts: { epochs?: number } = {}): Promise<boolean> {
    const imp = this.lastImport;
    if (!imp) return false;
    const note = await this.#do('choose', () => this.#client.remote.setImportChoice(imp.record.id, choice));
    if (!note) return false;
    this.notes = { ...this.notes, [note.runId]: note };
    if (this.lastImport?.record.id === note.runId) this.lastImport = { ...this.lastImport, note };
    if (choice === 'evaluate') {
      this.message = `“${imp.record.name}” is marked for evaluation: open the Evaluate panel to evaluate it.`;
      return false;
    }
    if (this.#train.status !== 'idle') {
      this.error = 'A run is in progress in the Train panel: stop it first.';
      return false;
    }
    let runId = imp.record.id;
    if (!(choice === 'continue' && imp.record.status === 'stopped')) {
      const seeded = await this.#do('seed', () =>
        this.#client.remote.seedRunFromWeights(imp.record.id, {
          epochs: choice === 'fine-tune' ? opts.epochs : undefined,
          name: `${imp.record.name} (${choice === 'fine-tune' ? 'fine-tune' : 'continued'})`,
        }),
      );
      if (!seeded) return false;
      runId = seeded.id;
    }
    await this.#train.refreshRuns();
    void this.#train.resume(runId).then(() => this.refresh());
    return true;
  }

  /** Puts a run's config into the Train panel's form (a new run with the same settings; stopped runs resume from the Train panel). */
  openInTrain(run: RunRecord, rename?: string): void {
    const config = $state.snapshot(run.config) as RunRecord['config'];
    if (rename !== undefined) config.name = rename;
    this.#train.loadConfig(config);
    this.message = `The Train panel's form now holds the config of “${run.name}”.`;
  }

  /** Parses config JSON text; valid → the Train form; invalid → every problem with its path. */
  async importConfig(text: string): Promise<boolean> {
    this.configProblems = [];
    this.error = null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      this.configProblems = [{ path: '(file)', message: `not valid JSON: ${(e as Error).message}` }];
      return false;
    }
    const r = await this.#client.remote.validateRunConfig(json);
    if (!r.ok) {
      this.configProblems = r.problems;
      return false;
    }
    this.#train.loadConfig(r.config);
    this.message = 'The imported config is in the Train panel’s form.';
    return true;
  }
}

/**
 * The Runs panel's state: stored runs with their import notes, filters, the runs selected for
 * comparison, exports (files handed to the panel to download), and imports of checkpoint files and
 * config JSON (an imported config goes to the Train panel's form).
 */
import type {
  CheckpointSlot,
  ConfigProblem,
  DatasetMeta,
  ImportChoice,
  ImportedRunInfo,
  RelinkCandidate,
  RunFile,
  RunImportNote,
  RunRecord,
} from '../worker/api';
import type { EngineClient } from '../worker/client';
import { configDataset } from '../worker/api';
import { filterRuns, type RunFilters } from '../worker/api';
import type { TrainState } from './train.svelte';

export type { RunFilters };

/** A torchvision .safetensors / .pth waiting for the user to pick the labelled dataset its run will use. */
export interface PendingWeights {
  file: File;
  /** Stored, ready datasets with class labels (the run's config, kNN monitor and evaluation need them). */
  datasets: DatasetMeta[];
}

/** Where a choice for an imported run continues: the Train panel (a training run was started), the Evaluate panel, or nowhere. */
export type ChoiceOutcome = 'train' | 'evaluate' | null;

export class RunsState {
  readonly #client: EngineClient;
  readonly #train: TrainState;
  runs = $state.raw<RunRecord[]>([]);
  notes = $state.raw<Record<string, RunImportNote>>({});
  filters = $state<RunFilters>({ method: '', status: '', kind: '', text: '' });
  /** Run ids selected for comparison, in selection order. */
  selected = $state<string[]>([]);
  busy = $state<string | null>(null);
  error = $state<string | null>(null);
  message = $state<string | null>(null);
  lastImport = $state.raw<ImportedRunInfo | null>(null);
  configProblems = $state.raw<ConfigProblem[]>([]);
  pendingWeights = $state.raw<PendingWeights | null>(null);
  /** Datasets the last import can be re-linked to when its own dataset is not stored. */
  relinkCandidates = $state.raw<RelinkCandidate[]>([]);

  constructor(client: EngineClient, train: TrainState) {
    this.#client = client;
    this.#train = train;
  }

  get visible(): RunRecord[] {
    return filterRuns(this.runs, this.notes, this.filters);
  }

  get compared(): RunRecord[] {
    return this.selected
      .map((id) => this.runs.find((r) => r.id === id))
      .filter((r): r is RunRecord => !!r);
  }

  async refresh(): Promise<void> {
    try {
      const [runs, notes] = await Promise.all([
        this.#client.remote.listRuns(),
        this.#client.remote.runImports(),
      ]);
      this.runs = [...runs].reverse();
      this.notes = notes;
      this.selected = this.selected.filter((id) => runs.some((r) => r.id === id));
    } catch (e) {
      this.error = `Could not read stored runs: ${(e as Error).message}`;
    }
  }

  toggle(id: string, on: boolean): void {
    this.selected = on
      ? [...this.selected.filter((x) => x !== id), id]
      : this.selected.filter((x) => x !== id);
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
    if (await this.#do('rename', () => this.#client.remote.renameRun(id, name)))
      await this.refresh();
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

  /**
   * Validates and stores a checkpoint file as a new run. A torchvision .safetensors or a PyTorch
   * .pth / .pt holds weights only: it waits in `pendingWeights` for importWeights(datasetId) with the labelled dataset its run
   * will use (returns null meanwhile).
   */
  async importFile(file: File): Promise<ImportedRunInfo | null> {
    this.lastImport = null;
    this.relinkCandidates = [];
    this.pendingWeights = null;
    if (/\.(safetensors|pth|pt)$/i.test(file.name)) {
      const listed = await this.#do('datasets', () => this.#client.remote.listDatasets());
      if (listed)
        this.pendingWeights = {
          file,
          datasets: listed.datasets.filter((d) => d.status === 'ready' && d.classes.length > 0),
        };
      return null;
    }
    return this.#import(file);
  }

  /** Imports the pending weights file with `datasetId` as its run's dataset. */
  async importWeights(datasetId: string): Promise<ImportedRunInfo | null> {
    const p = this.pendingWeights;
    if (!p) return null;
    const r = await this.#import(p.file, datasetId);
    if (r) this.pendingWeights = null;
    return r;
  }

  cancelWeights(): void {
    this.pendingWeights = null;
  }

  async #import(file: File, datasetId?: string): Promise<ImportedRunInfo | null> {
    const r = await this.#do('import', () =>
      this.#client.remote.importCheckpointFile(
        file,
        file.name,
        datasetId ? { datasetId } : undefined,
      ),
    );
    if (r) {
      this.lastImport = r;
      if (!r.datasetFound) await this.findRelinkCandidates();
      await this.refresh();
    }
    return r;
  }

  /** Looks (again) for stored datasets the last import can be linked to. */
  async findRelinkCandidates(): Promise<void> {
    const imp = this.lastImport;
    if (!imp) return;
    this.relinkCandidates =
      (await this.#do('datasets', () => this.#client.remote.relinkCandidates(imp.record.id))) ?? [];
  }

  /** Links the last import (its dataset missing) to a stored dataset with the same classes. */
  async relink(datasetId: string): Promise<boolean> {
    const imp = this.lastImport;
    if (!imp) return false;
    const rec = await this.#do('relink', () =>
      this.#client.remote.relinkRunDataset(imp.record.id, datasetId),
    );
    if (!rec) return false;
    // The "dataset not stored" note no longer holds.
    const notes = imp.notes.filter((n) => !n.includes('is not stored here'));
    this.lastImport = {
      ...imp,
      record: rec,
      datasetFound: true,
      notes: [
        ...notes,
        `linked to the stored dataset “${rec.config.dataset.name}” (same classes, other images)`,
      ],
    };
    this.relinkCandidates = [];
    await this.refresh();
    return true;
  }

  /**
   * Records the choice for the last import and acts on it: 'continue' resumes a stopped import (or
   * trains a new run from its weights with the same config) in the Train panel → 'train'.
   * 'evaluate' and 'fine-tune' are done in the Evaluate panel → 'evaluate' (the caller opens it on
   * the run). null when nothing follows (an error, or a run already training).
   */
  async choose(choice: ImportChoice): Promise<ChoiceOutcome> {
    const imp = this.lastImport;
    if (!imp) return null;
    const note = await this.#do('choose', () =>
      this.#client.remote.setImportChoice(imp.record.id, choice),
    );
    if (!note) return null;
    this.notes = { ...this.notes, [note.runId]: note };
    if (this.lastImport?.record.id === note.runId) this.lastImport = { ...this.lastImport, note };
    if (choice !== 'continue') {
      this.message = `“${imp.record.name}” is chosen for ${choice === 'evaluate' ? 'evaluation' : 'fine-tuning'} in the Evaluate panel.`;
      return 'evaluate';
    }
    if (this.#train.status !== 'idle') {
      this.error = 'A run is in progress in the Train panel: stop it first.';
      return null;
    }
    let runId = imp.record.id;
    if (imp.record.status !== 'stopped') {
      const seeded = await this.#do('seed', () =>
        this.#client.remote.seedRunFromWeights(imp.record.id, {
          name: `${imp.record.name} (continued)`,
        }),
      );
      if (!seeded) return null;
      runId = seeded.id;
    }
    await this.#train.refreshRuns();
    void this.#train.resume(runId).then(() => this.refresh());
    return 'train';
  }

  /** Puts a run's config into the Train panel's form (a new run with the same settings; stopped runs resume from the Train panel). */
  openInTrain(run: RunRecord, rename?: string): void {
    const config = $state.snapshot(run.config) as RunRecord['config'];
    if (rename !== undefined) config.name = rename;
    this.#train.loadConfig(config);
    this.message = `The Train panel's form now holds the config of “${run.name}”.`;
  }

  /** Parses config JSON text; valid → the Train form; invalid → every problem with its path. */
  async importConfig(text: string, fileName = 'the JSON'): Promise<boolean> {
    this.configProblems = [];
    this.error = null;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      this.configProblems = [
        { path: '(file)', message: `not valid JSON: ${(e as Error).message}` },
      ];
      return false;
    }
    const r = await this.#client.remote.validateRunConfig(json);
    if (!r.ok) {
      this.configProblems = r.problems;
      return false;
    }
    // A config kept from another machine may name datasets that are not stored here.
    const config = r.config;
    const notes: string[] = [];
    const listed = await this.#do('datasets', () => this.#client.remote.listDatasets());
    const stored = listed?.datasets ?? [];
    const ds = configDataset(config.dataset, stored);
    if (ds) {
      config.dataset = ds.dataset;
      if (ds.note) notes.push(ds.note);
    } else
      notes.push(
        `its dataset “${config.dataset.name}” is not stored here and no dataset is: import one in the Data panel before training`,
      );
    const src = config.monitor.source;
    if (
      typeof src === 'object' &&
      !stored.some((d) => d.id === src.datasetId && d.status === 'ready')
    ) {
      config.monitor.source = 'val-split';
      notes.push('its kNN monitor dataset is not stored here: the monitor uses the val split');
    }
    this.#train.loadConfig(config);
    this.#train.message = `Config loaded from ${fileName}${notes.length ? `: ${notes.join('; ')}.` : '.'}`;
    this.message = 'The imported config is in the Train panel’s form.';
    return true;
  }
}

/**
 * Datasets: the stored list, storage use, and the import flow (scan → review → import → report).
 */
import type {
  DatasetIndex,
  DatasetMeta,
  ImportInput,
  ImportOptions,
  ImportPlan,
  ImportPreview,
  ImportProgress,
  ImportReport,
  ShapesOptions,
  StorageInfo,
} from '../worker/api';
import type { EngineClient } from '../worker/client';

export type ImportStage =
  | { kind: 'idle' }
  | { kind: 'scanning'; label: string; progress: ImportProgress | null }
  | { kind: 'review'; plan: ImportPlan }
  | { kind: 'importing'; name: string; progress: ImportProgress | null }
  | { kind: 'report'; report: ImportReport };

export function defaultOptions(plan: ImportPlan): ImportOptions {
  const csv = plan.layout === 'csv' && plan.csv.length > 0 ? plan.csv[0] : null;
  const labeling: ImportOptions['labeling'] =
    plan.folderClasses.length > 0
      ? 'folders'
      : csv && csv.guess.file && csv.guess.label
        ? 'csv'
        : 'none';
  return {
    name: plan.suggestedName,
    size: plan.defaultSize,
    labeling,
    csv: csv
      ? {
          path: csv.path,
          fileColumn: csv.guess.file ?? csv.columns[0],
          labelColumn: csv.guess.label ?? csv.columns[Math.min(1, csv.columns.length - 1)],
          foldColumn: csv.guess.fold,
          excludeLabels: [],
          foldToSplit: {},
        }
      : undefined,
    splitMode: plan.splitsFound.length > 0 ? 'folders' : 'random',
    fractions: { train: 0.8, val: 0.1, test: 0.1 },
    seed: 0,
  };
}

export class DatasetsState {
  readonly #client: EngineClient;
  list = $state.raw<DatasetMeta[]>([]);
  storage = $state.raw<StorageInfo | null>(null);
  persisted = $state<boolean | null>(null);
  notices = $state<string[]>([]);
  stage = $state.raw<ImportStage>({ kind: 'idle' });
  options = $state<ImportOptions | null>(null);
  preview = $state.raw<ImportPreview | null>(null);
  error = $state<string | null>(null);
  selectedId = $state<string | null>(null);
  #previewSeq = 0;

  constructor(client: EngineClient) {
    this.#client = client;
  }

  get selected(): DatasetMeta | null {
    return this.list.find((d) => d.id === this.selectedId) ?? null;
  }

  async refresh(): Promise<void> {
    const { datasets, removedInterrupted } = await this.#client.remote.listDatasets();
    this.list = datasets;
    for (const name of removedInterrupted) {
      this.notices = [
        ...this.notices,
        `The import of "${name}" was interrupted (page closed or reloaded) and has been removed; nothing of it is kept. Import it again to use it.`,
      ];
    }
    if (this.selectedId && !datasets.some((d) => d.id === this.selectedId)) this.selectedId = null;
    if (!this.selectedId && datasets.length) this.selectedId = datasets[datasets.length - 1].id;
    this.storage = await this.#client.remote.storageInfo();
  }

  /** Asks the browser to keep simlab's storage (only the page can ask, not the worker). */
  async requestPersistence(): Promise<void> {
    try {
      this.persisted = (await navigator.storage?.persisted?.()) ?? null;
      if (!this.persisted && navigator.storage?.persist)
        this.persisted = await navigator.storage.persist();
    } catch {
      this.persisted = null;
    }
  }

  async scan(input: ImportInput): Promise<void> {
    this.error = null;
    this.stage = { kind: 'scanning', label: input.label, progress: null };
    try {
      const plan = await this.#client.scanImport(input, (p) => {
        if (this.stage.kind === 'scanning') this.stage = { ...this.stage, progress: p };
      });
      this.options = defaultOptions(plan);
      this.stage = { kind: 'review', plan };
      await this.updatePreview();
    } catch (e) {
      this.stage = { kind: 'idle' };
      this.error = (e as Error).message;
    }
  }

  /** Recomputes the counts for the current options (latest request wins). */
  async updatePreview(): Promise<void> {
    if (this.stage.kind !== 'review' || !this.options) return;
    const seq = ++this.#previewSeq;
    const p = await this.#client.remote.previewImport(
      this.stage.plan.planId,
      $state.snapshot(this.options) as ImportOptions,
    );
    if (seq === this.#previewSeq) this.preview = p;
  }

  async commit(): Promise<void> {
    if (this.stage.kind !== 'review' || !this.options) return;
    const plan = this.stage.plan;
    const options = $state.snapshot(this.options) as ImportOptions;
    this.stage = { kind: 'importing', name: options.name, progress: null };
    try {
      const report = await this.#client.commitImport(plan.planId, options, (p) => {
        if (this.stage.kind === 'importing') this.stage = { ...this.stage, progress: p };
      });
      this.stage = { kind: 'report', report };
      if (report.datasetId) this.selectedId = report.datasetId;
    } catch (e) {
      this.stage = { kind: 'review', plan };
      this.error = (e as Error).message;
    }
    await this.refresh();
  }

  async generateShapes(o: ShapesOptions): Promise<void> {
    this.error = null;
    this.stage = { kind: 'importing', name: o.name, progress: null };
    try {
      const report = await this.#client.generateShapes(o, (p) => {
        if (this.stage.kind === 'importing') this.stage = { ...this.stage, progress: p };
      });
      this.stage = { kind: 'report', report };
      if (report.datasetId) this.selectedId = report.datasetId;
    } catch (e) {
      this.stage = { kind: 'idle' };
      this.error = (e as Error).message;
    }
    await this.refresh();
  }

  async cancel(): Promise<void> {
    if (this.stage.kind === 'importing') await this.#client.remote.cancelImport();
    else if (this.stage.kind === 'review') {
      await this.#client.remote.discardPlan(this.stage.plan.planId);
      this.stage = { kind: 'idle' };
    }
  }

  dismissReport(): void {
    this.stage = { kind: 'idle' };
  }

  async remove(id: string): Promise<void> {
    await this.#client.remote.deleteDataset(id);
    await this.refresh();
  }

  index(id: string): Promise<DatasetIndex> {
    return this.#client.remote.getDatasetIndex(id);
  }

  images(id: string, indices: number[]): Promise<Uint8Array> {
    return this.#client.remote.getImages(id, indices);
  }
}

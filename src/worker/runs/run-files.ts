/**
 * Runs as files, as the engine offers them: export (run-export.ts), import (run-import.ts), a new
 * run seeded from stored weights (seed-run.ts), re-linking an imported run to a stored dataset
 * (run-relink.ts), import notes (storage/run-notes-store.ts), rename (rename-run.ts) and the kNN
 * of a stored run (eval/stored-run-knn.ts). This class only holds the stores they work on.
 */
import type { DatasetStore } from '../../storage/dataset-store';
import { RunNotesStore } from '../../storage/run-notes-store';
import type { CheckpointSlot, RunRecord } from '../../storage/run-schema';
import type { RunStore } from '../../storage/run-store';
import { storedRunKnn } from '../eval/stored-run-knn';
import { renameRun } from './rename-run';
import { exportRunCheckpoint, exportRunSafetensors } from './run-export';
import { importRunFile } from './run-import';
import { relinkCandidates, relinkDataset } from './run-relink';
import { seedRun } from './seed-run';
import type {
  ImportChoice,
  ImportedRunInfo,
  RelinkCandidate,
  RunFile,
  RunImportNote,
  RunKnn,
} from '../../common/run-types';

export class RunFiles {
  readonly #datasets: DatasetStore;
  readonly #runs: RunStore;
  readonly #notes: RunNotesStore;

  constructor(datasets: DatasetStore, runs: RunStore, notes = new RunNotesStore()) {
    this.#datasets = datasets;
    this.#runs = runs;
    this.#notes = notes;
  }

  get #stores() {
    return { datasets: this.#datasets, runs: this.#runs, notes: this.#notes };
  }

  /** The run's checkpoint `slot` as a simlab checkpoint zip (see exportRunCheckpoint). */
  exportCheckpoint(runId: string, slot: CheckpointSlot): Promise<RunFile> {
    return exportRunCheckpoint(this.#datasets, this.#runs, runId, slot);
  }

  /** A ResNet-18 run's backbone (+ supervised fc) as a torchvision resnet18 .safetensors file. */
  exportSafetensors(runId: string, slot: CheckpointSlot): Promise<RunFile> {
    return exportRunSafetensors(this.#runs, runId, slot);
  }

  /** Stores a checkpoint zip or torchvision .safetensors as a new run, or throws storing nothing (see importRunFile). */
  importFile(
    data: Blob | Uint8Array,
    fileName: string,
    opts: { datasetId?: string } = {},
  ): Promise<ImportedRunInfo> {
    return importRunFile(this.#stores, data, fileName, opts);
  }

  /** A new 'stopped' run at epoch 0 with a stored run's weights (see seedRun). */
  seedRun(runId: string, opts: { epochs?: number; name?: string } = {}): Promise<RunRecord> {
    return seedRun(this.#runs, runId, opts);
  }

  /** Stored datasets an imported run can be re-linked to. */
  relinkCandidates(runId: string): Promise<RelinkCandidate[]> {
    return relinkCandidates(this.#stores, runId);
  }

  /** Points an imported run at a stored dataset with the same classes and image size (see relinkDataset). */
  relinkDataset(runId: string, datasetId: string): Promise<RunRecord> {
    return relinkDataset(this.#stores, runId, datasetId);
  }

  /** Import notes by run id. */
  notes(): Promise<Record<string, RunImportNote>> {
    return this.#notes.all();
  }

  /** Records what the user chose to do with an imported run. */
  setChoice(runId: string, choice: ImportChoice): Promise<RunImportNote> {
    return this.#notes.setChoice(runId, choice);
  }

  rename(runId: string, name: string): Promise<RunRecord> {
    return renameRun(this.#runs, runId, name);
  }

  /** kNN top-1 (and val accuracy when supervised) of a stored checkpoint on the run's own monitor plan. */
  knn(runId: string, slot: CheckpointSlot): Promise<RunKnn> {
    return storedRunKnn(this.#datasets, this.#runs, runId, slot);
  }
}

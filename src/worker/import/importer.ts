/**
 * Dataset import, the engine's entry point: scan what was dropped (./plan), preview the labels and
 * splits the user's choices give (./resolve), then decode and store it in shards (./shard-writer).
 */
import type {
  ImportInput,
  ImportOptions,
  ImportPlan,
  ImportPreview,
  ImportProgress,
  ImportReport,
} from '../api';
import type { DatasetStore } from '../../storage/dataset-store';
import type { SplitName } from '../../ml/data/types';
import { decodeToSquare } from './decode';
import { DownloadError } from './download';
import { scanImport, type PlanState } from './plan';
import { countsOf, resolveImport } from './resolve';
import { ShardWriter, type DatasetInfo, type DecodeFn } from './shard-writer';

export { isInterrupted } from './shard-writer';

export class Importer {
  readonly #writer: ShardWriter;
  #plans = new Map<string, PlanState>();

  /** `decode` defaults to the browser decoder (createImageBitmap + OffscreenCanvas). */
  constructor(store: DatasetStore, decode: DecodeFn = decodeToSquare) {
    this.#writer = new ShardWriter(store, decode);
  }

  get activeDatasetId(): string | null {
    return this.#writer.activeDatasetId;
  }

  async scan(input: ImportInput, onProgress?: (p: ImportProgress) => void): Promise<ImportPlan> {
    const st = await scanImport(input, onProgress);
    this.#plans.set(st.plan.planId, st);
    return st.plan;
  }

  discard(planId: string): void {
    this.#plans.delete(planId);
  }

  #state(planId: string): PlanState {
    const s = this.#plans.get(planId);
    if (!s) throw new Error('this import plan has expired; drop the files again');
    return s;
  }

  preview(planId: string, o: ImportOptions): ImportPreview {
    const st = this.#state(planId);
    const r = resolveImport(st.layout, st.csvTables, o);
    return {
      classes: r.classes,
      counts: countsOf(r.items, r.classes.length),
      unlabeledCount: r.items.filter((a) => a.label < 0).length,
      problems: r.problems,
      csvReport: r.csvReport,
    };
  }

  cancel(): void {
    this.#writer.cancel();
  }

  async commit(
    planId: string,
    o: ImportOptions,
    onProgress: (p: ImportProgress) => void,
  ): Promise<ImportReport> {
    const st = this.#state(planId);
    const r = resolveImport(st.layout, st.csvTables, o);
    if (r.problems.length) throw new Error(r.problems.join('; '));
    const kind =
      st.input.kind === 'files' ? (st.input.fromFolder ? 'folder' : 'files') : st.input.kind;
    const report = await this.#writer.write(
      {
        name: o.name.trim() || st.plan.suggestedName,
        size: o.size,
        classes: r.classes,
        source: { kind, description: st.input.label },
        splitSource: o.splitMode,
        splitSeed: o.splitMode === 'random' ? o.seed : undefined,
        splitFractions: o.splitMode === 'random' ? o.fractions : undefined,
      },
      r.items.length,
      async (i) => {
        const a = r.items[i];
        const e = st.entries[a.entry];
        return { path: e.path, label: a.label, split: a.split, bytes: await e.read() };
      },
      onProgress,
    );
    report.skipped.unshift(
      ...st.plan.ignored,
      ...r.leftOut.map((l) => ({ path: l.path, reason: `not imported: ${l.reason}` })),
    );
    report.csv = r.csvReport;
    if (!report.cancelled && !report.error) this.#plans.delete(planId);
    return report;
  }

  /** Stores generated images (already size×size×3 pixels) as a dataset. */
  generated(
    info: DatasetInfo,
    items: { path: string; label: number; split: SplitName; pixels: Uint8Array }[],
    onProgress: (p: ImportProgress) => void,
  ): Promise<ImportReport> {
    return this.#writer.write(info, items.length, async (i) => items[i], onProgress);
  }
}

export { DownloadError };

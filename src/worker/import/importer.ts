/**
 * Dataset import: scan what was dropped, show a plan, then decode and store it in shards.
 * Never leaves a half-written dataset: a cancelled or failed import deletes what it wrote, and a
 * record left 'importing' by a closed tab is removed (and named) on the next start.
 */
import { guessCsvColumns, labelsFromCsv, parseCsv, suggestFoldToSplit } from '../../ml/data/csv';
import { naturalCompare, recognizeLayout, type LayoutResult } from '../../ml/data/layout';
import { sniffImage } from '../../ml/data/image-sniff';
import { shardCapacity } from '../../ml/data/shards';
import { splitCounts, stratifiedSplit, validateFractions } from '../../ml/data/splits';
import { SPLITS, type SplitName } from '../../ml/data/types';
import { ZipError } from '../../ml/data/zip-index';
import { STALE_IMPORT_MS, type DatasetStore } from '../../storage/dataset-store';
import {
  DATASET_SCHEMA_VERSION,
  SPLIT_CODES,
  type DatasetIndex,
  type DatasetMeta,
} from '../../storage/schema';
import type {
  CsvCandidate,
  ImageSize,
  ImportInput,
  ImportOptions,
  ImportPlan,
  ImportPreview,
  ImportProgress,
  ImportReport,
} from '../api';
import { IMAGE_SIZES } from '../api';
import { decodeToSquare } from './decode';
import { downloadFile, DownloadError } from './download';
import { filesSource, zipSource, type SourceEntry } from './sources';

interface PlanState {
  plan: ImportPlan;
  input: ImportInput;
  entries: SourceEntry[];
  layout: LayoutResult;
  csvTables: Map<string, { columns: string[]; rows: string[][] }>;
}

interface Assignment {
  entry: number;
  relPath: string;
  label: number;
  split: SplitName;
}

interface Resolved {
  items: Assignment[];
  classes: string[];
  csvReport: ImportPreview['csvReport'];
  problems: string[];
  /** Images left out by the labeling choice (no CSV row, excluded label, excluded fold). */
  leftOut: { path: string; reason: string }[];
}

/** Sorted-split and class counts for a list of assignments. */
function countsOf(items: Assignment[], numClasses: number): Record<SplitName, number[]> {
  const labels = items.map((a) => a.label);
  const splits = Uint8Array.from(items.map((a) => SPLIT_CODES[a.split]));
  const c = splitCounts(labels, splits, Math.max(1, numClasses));
  return { train: c[0], val: c[1], test: c[2] };
}

export function defaultImageSize(shortSides: number[]): ImageSize {
  if (shortSides.length === 0) return 64;
  const sorted = [...shortSides].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  // Never upscale: 28–32 px sources (MNIST, CIFAR) stay at 32.
  let best: ImageSize = 32;
  for (const s of IMAGE_SIZES) if (s <= median && s <= 64) best = s;
  return best;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource));
  let s = '';
  for (const b of d) s += b.toString(16).padStart(2, '0');
  return s;
}

function isQuotaError(e: unknown): boolean {
  const n = (e as { name?: string })?.name ?? '';
  const m = (e as { message?: string })?.message ?? '';
  return n === 'QuotaExceededError' || /quota/i.test(m);
}

export const importLockName = (datasetId: string) => `simlab-import-${datasetId}`;

/** Whether an 'importing' record belongs to an import that is no longer running anywhere. */
export async function isInterrupted(meta: DatasetMeta, now = Date.now()): Promise<boolean> {
  if (meta.status !== 'importing') return false;
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (locks) {
    const q = await locks.query();
    return !(q.held ?? []).some((l) => l.name === importLockName(meta.id));
  }
  return now - meta.updatedAt > STALE_IMPORT_MS;
}

export class Importer {
  readonly #store: DatasetStore;
  #plans = new Map<string, PlanState>();
  #cancel = false;
  #activeId: string | null = null;

  constructor(store: DatasetStore) {
    this.#store = store;
  }

  get activeDatasetId(): string | null {
    return this.#activeId;
  }

  async scan(input: ImportInput, onProgress?: (p: ImportProgress) => void): Promise<ImportPlan> {
    let entries: SourceEntry[];
    let zipName: string | null = null;
    if (input.kind === 'files') {
      entries = filesSource(input.files);
    } else {
      let file: File;
      if (input.kind === 'zip') {
        file = input.file;
      } else {
        const name = input.url.split('/').pop() || 'dataset.zip';
        file = await downloadFile(input.url, name, (done, total) =>
          onProgress?.({
            phase: 'download',
            done,
            total: total ?? 0,
            imagesPerSec: 0,
            etaSec: null,
            bytesDone: done,
            bytesTotal: total,
          }),
        );
      }
      zipName = file.name;
      try {
        entries = await zipSource(file);
      } catch (e) {
        if (e instanceof ZipError) throw new Error(`${file.name}: ${(e as Error).message}`);
        throw e;
      }
    }
    const layout = recognizeLayout(entries.map((e) => e.path));
    const csv: CsvCandidate[] = [];
    const csvTables = new Map<string, { columns: string[]; rows: string[][] }>();
    const imagePaths = layout.images.map((im) => im.relPath);
    for (const ci of layout.csvFiles) {
      const e = entries[ci];
      try {
        const table = parseCsv(new TextDecoder().decode(await e.read()));
        csvTables.set(e.path, table);
        csv.push({
          path: e.path,
          columns: table.columns,
          preview: table.rows.slice(0, 6),
          rowCount: table.rows.length,
          guess: guessCsvColumns(table, imagePaths),
        });
      } catch (err) {
        layout.ignored.push({
          index: ci,
          path: e.path,
          reason: `CSV could not be read: ${(err as Error).message}`,
          silent: false,
        });
      }
    }
    // Sample image sizes (headers only) to pick a default resolution that never upscales.
    const sides: number[] = [];
    const n = layout.images.length;
    const sampleCount = Math.min(n, 24);
    for (let k = 0; k < sampleCount; k++) {
      const im = layout.images[Math.floor((k * n) / sampleCount)];
      const e = entries[im.index];
      try {
        const head = await e.head(65536);
        const tail =
          head.length === e.size
            ? head.subarray(Math.max(0, head.length - 1024))
            : new Uint8Array(0);
        const s = sniffImage(head, tail.length ? tail : head.subarray(head.length - 2), e.size);
        if (s.ok && s.width > 0 && s.height > 0) sides.push(Math.min(s.width, s.height));
      } catch {
        // An unreadable sample only affects the default size; the import reports it later.
      }
    }
    const sortedSides = [...sides].sort((a, b) => a - b);
    const base = layout.rootName ?? (zipName ? zipName.replace(/\.zip$/i, '') : input.label);
    const planId = crypto.randomUUID();
    const plan: ImportPlan = {
      planId,
      sourceLabel: input.label,
      suggestedName: base || 'dataset',
      layout: layout.kind,
      imageCount: n,
      folderClasses: layout.classes,
      splitsFound: layout.splitsFound,
      csv,
      ignored: layout.ignored
        .filter((i) => !i.silent)
        .map((i) => ({ path: i.path, reason: i.reason })),
      silentlySkipped: layout.ignored.filter((i) => i.silent).length,
      sampleShortSide: sortedSides.length
        ? {
            min: sortedSides[0],
            median: sortedSides[Math.floor(sortedSides.length / 2)],
            max: sortedSides[sortedSides.length - 1],
          }
        : null,
      defaultSize: defaultImageSize(sides),
    };
    this.#plans.set(planId, { plan, input, entries, layout, csvTables });
    return plan;
  }

  discard(planId: string): void {
    this.#plans.delete(planId);
  }

  #state(planId: string): PlanState {
    const s = this.#plans.get(planId);
    if (!s) throw new Error('this import plan has expired; drop the files again');
    return s;
  }

  #resolve(st: PlanState, o: ImportOptions): Resolved {
    const problems: string[] = [];
    const leftOut: Resolved['leftOut'] = [];
    const { layout } = st;
    const images = layout.images;
    let classes: string[] = [];
    let labels: number[] = images.map(() => -1);
    let csvSplits: (SplitName | null)[] | null = null;
    let csvReport: Resolved['csvReport'] = null;
    const keep = images.map(() => true);

    if (o.labeling === 'folders') {
      if (layout.classes.length === 0)
        problems.push('no class folders were found: choose "CSV" or "unlabeled" labeling');
      classes = layout.classes;
      labels = images.map((im) => (im.className === null ? -1 : classes.indexOf(im.className)));
    } else if (o.labeling === 'csv') {
      const c = o.csv;
      const table = c ? st.csvTables.get(c.path) : undefined;
      if (!c || !table) {
        problems.push('choose a CSV file and its columns');
      } else {
        const folds = c.foldColumn
          ? [
              ...new Set(
                table.rows.map((r) =>
                  (r[table.columns.indexOf(c.foldColumn as string)] ?? '').trim(),
                ),
              ),
            ]
              .filter((f) => f !== '')
              .sort()
          : [];
        const foldToSplit = { ...suggestFoldToSplit(folds), ...c.foldToSplit };
        let res: ReturnType<typeof labelsFromCsv> | null = null;
        try {
          res = labelsFromCsv(
            table,
            {
              fileColumn: c.fileColumn,
              labelColumn: c.labelColumn,
              foldColumn: c.foldColumn,
              excludeLabels: c.excludeLabels,
              foldToSplit,
            },
            images.map((im) => im.relPath),
          );
        } catch (e) {
          problems.push((e as Error).message);
        }
        if (res) {
          classes = res.classes;
          labels = res.labels.map((l) => (l === null ? -1 : classes.indexOf(l)));
          csvSplits = res.splits;
          const noRow = new Set(res.imagesWithoutRow);
          csvReport = {
            missingFiles: res.missingFiles,
            imagesWithoutRow: res.imagesWithoutRow.map((i) => images[i].relPath),
            excludedRows: res.excludedRows,
            labelCounts: res.labelCounts,
            folds,
            foldToSplit,
          };
          images.forEach((im, i) => {
            if (labels[i] >= 0) return;
            keep[i] = false;
            leftOut.push({
              path: im.relPath,
              reason: noRow.has(i) ? 'no row in the CSV' : 'label or fold excluded',
            });
          });
          if (classes.length === 0)
            problems.push('the chosen label column gives no classes (all excluded?)');
        }
      }
    }

    let splits: (SplitName | null)[];
    if (o.splitMode === 'folders') {
      splits = images.map((im) => im.split);
      if (layout.splitsFound.length === 0)
        problems.push('there are no split folders (train/val/test): choose a random split');
    } else if (o.splitMode === 'csv-fold') {
      if (!csvSplits || !o.csv?.foldColumn) {
        problems.push('choose a fold column to split by CSV folds');
        splits = images.map(() => null);
      } else {
        splits = csvSplits;
        images.forEach((im, i) => {
          if (keep[i] && splits[i] === null) {
            keep[i] = false;
            leftOut.push({ path: im.relPath, reason: 'its fold is excluded' });
          }
        });
      }
    } else {
      const fracProblem = validateFractions(o.fractions);
      if (fracProblem) {
        problems.push(fracProblem);
        splits = images.map(() => 'train');
      } else {
        const keptIdx = images.map((_, i) => i).filter((i) => keep[i]);
        const codes = stratifiedSplit(
          keptIdx.map((i) => labels[i]),
          o.fractions,
          o.seed,
        );
        const out: (SplitName | null)[] = images.map(() => null);
        keptIdx.forEach((i, k) => (out[i] = SPLITS[codes[k]]));
        splits = out;
      }
    }
    const items: Assignment[] = [];
    images.forEach((im, i) => {
      if (!keep[i]) return;
      items.push({
        entry: im.index,
        relPath: im.relPath,
        label: labels[i],
        split: splits[i] ?? 'train',
      });
    });
    // Storage order: split, class, then path — the same dataset from a folder or a zip is stored
    // (and fingerprinted) identically.
    items.sort(
      (a, b) =>
        SPLIT_CODES[a.split] - SPLIT_CODES[b.split] ||
        a.label - b.label ||
        naturalCompare(a.relPath, b.relPath),
    );
    if (items.length === 0 && problems.length === 0) problems.push('no images to import');
    return { items, classes, csvReport, problems, leftOut };
  }

  preview(planId: string, o: ImportOptions): ImportPreview {
    const r = this.#resolve(this.#state(planId), o);
    return {
      classes: r.classes,
      counts: countsOf(r.items, r.classes.length),
      unlabeledCount: r.items.filter((a) => a.label < 0).length,
      problems: r.problems,
      csvReport: r.csvReport,
    };
  }

  cancel(): void {
    this.#cancel = true;
  }

  async commit(
    planId: string,
    o: ImportOptions,
    onProgress: (p: ImportProgress) => void,
  ): Promise<ImportReport> {
    const st = this.#state(planId);
    const r = this.#resolve(st, o);
    if (r.problems.length) throw new Error(r.problems.join('; '));
    const kind =
      st.input.kind === 'files' ? (st.input.fromFolder ? 'folder' : 'files') : st.input.kind;
    const report = await this.#write(
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

  /**
   * Decodes and stores `count` items into a new dataset. `item(i)` yields raw file bytes, or
   * ready pixels (generators). Items are decoded a few at a time but stored in order.
   */
  async #write(
    info: Pick<
      DatasetMeta,
      'name' | 'size' | 'classes' | 'source' | 'splitSource' | 'splitSeed' | 'splitFractions'
    >,
    count: number,
    item: (
      i: number,
    ) => Promise<{
      path: string;
      label: number;
      split: SplitName;
      bytes?: Uint8Array;
      pixels?: Uint8Array;
    }>,
    onProgress: (p: ImportProgress) => void,
  ): Promise<ImportReport> {
    // Hold a Web Lock for the whole import: a closed or reloaded tab releases it, which is how the
    // next start tells an interrupted import from one still running in another tab.
    const id = crypto.randomUUID();
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    if (!locks) return this.#writeLocked(id, info, count, item, onProgress);
    return locks.request(importLockName(id), () =>
      this.#writeLocked(id, info, count, item, onProgress),
    );
  }

  async #writeLocked(
    id: string,
    info: Pick<
      DatasetMeta,
      'name' | 'size' | 'classes' | 'source' | 'splitSource' | 'splitSeed' | 'splitFractions'
    >,
    count: number,
    item: (
      i: number,
    ) => Promise<{
      path: string;
      label: number;
      split: SplitName;
      bytes?: Uint8Array;
      pixels?: Uint8Array;
    }>,
    onProgress: (p: ImportProgress) => void,
  ): Promise<ImportReport> {
    const t0 = performance.now();
    this.#cancel = false;
    this.#activeId = id;
    const size = info.size;
    const imgBytes = size * size * 3;
    const capacity = shardCapacity(size);
    const now = Date.now();
    const meta: DatasetMeta = {
      schemaVersion: DATASET_SCHEMA_VERSION,
      id,
      status: 'importing',
      createdAt: now,
      updatedAt: now,
      count: 0,
      counts: { train: [], val: [], test: [] },
      bytes: 0,
      shardCapacity: capacity,
      shardCount: 0,
      fingerprint: '',
      ...info,
    };
    const report: ImportReport = {
      datasetId: null,
      name: info.name,
      imported: 0,
      skipped: [],
      duplicates: [],
      csv: null,
      cancelled: false,
      error: null,
      seconds: 0,
      bytes: 0,
    };
    const paths: string[] = [];
    const labels: number[] = [];
    const splitCodes: number[] = [];
    const hashes: string[] = [];
    const byHash = new Map<string, string[]>();
    let shard = new Uint8Array(capacity * imgBytes);
    let inShard = 0;
    let lastPost = 0;
    const post = (phase: ImportProgress['phase'], done: number) => {
      const t = performance.now();
      if (phase !== 'done' && t - lastPost < 100) return;
      lastPost = t;
      const rate = done / Math.max(1e-3, (t - t0) / 1000);
      onProgress({
        phase,
        done,
        total: count,
        imagesPerSec: rate,
        etaSec: rate > 0 ? (count - done) / rate : null,
      });
    };
    const flush = async () => {
      if (inShard === 0) return;
      const px = inShard === capacity ? shard : shard.slice(0, inShard * imgBytes);
      meta.shardCount += 1;
      meta.updatedAt = Date.now();
      meta.count = paths.length;
      meta.bytes += px.byteLength;
      await this.#store.putShard(id, meta.shardCount - 1, px, meta);
      shard = new Uint8Array(capacity * imgBytes);
      inShard = 0;
    };

    // Decode with a small window of concurrent work, store strictly in order.
    const WINDOW = 16;
    type Done = {
      path: string;
      label: number;
      split: SplitName;
      pixels?: Uint8Array;
      hash?: string;
      error?: string;
    };
    const work = async (i: number): Promise<Done> => {
      let it: Awaited<ReturnType<typeof item>>;
      try {
        it = await item(i);
      } catch (e) {
        return {
          path: `#${i}`,
          label: -1,
          split: 'train',
          error: `could not be read: ${(e as Error).message}`,
        };
      }
      const base = { path: it.path, label: it.label, split: it.split };
      if (it.pixels) return { ...base, pixels: it.pixels };
      const bytes = it.bytes as Uint8Array;
      const tail = bytes.subarray(Math.max(0, bytes.length - 1024));
      const sniff = sniffImage(bytes.subarray(0, 65536), tail, bytes.length);
      if (!sniff.ok) return { ...base, error: sniff.reason };
      const hash = await sha256Hex(bytes);
      try {
        return { ...base, hash, pixels: await decodeToSquare(bytes, size) };
      } catch (e) {
        return { ...base, error: (e as Error).message };
      }
    };
    try {
      await this.#store.putMeta(meta);
      const pending: Promise<Done>[] = [];
      let next = 0;
      while (next < Math.min(WINDOW, count)) pending.push(work(next++));
      for (let i = 0; i < count; i++) {
        if (this.#cancel) {
          report.cancelled = true;
          break;
        }
        const d = await (pending.shift() as Promise<Done>);
        if (next < count) pending.push(work(next++));
        if (d.error || !d.pixels) {
          report.skipped.push({ path: d.path, reason: d.error ?? 'no pixels' });
        } else {
          shard.set(d.pixels, inShard * imgBytes);
          inShard++;
          paths.push(d.path);
          labels.push(d.label);
          splitCodes.push(SPLIT_CODES[d.split]);
          if (d.hash) {
            hashes.push(d.hash);
            const g = byHash.get(d.hash);
            if (g) g.push(d.path);
            else byHash.set(d.hash, [d.path]);
          }
          if (inShard === capacity) await flush();
        }
        post('decoding', i + 1);
      }
      await Promise.allSettled(pending);
      if (report.cancelled) {
        await this.#store.delete(id);
        report.error = null;
      } else {
        await flush();
        if (paths.length === 0) {
          await this.#store.delete(id);
          report.error = 'no valid image was found; nothing was stored';
        } else {
          const index: DatasetIndex = {
            paths,
            labels: Int16Array.from(labels),
            splits: Uint8Array.from(splitCodes),
          };
          const c = splitCounts(labels, index.splits, Math.max(1, info.classes.length));
          meta.counts = { train: c[0], val: c[1], test: c[2] };
          meta.count = paths.length;
          meta.status = 'ready';
          meta.updatedAt = Date.now();
          meta.fingerprint = await sha256Hex(
            new TextEncoder().encode(`${size}\n${hashes.join('\n')}\n${labels.join(',')}`),
          );
          await this.#store.finish(meta, index);
          report.datasetId = id;
          report.imported = paths.length;
          report.bytes = meta.bytes;
        }
      }
    } catch (e) {
      await this.#store.delete(id).catch(() => undefined);
      report.error = isQuotaError(e)
        ? `Storage is full: the browser's quota for this site was exceeded after ${paths.length} images. Nothing was stored. Delete datasets or runs, or choose a smaller image size.`
        : `Import failed: ${(e as Error).message}. Nothing was stored.`;
    } finally {
      this.#activeId = null;
    }
    report.duplicates = [...byHash.values()].filter((g) => g.length > 1);
    report.seconds = (performance.now() - t0) / 1000;
    post('done', count);
    return report;
  }

  /** Stores generated images (already size×size×3 pixels) as a dataset. */
  generated(
    info: Pick<
      DatasetMeta,
      'name' | 'size' | 'classes' | 'source' | 'splitSource' | 'splitSeed' | 'splitFractions'
    >,
    items: { path: string; label: number; split: SplitName; pixels: Uint8Array }[],
    onProgress: (p: ImportProgress) => void,
  ): Promise<ImportReport> {
    return this.#write(info, items.length, async (i) => items[i], onProgress);
  }
}

export { DownloadError };

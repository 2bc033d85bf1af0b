/**
 * Scan → plan: lists what was dropped (loose files, a zip, or a zip downloaded from a URL),
 * recognises its layout, parses its CSV files and samples image headers for a default size.
 */
import { guessCsvColumns, parseCsv } from '../../ml/data/csv';
import { recognizeLayout, type LayoutResult } from '../../ml/data/layout';
import { sniffImage } from '../../ml/data/image-sniff';
import { ZipError } from '../../ml/data/zip-index';
import type { CsvCandidate, ImageSize, ImportInput, ImportPlan, ImportProgress } from '../api';
import { IMAGE_SIZES } from '../api';
import { downloadFile } from './download';
import type { CsvTable } from './resolve';
import { filesSource, zipSource, type SourceEntry } from './sources';

/** A scanned import kept in the worker until it is committed or discarded. */
export interface PlanState {
  plan: ImportPlan;
  input: ImportInput;
  entries: SourceEntry[];
  layout: LayoutResult;
  csvTables: Map<string, CsvTable>;
}

/** The largest offered size not above the median short side (and at most 64); 64 with no samples. */
export function defaultImageSize(shortSides: number[]): ImageSize {
  if (shortSides.length === 0) return 64;
  const sorted = [...shortSides].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  // Never upscale: 28–32 px sources (MNIST, CIFAR) stay at 32.
  let best: ImageSize = 32;
  for (const s of IMAGE_SIZES) if (s <= median && s <= 64) best = s;
  return best;
}

async function sourceEntries(
  input: ImportInput,
  onProgress?: (p: ImportProgress) => void,
): Promise<{ entries: SourceEntry[]; zipName: string | null }> {
  if (input.kind === 'files') return { entries: filesSource(input.files), zipName: null };
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
  try {
    return { entries: await zipSource(file), zipName: file.name };
  } catch (e) {
    if (e instanceof ZipError) throw new Error(`${file.name}: ${(e as Error).message}`);
    throw e;
  }
}

/** Short sides of up to 24 images spread over the list, read from their headers only. */
async function sampleShortSides(layout: LayoutResult, entries: SourceEntry[]): Promise<number[]> {
  const sides: number[] = [];
  const n = layout.images.length;
  const sampleCount = Math.min(n, 24);
  for (let k = 0; k < sampleCount; k++) {
    const im = layout.images[Math.floor((k * n) / sampleCount)];
    const e = entries[im.index];
    try {
      const head = await e.head(65536);
      const tail =
        head.length === e.size ? head.subarray(Math.max(0, head.length - 1024)) : new Uint8Array(0);
      const s = sniffImage(head, tail.length ? tail : head.subarray(head.length - 2), e.size);
      if (s.ok && s.width > 0 && s.height > 0) sides.push(Math.min(s.width, s.height));
    } catch {
      // An unreadable sample only affects the default size; the import reports it later.
    }
  }
  return sides;
}

/** Scans an import source into a plan (nothing is decoded or stored yet). */
export async function scanImport(
  input: ImportInput,
  onProgress?: (p: ImportProgress) => void,
): Promise<PlanState> {
  const { entries, zipName } = await sourceEntries(input, onProgress);
  const layout = recognizeLayout(entries.map((e) => e.path));
  const csv: CsvCandidate[] = [];
  const csvTables = new Map<string, CsvTable>();
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
  const sides = await sampleShortSides(layout, entries);
  const sortedSides = [...sides].sort((a, b) => a - b);
  const base = layout.rootName ?? (zipName ? zipName.replace(/\.zip$/i, '') : input.label);
  const plan: ImportPlan = {
    planId: crypto.randomUUID(),
    sourceLabel: input.label,
    suggestedName: base || 'dataset',
    layout: layout.kind,
    imageCount: layout.images.length,
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
  return { plan, input, entries, layout, csvTables };
}

/**
 * Node-only helpers for the learning tests and the training bench: reads a real ImageFolder dataset
 * (`<root>/<split>/<class>/<image>.png`, as /work/shared/datasets) into an InMemoryDataSource.
 * Grayscale PNGs are replicated to RGB. Never imported by the worker.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { SPLIT_TEST, SPLIT_TRAIN, SPLIT_VAL } from '../data/splits';
import { InMemoryDataSource } from './data-source';

/** The shared datasets folder: `<repo>/../shared/datasets`, else /work/shared/datasets; null when neither exists. */
export function sharedDatasetsDir(
  repoRoot = path.resolve(import.meta.dirname, '../../..'),
): string | null {
  for (const d of [path.resolve(repoRoot, '../shared/datasets'), '/work/shared/datasets'])
    if (existsSync(d)) return d;
  return null;
}

const SPLIT_CODE: Record<string, number> = {
  train: SPLIT_TRAIN,
  val: SPLIT_VAL,
  validation: SPLIT_VAL,
  test: SPLIT_TEST,
};

/**
 * Loads every PNG of `root`'s split folders (classes in sorted order) at its stored size; all images
 * must share one square size. Returns the data source and the class names.
 */
export function loadPngImageFolder(root: string): { data: InMemoryDataSource; classes: string[] } {
  const splits = readdirSync(root)
    .filter((s) => s in SPLIT_CODE)
    .sort();
  if (splits.length === 0) throw new Error(`${root} has no train/val/test folders`);
  const classes = [...new Set(splits.flatMap((s) => readdirSync(path.join(root, s))))].sort();
  const chunks: Uint8Array[] = [];
  const labels: number[] = [];
  const codes: number[] = [];
  let size = 0;
  for (const s of splits) {
    for (const [ci, c] of classes.entries()) {
      const dir = path.join(root, s, c);
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)
        .filter((x) => x.toLowerCase().endsWith('.png'))
        .sort()) {
        const png = PNG.sync.read(readFileSync(path.join(dir, f)));
        if (png.width !== png.height)
          throw new Error(`${f}: ${png.width}×${png.height} is not square`);
        if (size === 0) size = png.width;
        if (png.width !== size) throw new Error(`${f}: ${png.width} px, expected ${size}`);
        // pngjs gives RGBA for every colour type (grey is replicated into R, G, B).
        const rgb = new Uint8Array(size * size * 3);
        for (let p = 0; p < size * size; p++) {
          rgb[p * 3] = png.data[p * 4];
          rgb[p * 3 + 1] = png.data[p * 4 + 1];
          rgb[p * 3 + 2] = png.data[p * 4 + 2];
        }
        chunks.push(rgb);
        labels.push(ci);
        codes.push(SPLIT_CODE[s]);
      }
    }
  }
  const pixels = new Uint8Array(chunks.length * size * size * 3);
  chunks.forEach((c, i) => pixels.set(c, i * c.length));
  const data = new InMemoryDataSource({
    size,
    pixels,
    labels: Int16Array.from(labels),
    splits: Uint8Array.from(codes),
    numClasses: classes.length,
  });
  return { data, classes };
}

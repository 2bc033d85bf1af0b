/**
 * One view over what the user dropped: loose files (folder / multi-select) or the entries of a zip
 * read by random access (only the entry being decoded is ever inflated in memory).
 */
import { readZipEntry, readZipIndex, type ZipEntry } from '../../ml/data/zip-index';

export interface SourceEntry {
  /** Relative path with '/' separators. */
  path: string;
  size: number;
  /** Whole file bytes. */
  read(): Promise<Uint8Array>;
  /** First `n` bytes (cheap for files, a full inflate for zip entries). */
  head(n: number): Promise<Uint8Array>;
}

export function filesSource(files: { file: File; path: string }[]): SourceEntry[] {
  return files.map(({ file, path }) => ({
    path,
    size: file.size,
    read: async () => new Uint8Array(await file.arrayBuffer()),
    head: async (n: number) => new Uint8Array(await file.slice(0, n).arrayBuffer()),
  }));
}

/** Lists a zip's files from its central directory; throws ZipError for a file that is not a zip. */
export async function zipSource(file: File): Promise<SourceEntry[]> {
  const read = async (offset: number, length: number) =>
    new Uint8Array(await file.slice(offset, offset + length).arrayBuffer());
  const entries = await readZipIndex(read, file.size);
  return entries
    .filter((e: ZipEntry) => !e.isDirectory)
    .map((e: ZipEntry) => {
      const whole = () => readZipEntry(read, e);
      return {
        path: e.name,
        size: e.size,
        read: whole,
        head: async (n: number) => (await whole()).subarray(0, n),
      };
    });
}

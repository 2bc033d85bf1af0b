/**
 * Turns what the user dropped or picked into an ImportInput: walks dropped folders recursively
 * (FileSystemEntry API), keeps relative paths, and recognises a single .zip.
 */
import type { ImportInput } from '../../worker/api';

type Picked = { file: File; path: string };

function readAllEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => {
    const all: FileSystemEntry[] = [];
    const next = () =>
      reader.readEntries((batch) => {
        if (batch.length === 0) resolve(all);
        else {
          all.push(...batch);
          next(); // readEntries returns at most 100 entries per call
        }
      }, reject);
    next();
  });
}

async function walk(entry: FileSystemEntry, out: Picked[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((res, rej) =>
      (entry as FileSystemFileEntry).file(res, rej),
    );
    out.push({ file, path: entry.fullPath.replace(/^\/+/, '') });
  } else if (entry.isDirectory) {
    const children = await readAllEntries((entry as FileSystemDirectoryEntry).createReader());
    for (const c of children) await walk(c, out);
  }
}

function toInput(files: Picked[], fromFolder: boolean): ImportInput | null {
  if (files.length === 0) return null;
  if (files.length === 1 && /\.zip$/i.test(files[0].file.name)) {
    return { kind: 'zip', label: files[0].file.name, file: files[0].file };
  }
  const top = files[0].path.split('/')[0];
  const label =
    fromFolder && files.every((f) => f.path.split('/')[0] === top) ? top : `${files.length} files`;
  return { kind: 'files', label, files, fromFolder };
}

/** From a drop event's DataTransfer (folders included). */
export async function fromDataTransfer(dt: DataTransfer): Promise<ImportInput | null> {
  const entries = Array.from(dt.items)
    .filter((i) => i.kind === 'file')
    .map((i) => i.webkitGetAsEntry())
    .filter((e): e is FileSystemEntry => !!e);
  const out: Picked[] = [];
  if (entries.length) {
    for (const e of entries) await walk(e, out);
    return toInput(
      out,
      entries.some((e) => e.isDirectory),
    );
  }
  return toInput(
    Array.from(dt.files).map((f) => ({ file: f, path: f.name })),
    false,
  );
}

/** From an <input type=file> (with or without webkitdirectory). */
export function fromFileList(list: FileList | null): ImportInput | null {
  if (!list) return null;
  const files = Array.from(list);
  const fromFolder = files.some((f) => f.webkitRelativePath);
  return toInput(
    files.map((f) => ({ file: f, path: f.webkitRelativePath || f.name })),
    fromFolder,
  );
}

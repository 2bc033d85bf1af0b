/**
 * Downloads a dataset archive the user asked for, with progress. Only runs on an explicit request.
 */
export class DownloadError extends Error {}

export async function downloadFile(
  url: string,
  name: string,
  onProgress: (bytesDone: number, bytesTotal: number | null) => void,
  signal?: AbortSignal,
): Promise<File> {
  let res: Response;
  try {
    res = await fetch(url, { mode: 'cors', credentials: 'omit', signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new DownloadError(
      `Could not download ${url}: the server does not allow downloads from other sites (no CORS headers), or it cannot be reached. ` +
        `Download it yourself, then drop the file here.`,
    );
  }
  if (!res.ok) {
    throw new DownloadError(
      `Downloading ${url} failed: HTTP ${res.status} ${res.statusText}. Download it yourself, then drop the file here.`,
    );
  }
  const lenHeader = res.headers.get('content-length');
  const total = lenHeader ? Number(lenHeader) : null;
  const chunks: Uint8Array[] = [];
  let done = 0;
  if (!res.body) {
    const buf = new Uint8Array(await res.arrayBuffer());
    onProgress(buf.length, buf.length);
    return new File([buf as BlobPart], name);
  }
  const reader = res.body.getReader();
  for (;;) {
    const { value, done: end } = await reader.read();
    if (end) break;
    chunks.push(value);
    done += value.length;
    onProgress(done, total);
  }
  return new File(chunks as BlobPart[], name);
}

/**
 * Hands text or bytes to the browser as a file download (a Blob URL clicked through an
 * `<a download>`), the one way the page saves files: CSVs, reports, configs, checkpoints.
 */
export function download(data: Uint8Array | string, fileName: string, type: string): void {
  const blob = new Blob([data as BlobPart], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Chromium reads the Blob when the click is handled; revoke a little later all the same.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

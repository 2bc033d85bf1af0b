/** Hands bytes to the browser as a file download (a Blob URL clicked through an <a download>). */
export function downloadBytes(
  bytes: Uint8Array | string,
  fileName: string,
  type = 'application/octet-stream',
): void {
  const blob = new Blob([bytes as BlobPart], { type });
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

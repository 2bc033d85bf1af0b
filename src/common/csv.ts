/**
 * CSV text for evaluation exports (plain JS, no tensors; usable in the worker and the page).
 * Fields are quoted when they hold a comma, quote or line break (RFC 4180).
 */

/** One field, quoted when needed. */
export function csvField(v: string | number): string {
  const s = typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(6)) : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Header + rows → CSV text with \n line ends. */
export function toCsv(header: string[], rows: (string | number)[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

/** Class probabilities per row [n × c] → top-k (class, probability) per row, best first (ties: lower class). */
export function topK(
  probs: ArrayLike<number>,
  n: number,
  c: number,
  k: number,
): { cls: number; p: number }[][] {
  const out: { cls: number; p: number }[][] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: c }, (_, j) => ({ cls: j, p: probs[i * c + j] }));
    row.sort((a, b) => b.p - a.p || a.cls - b.cls);
    out.push(row.slice(0, Math.min(k, c)));
  }
  return out;
}

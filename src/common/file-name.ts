/** File names for exported runs (no tfjs: the page imports this too). */

/** A file-name-safe version of a run name: letters, digits, '.', '_' and '-', at most 80 characters. */
export function fileSlug(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return s.slice(0, 80) || 'run';
}

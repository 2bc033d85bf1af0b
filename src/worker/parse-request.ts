/**
 * Parsing of the requests the page posts to the worker: each request kind has a zod schema beside
 * the code it feeds (pairs/request-schema.ts, eval/request-schema.ts), checked once where it enters
 * the worker, so a bad field is refused with its path before any data is read or tensor made.
 */
import type { z } from 'zod';
import { formatPath } from '../ml/augment/schema';

/** `schema.parse(raw)`, or one Error `invalid <what>:` listing each problem as `path: message` on its own line. */
export function parseRequest<T>(schema: z.ZodType<T>, raw: unknown, what: string): T {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  throw new Error(
    `invalid ${what}:\n${r.error.issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`).join('\n')}`,
  );
}

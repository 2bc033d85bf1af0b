/**
 * One engine request as the panel's current one: clears the error, shows busy and progress, and
 * lets only the latest request (by its token) write progress, the error and the end of busy.
 */
import type { EvalProgress } from '../../worker/api';
import type { EvalContext } from './context';
import type { Busy } from './types';

export async function latestRequest<T>(
  ctx: Pick<EvalContext, 'busy' | 'progress' | 'error'>,
  latest: () => boolean,
  busy: Exclude<Busy, null>,
  call: (onProgress: (p: EvalProgress) => void) => Promise<T>,
  /** Called with the result whether or not the request is still the latest (the caller decides). */
  onResult: (r: T, isLatest: boolean) => void | Promise<void>,
  onProgress?: (p: EvalProgress) => void,
): Promise<void> {
  ctx.error = null;
  ctx.busy = busy;
  try {
    const r = await call((p) => {
      if (!latest()) return;
      ctx.progress = p;
      onProgress?.(p);
    });
    await onResult(r, latest());
  } catch (e) {
    if (latest()) ctx.error = (e as Error).message;
  } finally {
    if (latest()) {
      ctx.busy = null;
      ctx.progress = null;
    }
  }
}

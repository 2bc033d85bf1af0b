/**
 * Pause, stop and abort requests for a loop that checks them between steps: pause() closes a gate
 * the loop awaits, resume() opens it, stop() asks the loop to end (and opens the gate so a paused
 * loop sees it), abort(error) makes every guard()ed await reject with `error` at once (a lost GPU:
 * the loop may be waiting on a read-back that never comes).
 */
export class PauseStop {
  #stopRequested = false;
  #gate: Promise<void> | null = null;
  #open: (() => void) | null = null;
  #abortError: Error | null = null;
  #rejectAborted: (e: Error) => void = () => undefined;
  readonly #aborted = new Promise<never>((_, reject) => (this.#rejectAborted = reject));

  constructor() {
    this.#aborted.catch(() => undefined);
  }

  /** The error abort() was called with (null until then). */
  get abortError(): Error | null {
    return this.#abortError;
  }

  /** Ends the loop with `error` at its next guard()ed await or throwIfAborted() (first call wins). */
  abort(error: Error): void {
    if (this.#abortError) return;
    this.#abortError = error;
    this.#rejectAborted(error);
    this.resume();
  }

  /** Throws the abort error when abort() was called. */
  throwIfAborted(): void {
    if (this.#abortError) throw this.#abortError;
  }

  /** `p`'s outcome, or a rejection with the abort error as soon as abort() is called. */
  guard<T>(p: Promise<T>): Promise<T> {
    if (this.#abortError) {
      p.catch(() => undefined);
      return Promise.reject(this.#abortError);
    }
    return Promise.race([p, this.#aborted]);
  }

  /** Whether stop() was called. */
  get stopRequested(): boolean {
    return this.#stopRequested;
  }
  /** Whether a pause is waiting to be honoured (until resume() or stop()). */
  get paused(): boolean {
    return this.#gate !== null;
  }

  /** Closes the gate (no-op when already closed). */
  pause(): void {
    if (this.#gate) return;
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  /** Opens the gate: a loop waiting in untilResumed() continues. */
  resume(): void {
    const open = this.#open;
    this.#gate = null;
    this.#open = null;
    open?.();
  }

  /** Asks the loop to end after its current step. */
  stop(): void {
    this.#stopRequested = true;
    this.resume();
  }

  /** Resolves when the gate opens (at once when it is open). */
  untilResumed(): Promise<void> {
    return this.#gate ?? Promise.resolve();
  }
}

/** Lets queued messages (pause/stop from the page) run between steps. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

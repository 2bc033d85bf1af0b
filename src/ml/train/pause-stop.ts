/**
 * Pause and stop requests for a loop that checks them between steps: pause() closes a gate the loop
 * awaits, resume() opens it, stop() asks the loop to end (and opens the gate so a paused loop sees it).
 */
export class PauseStop {
  #stopRequested = false;
  #gate: Promise<void> | null = null;
  #open: (() => void) | null = null;

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

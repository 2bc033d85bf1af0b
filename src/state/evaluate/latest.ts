/**
 * "Latest request wins": each request takes a token; only the newest token's callbacks still write
 * state (an older request that resolves late is ignored).
 */
export class Latest {
  #n = 0;

  /** Starts a request; the returned check is true while no later request has started. */
  next(): () => boolean {
    const n = ++this.#n;
    return () => n === this.#n;
  }
}

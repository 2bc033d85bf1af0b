/**
 * Keeps the page's engine worker alive (runs in the page): notices when it dies — its `error` event
 * (an exception that reached the worker's global handler, e.g. wasm running out of memory in a
 * helper) or a missed heartbeat (it stopped answering `ping`, counted once it has answered one) —
 * then ends it, fails every call still
 * waiting on it with an EngineCrashed error, starts a new worker and tells its listeners, which
 * re-initialise it. Callers always reach the current worker through `remote`.
 */
import * as Comlink from 'comlink';
import type { EngineApi } from './api';

/** The error calls waiting on a worker that died are failed with. */
export class EngineCrashed extends Error {
  /** Why the worker counts as dead ("its worker failed: …", "it stopped answering for 6 s"). */
  readonly why: string;
  constructor(why: string) {
    super(`the engine stopped (${why}) and was restarted`);
    this.name = 'EngineCrashed';
    this.why = why;
  }
}

export interface HeartbeatOptions {
  /** How often the page pings the worker, ms. */
  everyMs: number;
  /**
   * How long a ping may go unanswered before the worker counts as dead, ms. A training step of a
   * large model on wasm blocks the worker for up to ~15 s, so the default is generous.
   */
  timeoutMs: number;
}

/** The message engine.worker.ts posts when an exception reached its global error handler. */
export const CRASH_MESSAGE = 'simlab:engine-crashed';

export const DEFAULT_HEARTBEAT: HeartbeatOptions = { everyMs: 5_000, timeoutMs: 120_000 };

export class EngineSupervisor {
  readonly #make: () => Worker;
  readonly #heartbeat: HeartbeatOptions;
  #worker: Worker;
  #current: Comlink.Remote<EngineApi>;
  readonly #pending = new Set<(e: Error) => void>();
  readonly #listeners = new Set<(why: string) => void>();
  #timer: ReturnType<typeof setInterval> | null = null;
  #pingSentAt: number | null = null;
  /** Whether the current worker has answered a ping (loading it can take seconds: not counted). */
  #answered = false;
  #generation = 0;
  #closed = false;
  /** Calls through this reach the current worker and fail with EngineCrashed if it dies first. */
  readonly remote: Comlink.Remote<EngineApi>;

  constructor(make: () => Worker, heartbeat: HeartbeatOptions = DEFAULT_HEARTBEAT) {
    this.#make = make;
    this.#heartbeat = heartbeat;
    this.#worker = this.#spawn();
    this.#current = Comlink.wrap<EngineApi>(this.#worker);
    this.remote = new Proxy({} as Comlink.Remote<EngineApi>, {
      get: (_, prop) => {
        if (prop === 'then') return undefined;
        return (...args: unknown[]) => {
          const fn = (
            this.#current as unknown as Record<string | symbol, (...a: unknown[]) => unknown>
          )[prop];
          return this.#track(Promise.resolve(fn(...args)));
        };
      },
    });
    this.#startHeartbeat();
  }

  /** How many times the worker was restarted. */
  get restarts(): number {
    return this.#generation;
  }

  /** Calls `cb(why)` after each restart (the new worker is not initialised yet); returns an unsubscribe. */
  onRestart(cb: (why: string) => void): () => void {
    this.#listeners.add(cb);
    return () => this.#listeners.delete(cb);
  }

  /** Ends the worker for good (no restart). */
  terminate(): void {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#worker.terminate();
  }

  #spawn(): Worker {
    const w = this.#make();
    const generation = this.#generation;
    const failed = (message: string) => {
      if (generation === this.#generation)
        this.#restart(`its worker failed: ${message || 'an uncaught error'}`);
    };
    w.addEventListener('error', (e: ErrorEvent) => {
      e.preventDefault();
      failed(e.message);
    });
    w.addEventListener('message', (e: MessageEvent) => {
      const d = e.data as { type?: unknown; message?: unknown } | null;
      if (d && d.type === CRASH_MESSAGE) failed(String(d.message ?? ''));
    });
    return w;
  }

  #track<T>(p: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.add(reject);
      p.then(resolve, reject).finally(() => this.#pending.delete(reject));
    });
  }

  #startHeartbeat(): void {
    if (this.#heartbeat.everyMs <= 0) return;
    this.#timer = setInterval(() => {
      const now = Date.now();
      if (this.#pingSentAt !== null) {
        if (this.#answered && now - this.#pingSentAt > this.#heartbeat.timeoutMs)
          this.#restart(
            `it stopped answering for ${Math.round((now - this.#pingSentAt) / 1000)} s`,
          );
        return;
      }
      const generation = this.#generation;
      this.#pingSentAt = now;
      this.#current.ping().then(
        () => {
          if (generation !== this.#generation) return;
          this.#pingSentAt = null;
          this.#answered = true;
        },
        () => undefined,
      );
    }, this.#heartbeat.everyMs);
  }

  #restart(why: string): void {
    if (this.#closed) return;
    this.#generation++;
    this.#pingSentAt = null;
    this.#answered = false;
    this.#worker.terminate();
    const crashed = new EngineCrashed(why);
    for (const reject of [...this.#pending]) reject(crashed);
    this.#pending.clear();
    this.#worker = this.#spawn();
    this.#current = Comlink.wrap<EngineApi>(this.#worker);
    for (const cb of this.#listeners) cb(why);
  }
}

import { describe, expect, it } from 'vitest';
import { PauseStop } from './pause-stop';

describe('PauseStop', () => {
  it('pause holds untilResumed until resume; stop also releases it', async () => {
    const c = new PauseStop();
    expect(c.paused).toBe(false);
    await c.untilResumed();
    c.pause();
    expect(c.paused).toBe(true);
    let released = false;
    const waiting = c.untilResumed().then(() => (released = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(released).toBe(false);
    c.resume();
    await waiting;
    expect(released).toBe(true);
    expect(c.paused).toBe(false);

    c.pause();
    const w2 = c.untilResumed();
    c.stop();
    await w2;
    expect(c.stopRequested).toBe(true);
    expect(c.paused).toBe(false);
  });
});

describe('PauseStop.abort', () => {
  it('rejects guarded awaits at once, opens a pause, and keeps the first error', async () => {
    const c = new PauseStop();
    expect(await c.guard(Promise.resolve(3))).toBe(3);
    c.pause();
    const never = new Promise<number>(() => undefined);
    const guarded = c.guard(never);
    const paused = c.guard(c.untilResumed());
    c.abort(new Error('lost'));
    c.abort(new Error('second'));
    await expect(guarded).rejects.toThrow('lost');
    await expect(paused).rejects.toThrow('lost');
    expect(c.paused).toBe(false);
    expect(c.abortError?.message).toBe('lost');
    expect(() => c.throwIfAborted()).toThrow('lost');
    await expect(c.guard(Promise.resolve(1))).rejects.toThrow('lost');
  });
});

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

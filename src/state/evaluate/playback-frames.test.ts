import { describe, expect, it } from 'vitest';
import { nextFrame, playStart } from './playback-frames';

/** The frames a play from `frame` shows, stepping until it stops. */
function played(frame: number, n: number): number[] | null {
  let f = playStart(frame, n);
  if (f === null) return null;
  const shown = [f];
  for (let next = nextFrame(f, n); next !== null; next = nextFrame(f, n)) shown.push((f = next));
  return shown;
}

describe('evolution frame stepping', () => {
  it('does not play fewer than 2 frames', () => {
    expect(playStart(0, 0)).toBeNull();
    expect(playStart(0, 1)).toBeNull();
  });

  it('plays from the current frame to the last, and from 0 when at the end', () => {
    for (let n = 2; n <= 6; n++)
      for (let start = 0; start < n; start++) {
        const from = start === n - 1 ? 0 : start;
        const expected = Array.from({ length: n - from }, (_, i) => from + i);
        expect(played(start, n)).toEqual(expected);
      }
  });

  it('stops at the last frame even when frames arrived after it', () => {
    expect(nextFrame(4, 5)).toBeNull();
    expect(nextFrame(4, 7)).toBe(5);
  });
});

/** Frame stepping of the evolution player (plain functions; the Playback state class owns the timer). */

/** The frame playing starts from (the end wraps to 0), or null when there are fewer than 2 frames. */
export function playStart(frame: number, frames: number): number | null {
  if (frames < 2) return null;
  return frame >= frames - 1 ? 0 : frame;
}

/** The frame after `frame`, or null when `frame` is the last one (playing stops there). */
export function nextFrame(frame: number, frames: number): number | null {
  return frame >= frames - 1 ? null : frame + 1;
}

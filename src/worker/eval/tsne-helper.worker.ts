/**
 * A helper thread of the FFT t-SNE (tsne-threads.ts): takes a run's shared state, then runs its
 * part of each phase as the caller bumps the generation word, until the run ends.
 */
import { createTsnePhases, type TsneShared } from '../../ml/eval/tsne-parallel';
import type { TsneSharedBh } from '../../ml/eval/tsne-parallel-bh';
import { DONE, END_PHASE, FAILED, GEN, PHASE, READY } from './tsne-threads';

let control: Int32Array | null = null;
let part = 0;

self.onmessage = (e: MessageEvent) => {
  const m = e.data as
    | { type: 'init'; control: Int32Array; part: number }
    | { type: 'start'; shared: TsneShared | TsneSharedBh };
  if (m.type === 'init') {
    control = m.control;
    part = m.part;
    postMessage('ready');
    return;
  }
  const c = control!;
  const phases = createTsnePhases(m.shared);
  let gen = Atomics.load(c, GEN);
  Atomics.add(c, READY, 1);
  Atomics.notify(c, READY);
  for (;;) {
    Atomics.wait(c, GEN, gen);
    gen = Atomics.load(c, GEN);
    const phase = Atomics.load(c, PHASE);
    if (phase === END_PHASE) break;
    try {
      phases(phase, part);
    } catch (err) {
      console.error('t-SNE helper:', err);
      Atomics.add(c, FAILED, 1);
    }
    Atomics.add(c, DONE, 1);
    Atomics.notify(c, DONE);
  }
};

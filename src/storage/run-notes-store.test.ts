import 'fake-indexeddb/auto';
import { createStore, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import type { RunImportNote } from '../common/run-types';
import { RunNotesStore } from './run-notes-store';

const note = (runId: string, over: Partial<RunImportNote> = {}): RunImportNote => ({
  runId,
  fileName: `${runId}.simlab.zip`,
  fileBytes: 1234,
  importedAt: 5,
  kind: 'simlab-checkpoint',
  choice: null,
  ...over,
});

describe('RunNotesStore (fake IndexedDB)', () => {
  it('put / get / all, and setChoice keeps the rest of the note', async () => {
    const s = new RunNotesStore(`notes-${crypto.randomUUID()}`);
    expect(await s.all()).toEqual({});
    await s.put(note('a', { classNames: ['cat', 'dog'] }));
    await s.put(note('b', { kind: 'torchvision-safetensors' }));
    expect(await s.get('a')).toEqual(note('a', { classNames: ['cat', 'dog'] }));
    expect(await s.get('zzz')).toBeUndefined();
    expect(Object.keys(await s.all()).sort()).toEqual(['a', 'b']);
    const chosen = await s.setChoice('a', 'fine-tune');
    expect(chosen).toEqual(note('a', { classNames: ['cat', 'dog'], choice: 'fine-tune' }));
    expect(await s.get('a')).toEqual(chosen);
    await expect(s.setChoice('zzz', 'evaluate')).rejects.toThrow(
      'run zzz was not imported from a file',
    );
  });

  it("reads notes written the old way (idb-keyval 'simlab-run-imports' / 'kv', keyed by run id)", async () => {
    // The default database name is the one RunFiles used before this store existed.
    await set('old', note('old', { choice: 'continue' }), createStore('simlab-run-imports', 'kv'));
    const s = new RunNotesStore();
    expect(await s.get('old')).toEqual(note('old', { choice: 'continue' }));
    expect((await s.all()).old.choice).toBe('continue');
  });
});

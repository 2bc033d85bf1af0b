import * as Comlink from 'comlink';
import { createEngine } from './engine';
import { CRASH_MESSAGE } from './engine-supervisor';

// An exception that reaches this worker's global handler leaves the engine in an unknown state:
// tell the page's supervisor, which restarts the worker (the Worker's own 'error' event does not
// always reach the page: a handler that calls preventDefault() here swallows it).
self.addEventListener('error', (e: ErrorEvent) => {
  self.postMessage({ type: CRASH_MESSAGE, message: e.message || String(e.error) });
});

Comlink.expose(createEngine());

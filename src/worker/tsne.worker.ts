/** The embedding explorer's worker (t-SNE / PCA / UMAP in plain JS), separate from the engine so training can go on. */
import * as Comlink from 'comlink';
import { createProjector } from './eval/projector';

Comlink.expose(createProjector());

import { cosineEmbeddingLoss } from './cosine-embedding';
import { describeMarginLoss } from './margin-loss.testing';

describeMarginLoss('cosineEmbeddingLoss', cosineEmbeddingLoss, (L) => L.cosine_embedding, 1.5);

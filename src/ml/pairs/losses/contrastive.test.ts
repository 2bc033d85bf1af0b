import { contrastiveLoss } from './contrastive';
import { describeMarginLoss } from './margin-loss.testing';

describeMarginLoss('contrastiveLoss', contrastiveLoss, (L) => L.contrastive, 0);

"""Reference for src/ml/train: the SimCLR learning test's run, trained in PyTorch for the kNN parity figure.

Run with Debian's python (torch 1.13):  /usr/bin/python3 tests/reference/train_reference.py
Writes tests/reference/fixtures/train_reference.json, read by src/ml/train/learning-simclr.test.ts
(which prints simlab's kNN figures beside these).

Same data (the cifar10-png subset: 5,000 train / 1,000 test, 32 px), network, recipe and monitor as
the test (CONFIG below; keep them in step):
  ConvNet: BLOCKS blocks of conv3x3 (pad 1, no bias) -> BatchNorm2d -> ReLU -> maxpool 2,
           widths WIDTH*[1,2,4,8], global average pool (src/ml/models/backbones/convnet.ts).
  SimCLR:  projector Linear(D,D) -> BN -> ReLU -> Linear(D,64), NT-Xent tau 0.5 over 2N views.
  Views:   RandomResizedCrop(32, scale 0.3-1, ratio 3/4-4/3), flip 0.5, ColorJitter(0.4,0.4,0.4,0.1)
           p 0.8, grayscale 0.2, normalise mean 0.5 std 0.25.
  Adam at a constant lr, batch as CONFIG (last partial batch dropped).
  kNN:     cosine, k 200, T 0.1, weighted vote (DINO eval_knn), bank = the 5,000 train embeddings
           in eval mode (no augmentation), queries = the 1,000 test images.
Recorded: kNN top-1 at random init and after each epoch, for each of SEEDS (initialisations and
augmentation draws differ from simlab's, so the figures compare as distributions, not bit for bit).
"""
import hashlib
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
import torchvision.transforms as T
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, 'fixtures', 'train_reference.json')
CONFIG = {'width': 8, 'blocks': 4, 'batch': 64, 'lr': 2e-3, 'schedule': 'constant', 'epochs': 2, 'temperature': 0.5, 'projectionDim': 64,
          'cropScale': [0.3, 1.0], 'k': 200, 'knnTemperature': 0.1}
SEEDS = [0]


def datasets_dir():
    for d in (os.path.join(REPO, '..', 'shared', 'datasets'), '/work/shared/datasets'):
        if os.path.isdir(d):
            return os.path.abspath(d)
    sys.exit('shared datasets folder not found')


def load(split):
    root = os.path.join(datasets_dir(), 'cifar10-png', split)
    classes = sorted(os.listdir(root))
    xs, ys = [], []
    for ci, c in enumerate(classes):
        for f in sorted(os.listdir(os.path.join(root, c))):
            xs.append(np.asarray(Image.open(os.path.join(root, c, f)).convert('RGB')))
            ys.append(ci)
    return np.stack(xs), np.array(ys)


def convnet(width, blocks):
    layers, cin = [], 3
    for b in range(blocks):
        cout = width * 2 ** b
        layers += [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(2)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers), cin


def nt_xent(z1, z2, tau):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    sim = z @ z.t() / tau
    sim.fill_diagonal_(float('-inf'))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, target)


@torch.no_grad()
def knn_top1(net, xtr, ytr, xte, yte, norm, k, t):
    net.eval()
    emb = lambda x: F.normalize(torch.cat([net(norm(x[i:i + 500])) for i in range(0, len(x), 500)]), dim=1)
    bank, q = emb(xtr), emb(xte)
    sim, idx = (q @ bank.t()).topk(k, dim=1)
    w = (sim / t).exp()
    votes = torch.zeros(len(q), 10).scatter_add_(1, ytr[idx], w)
    net.train()
    return (votes.argmax(1) == yte).float().mean().item()


def run(seed, xtr_u8, ytr, xte_u8, yte):
    torch.manual_seed(seed)
    c = CONFIG
    net, d = convnet(c['width'], c['blocks'])
    proj = nn.Sequential(nn.Linear(d, d, bias=False), nn.BatchNorm1d(d), nn.ReLU(), nn.Linear(d, c['projectionDim']))
    params = list(net.parameters()) + list(proj.parameters())
    opt = torch.optim.Adam(params, lr=c['lr'])
    steps_per_epoch = len(xtr_u8) // c['batch']
    view = T.Compose([
        T.RandomResizedCrop(32, scale=tuple(c['cropScale']), ratio=(3 / 4, 4 / 3)),
        T.RandomHorizontalFlip(),
        T.RandomApply([T.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
        T.RandomGrayscale(0.2),
        T.Normalize([0.5] * 3, [0.25] * 3),
    ])
    mean, std = torch.tensor([0.5] * 3).view(1, 3, 1, 1), torch.tensor([0.25] * 3).view(1, 3, 1, 1)
    norm = lambda x: (x - mean) / std
    xtr = torch.from_numpy(xtr_u8).permute(0, 3, 1, 2).float() / 255
    xte = torch.from_numpy(xte_u8).permute(0, 3, 1, 2).float() / 255
    ytr_t, yte_t = torch.from_numpy(ytr), torch.from_numpy(yte)
    curve = [knn_top1(net, xtr, ytr_t, xte, yte_t, norm, c['k'], c['knnTemperature'])]
    t0 = time.time()
    for epoch in range(c['epochs']):
        perm = torch.randperm(len(xtr))
        for b in range(steps_per_epoch):
            x = xtr[perm[b * c['batch']:(b + 1) * c['batch']]]
            v1 = torch.stack([view(img) for img in x])
            v2 = torch.stack([view(img) for img in x])
            z = proj(net(torch.cat([v1, v2])))
            loss = nt_xent(z[:len(x)], z[len(x):], c['temperature'])
            opt.zero_grad()
            loss.backward()
            opt.step()
        curve.append(knn_top1(net, xtr, ytr_t, xte, yte_t, norm, c['k'], c['knnTemperature']))
        print(f'seed {seed} epoch {epoch + 1}: knn {curve[-1]:.3f} ({time.time() - t0:.0f} s)', flush=True)
    return curve


def main():
    torch.set_num_threads(2)
    xtr, ytr = load('train')
    xte, yte = load('test')
    runs = {str(s): [round(v, 4) for v in run(s, xtr, ytr, xte, yte)] for s in SEEDS}
    script = open(os.path.abspath(__file__), 'rb').read()
    out = {
        'script': 'tests/reference/train_reference.py',
        'scriptSha256': hashlib.sha256(script).hexdigest(),
        'torch': torch.__version__,
        'torchvision': torchvision.__version__,
        'numpy': np.__version__,
        'config': CONFIG,
        'knnTop1BySeed': runs,
        'meanRandomInit': round(float(np.mean([r[0] for r in runs.values()])), 4),
        'meanTrained': round(float(np.mean([r[-1] for r in runs.values()])), 4),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(out, f, indent=1)
    print(json.dumps({k: out[k] for k in ('knnTop1BySeed', 'meanRandomInit', 'meanTrained')}))


if __name__ == '__main__':
    main()

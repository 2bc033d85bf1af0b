"""Reference for src/ml/methods: ONE training step of each method in PyTorch on a tiny network.

Run with Debian's python (torch 1.13):  /usr/bin/python3 tests/reference/methods_reference.py
Writes tests/reference/fixtures/methods_reference.json, read by src/ml/methods/reference.test.ts.

The network is defined identically in tfjs by the test:
  backbone  conv3x3(3->4, pad 1, bias) -> BatchNorm2d(4) -> ReLU -> global average pool  => [N, 4]
  heads     as src/ml/models/heads.ts (Linear before BN without bias), sizes in CONFIG below.
Every parameter gets values from a seeded generator and is stored in the fixture (PyTorch layout:
conv OIHW, Linear [out, in]); inputs are stored NHWC. One step = forward in train mode, loss,
backward, plain SGD (lr 0.1, no momentum, no weight decay), then the method's after-step update
(BYOL target EMA with the cosine tau schedule, MoCo momentum update of the key encoder and FIFO
enqueue). Recorded: loss, gradient of every trainable parameter, updated weights, BN running
stats, target/key weights, MoCo queue and pointer.

BN conventions: forward uses batch statistics with the biased variance and eps 1e-5 (same in both
frameworks). PyTorch updates running_var with the UNBIASED batch variance; tfjs-layers uses the
biased one. Running stats are therefore tracked here with a forward hook that applies the tfjs rule
rv <- 0.9 rv + 0.1 var_biased (running_mean is identical in both), and stored as 'updated'.
"""
import hashlib
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'fixtures', 'methods_reference.json')
torch.set_default_dtype(torch.float64)  # reference in double; tfjs float32 must match to 1e-4

N, H, W, C = 4, 6, 6, 3
LR = 0.1
CONFIG = {
    'supervised': {'numClasses': 3, 'labelSmoothing': 0.1},
    'simclr': {'temperature': 0.5, 'projectionHiddenDim': 8, 'projectionDim': 5},
    'byol': {'tauBase': 0.9, 'projectionHiddenDim': 8, 'projectionDim': 5, 'predictorHiddenDim': 8,
             'step': 3, 'totalSteps': 10},
    'simsiam': {'projectionHiddenDim': 6, 'projectionDim': 6, 'predictorHiddenDim': 3},
    'mocov2': {'temperature': 0.2, 'momentum': 0.9, 'headHiddenDim': 8, 'projectionDim': 5,
               'queueSize': 6, 'queuePtr': 4},
}

GEN = torch.Generator().manual_seed(20201)


def uniform(shape, bound):
    return (torch.rand(shape, generator=GEN) * 2 - 1) * bound


def backbone():
    return nn.Sequential(nn.Conv2d(C, 4, 3, padding=1, bias=True), nn.BatchNorm2d(4, eps=1e-5, momentum=0.1),
                         nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())


def bn1d(d, affine=True):
    return nn.BatchNorm1d(d, eps=1e-5, momentum=0.1, affine=affine)


def mlp2(din, hidden, dout):
    """Linear(no bias)-BN-ReLU-Linear: SimCLR projection, BYOL projector/predictor, SimSiam predictor."""
    return nn.Sequential(nn.Linear(din, hidden, bias=False), bn1d(hidden), nn.ReLU(), nn.Linear(hidden, dout))


def simsiam_projector(din, hidden, dout):
    return nn.Sequential(nn.Linear(din, hidden, bias=False), bn1d(hidden), nn.ReLU(),
                         nn.Linear(hidden, hidden, bias=False), bn1d(hidden), nn.ReLU(),
                         nn.Linear(hidden, dout, bias=False), bn1d(dout, affine=False))


def moco_head(din, hidden, dout):
    return nn.Sequential(nn.Linear(din, hidden), nn.ReLU(), nn.Linear(hidden, dout))


def init_weights(model, scale=1.0):
    """Deterministic values; BN gamma/beta are perturbed away from 1/0 so their gradients matter."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.copy_(uniform(m.weight.shape, scale * 1.5 / math.sqrt(fan_in)))
                if m.bias is not None:
                    m.bias.copy_(uniform(m.bias.shape, scale * 0.5))
            elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                if m.affine:
                    m.weight.copy_(1 + uniform(m.weight.shape, 0.3))
                    m.bias.copy_(uniform(m.bias.shape, 0.2))
                m.running_mean.copy_(uniform(m.running_mean.shape, 0.1))
                m.running_var.copy_(1 + uniform(m.running_var.shape, 0.2))


class TfjsRunningStats:
    """Tracks BN running stats with tfjs-layers' rule (biased variance), one entry per BN module."""

    def __init__(self, *models):
        self.stats = {}
        for model in models:
            for m in model.modules():
                if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                    self.stats[m] = [m.running_mean.clone(), m.running_var.clone()]
                    m.register_forward_pre_hook(self._hook)

    def _hook(self, module, inputs):
        if not module.training:
            return
        x = inputs[0].detach()
        dims = [0] if x.dim() == 2 else [0, 2, 3]
        mean = x.mean(dim=dims)
        var = x.var(dim=dims, unbiased=False)
        rm, rv = self.stats[module]
        self.stats[module] = [0.9 * rm + 0.1 * mean, 0.9 * rv + 0.1 * var]


def flat(t):
    return [round(float(v), 10) for v in t.detach().reshape(-1).tolist()]


def entries(model):
    """Weights in tfjs order: per layer kernel, bias; BN gamma, beta, moving mean, moving variance."""
    out = []
    for name, m in model.named_modules():
        if isinstance(m, nn.Conv2d):
            out.append((f'{name}.weight', 'conv_weight', m.weight, True))
            if m.bias is not None:
                out.append((f'{name}.bias', 'vector', m.bias, True))
        elif isinstance(m, nn.Linear):
            out.append((f'{name}.weight', 'linear_weight', m.weight, True))
            if m.bias is not None:
                out.append((f'{name}.bias', 'vector', m.bias, True))
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            if m.affine:
                out.append((f'{name}.weight', 'vector', m.weight, True))
                out.append((f'{name}.bias', 'vector', m.bias, True))
            else:  # tfjs keeps frozen gamma = 1, beta = 0
                d = m.running_mean.shape[0]
                out.append((f'{name}.weight(frozen)', 'vector', torch.ones(d), False))
                out.append((f'{name}.bias(frozen)', 'vector', torch.zeros(d), False))
            out.append((f'{name}.running_mean', 'running_mean', m, False))
            out.append((f'{name}.running_var', 'running_var', m, False))
    return out


def snapshot(model):
    vals = []
    for name, kind, t, _ in entries(model):
        if kind == 'running_mean':
            t = t.running_mean
        elif kind == 'running_var':
            t = t.running_var
        vals.append(t.detach().clone())
    return vals


def record(model, init_vals, tracker):
    """Entries of one part: init (before the step), grad, and updated values (after the step)."""
    out = []
    for (name, kind, t, trainable), init in zip(entries(model), init_vals):
        if kind in ('running_mean', 'running_var'):
            updated = tracker.stats[t][0 if kind == 'running_mean' else 1]
        else:
            updated = t
        e = {'name': name, 'kind': kind, 'shape': list(init.shape), 'trainable': trainable,
             'init': flat(init), 'updated': flat(updated)}
        if trainable:
            e['grad'] = flat(t.grad) if t.grad is not None else [0.0] * init.numel()
        out.append(e)
    return out


def l2n(x):
    return F.normalize(x, dim=1)


def nt_xent(z1, z2, tau):
    z = l2n(torch.cat([z1, z2]))
    sim = z @ z.t() / tau
    sim = sim.masked_fill(torch.eye(2 * N, dtype=torch.bool), float('-inf'))
    labels = torch.cat([torch.arange(N, 2 * N), torch.arange(0, N)])
    return F.cross_entropy(sim, labels)


def images():
    return torch.randn(N, C, H, W, generator=GEN)  # NCHW for torch; stored NHWC


def nhwc(x):
    return flat(x.permute(0, 2, 3, 1))


def ema(target, online, tau):
    with torch.no_grad():
        for pt, po in zip(target.parameters(), online.parameters()):
            pt.mul_(tau).add_(po, alpha=1 - tau)


def run(method):
    cfg = CONFIG[method]
    online = {'backbone': backbone()}
    target = {}
    if method == 'supervised':
        online['classifier'] = nn.Linear(4, cfg['numClasses'])
    elif method == 'simclr':
        online['projector'] = mlp2(4, cfg['projectionHiddenDim'], cfg['projectionDim'])
    elif method == 'byol':
        online['projector'] = mlp2(4, cfg['projectionHiddenDim'], cfg['projectionDim'])
        online['predictor'] = mlp2(cfg['projectionDim'], cfg['predictorHiddenDim'], cfg['projectionDim'])
        target = {'targetBackbone': backbone(),
                  'targetProjector': mlp2(4, cfg['projectionHiddenDim'], cfg['projectionDim'])}
    elif method == 'simsiam':
        online['projector'] = simsiam_projector(4, cfg['projectionHiddenDim'], cfg['projectionDim'])
        online['predictor'] = mlp2(cfg['projectionDim'], cfg['predictorHiddenDim'], cfg['projectionDim'])
    elif method == 'mocov2':
        online['head'] = moco_head(4, cfg['headHiddenDim'], cfg['projectionDim'])
        target = {'keyBackbone': backbone(), 'keyHead': moco_head(4, cfg['headHiddenDim'], cfg['projectionDim'])}
    for m in online.values():
        init_weights(m)
    # Target/key networks start from different weights, as they would mid-run, so the EMA is visible.
    for m in target.values():
        init_weights(m, scale=0.8)
    parts = {**online, **target}
    for m in parts.values():
        m.train()
    init = {k: snapshot(m) for k, m in parts.items()}
    tracker = TfjsRunningStats(*parts.values())
    params = [p for m in online.values() for p in m.parameters()]
    opt = torch.optim.SGD(params, lr=LR, momentum=0, weight_decay=0)

    bb = online['backbone']
    fx = {'method': method, 'config': cfg, 'lr': LR}
    if method == 'supervised':
        x = images()
        y = torch.tensor([0, 2, 1, 2])
        fx['input'] = {'x': nhwc(x), 'y': y.tolist(), 'shape': [N, H, W, C]}
        logits = online['classifier'](bb(x))
        loss = F.cross_entropy(logits, y, label_smoothing=cfg['labelSmoothing'])
    else:
        v1, v2 = images(), images()
        fx['input'] = {'v1': nhwc(v1), 'v2': nhwc(v2), 'shape': [N, H, W, C]}
        if method == 'simclr':
            z = online['projector'](bb(torch.cat([v1, v2])))  # one 2N batch: BN over both views
            loss = nt_xent(z[:N], z[N:], cfg['temperature'])
        elif method == 'byol':
            with torch.no_grad():
                zt1 = target['targetProjector'](target['targetBackbone'](v1))
                zt2 = target['targetProjector'](target['targetBackbone'](v2))
            p1 = online['predictor'](online['projector'](bb(v1)))
            p2 = online['predictor'](online['projector'](bb(v2)))

            def reg(p, z):
                return (2 - 2 * (l2n(p) * l2n(z)).sum(dim=1)).mean()
            loss = reg(p1, zt2) + reg(p2, zt1)
        elif method == 'simsiam':
            z1 = online['projector'](bb(v1))
            z2 = online['projector'](bb(v2))
            p1, p2 = online['predictor'](z1), online['predictor'](z2)

            def d(p, z):
                return -(l2n(p) * l2n(z.detach())).sum(dim=1).mean()
            loss = d(p1, z2) / 2 + d(p2, z1) / 2
        elif method == 'mocov2':
            k_size, ptr, dim = cfg['queueSize'], cfg['queuePtr'], cfg['projectionDim']
            queue = l2n(torch.randn(k_size, dim, generator=GEN))  # [K, D], rows are keys
            fx['queueInit'] = flat(queue)
            q = l2n(online['head'](bb(v1)))
            with torch.no_grad():
                k = l2n(target['keyHead'](target['keyBackbone'](v2)))
            l_pos = (q * k).sum(dim=1, keepdim=True)
            l_neg = q @ queue.t()
            logits = torch.cat([l_pos, l_neg], dim=1) / cfg['temperature']
            loss = F.cross_entropy(logits, torch.zeros(N, dtype=torch.long))
    fx['loss'] = round(float(loss), 10)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if method == 'byol':
        tau = 1 - (1 - cfg['tauBase']) * (math.cos(math.pi * cfg['step'] / cfg['totalSteps']) + 1) / 2
        fx['tau'] = tau
        ema(target['targetBackbone'], bb, tau)
        ema(target['targetProjector'], online['projector'], tau)
    if method == 'mocov2':
        ema(target['keyBackbone'], bb, cfg['momentum'])
        ema(target['keyHead'], online['head'], cfg['momentum'])
        with torch.no_grad():
            for i in range(N):  # FIFO: overwrite the oldest rows, wrapping around
                queue[(ptr + i) % k_size] = k[i]
        fx['queueUpdated'] = flat(queue)
        fx['queuePtrUpdated'] = (ptr + N) % k_size
    fx['parts'] = {name: record(m, init[name], tracker) for name, m in parts.items()}
    return fx


def main():
    script = open(os.path.abspath(__file__), 'rb').read()
    out = {
        'script': 'tests/reference/methods_reference.py',
        'scriptSha256': hashlib.sha256(script).hexdigest(),
        'torch': torch.__version__,
        'methods': {m: run(m) for m in CONFIG},
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(out, f, separators=(',', ':'))
    print(f'wrote {OUT} ({os.path.getsize(OUT)} bytes)')


if __name__ == '__main__':
    main()

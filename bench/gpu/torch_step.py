#!/usr/bin/env python3
"""PyTorch eager anchor for bench/gpu/step.ts: images/s of the same step on CUDA (or CPU).

usage: torch_step.py [--device cuda] [--steps 10] [--models resnet18-w64-simclr-b256,...]
Prints `BENCH {json}` rows like bench/lib.ts: for each model, strict fp32 (TF32 off for matmul and
cuDNN) and PyTorch's default (TF32 as the build chooses), source images/s from the median step
(synchronised), after two warm-up steps. Runs on torch 1.13 and current releases.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def bn_relu(c):
    return [nn.BatchNorm2d(c), nn.ReLU(inplace=True)]


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None if stride == 1 and cin == cout else nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.down is None else self.down(x)))


def resnet18_cifar(w):
    layers, cin = [nn.Conv2d(3, w, 3, 1, 1, bias=False), *bn_relu(w)], w
    for i, c in enumerate([w, 2 * w, 4 * w, 8 * w]):
        layers += [Block(cin, c, 1 if i == 0 else 2), Block(c, c, 1)]
        cin = c
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten()), cin


def convnet(w):
    layers, cin = [], 3
    for c in [w, 2 * w, 4 * w, 8 * w]:
        layers += [nn.Conv2d(cin, c, 3, 1, 1, bias=False), *bn_relu(c), nn.MaxPool2d(2)]
        cin = c
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten()), cin


STEPS = {
    "resnet18-w64-simclr-b256": ("simclr", "resnet18", 64, 256, 32),
    "resnet18-w64-simclr-b64": ("simclr", "resnet18", 64, 64, 32),
    "convnet-w32-supervised-b128": ("supervised", "convnet", 32, 128, 64),
    "tiny": ("simclr", "convnet", 4, 4, 16),
}


def rate(name, device, steps):
    method, arch, width, batch, size = STEPS[name]
    torch.manual_seed(0)
    net, dim = resnet18_cifar(width) if arch == "resnet18" else convnet(width)
    head = nn.Sequential(nn.Linear(dim, dim), nn.BatchNorm1d(dim), nn.ReLU(), nn.Linear(dim, 64)) if method == "simclr" else nn.Linear(dim, 10)
    net, head = net.to(device), head.to(device)
    opt = torch.optim.SGD(list(net.parameters()) + list(head.parameters()), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x1 = torch.randn(batch, 3, size, size, device=device)
    x2 = torch.randn(batch, 3, size, size, device=device)
    y = torch.randint(0, 10, (batch,), device=device)
    target = torch.cat([torch.arange(batch, 2 * batch), torch.arange(0, batch)]).to(device)

    def step():
        opt.zero_grad(set_to_none=True)
        if method == "simclr":
            z = F.normalize(head(net(torch.cat([x1, x2]))), dim=1)
            sim = z @ z.t() / 0.5
            sim.fill_diagonal_(-1e9)
            loss = F.cross_entropy(sim, target)
        else:
            loss = F.cross_entropy(head(net(x1)), y)
        loss.backward()
        opt.step()
        return loss

    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    for _ in range(2):
        step()
    sync()
    times = []
    for _ in range(steps):
        t = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - t)
    return batch / statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--models", default="resnet18-w64-simclr-b256")
    a = p.parse_args()
    dev_name = torch.cuda.get_device_name(0) if a.device == "cuda" else "CPU"
    defaults = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    for name in a.models.split(","):
        for mode in ("strict-fp32", "default"):
            # strict: no TF32 anywhere; default: what this torch does out of the box
            # (since 1.12 matmul TF32 off, cuDNN convolutions TF32 on).
            strict = mode == "strict-fp32"
            torch.backends.cuda.matmul.allow_tf32 = False if strict else defaults[0]
            torch.backends.cudnn.allow_tf32 = False if strict else defaults[1]
            r = rate(name, a.device, a.steps)
            print("BENCH " + json.dumps({
                "figure": f"gpu train step {name}",
                "backend": f"PyTorch {torch.__version__} {a.device} eager, {mode}",
                "size": name.split("-")[-1],
                "median": round(r, 1),
                "unit": "images/s",
                "runs": a.steps,
                "anchor": None,
                "ratio": None,
                "note": dev_name,
            }), flush=True)


if __name__ == "__main__":
    main()

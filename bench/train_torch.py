#!/usr/bin/python3
"""PyTorch CPU anchor for bench/train-browser.bench.ts: images/s of one SimCLR / supervised step.

usage: train_torch.py <method simclr|supervised> <backbone convnet|resnet18> <width> <batch> <size> <steps>
Prints one number: source images per second (median step time). Threads: torch default (all cores).
"""
import statistics, sys, time
import torch, torch.nn as nn, torch.nn.functional as F

method, arch, width, batch, size, steps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
torch.manual_seed(0)

class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False); self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False); self.bn2 = nn.BatchNorm2d(cout)
        self.down = None if stride == 1 and cin == cout else nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x))); y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.down is None else self.down(x)))

def resnet18_cifar(w):
    layers = [nn.Conv2d(3, w, 3, 1, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU()]
    cin = w
    for i, c in enumerate([w, 2 * w, 4 * w, 8 * w]):
        layers += [Block(cin, c, 1 if i == 0 else 2), Block(c, c, 1)]; cin = c
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten()), cin

def convnet(w):
    layers, cin = [], 3
    for c in [w, 2 * w, 4 * w, 8 * w]:
        layers += [nn.Conv2d(cin, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(), nn.MaxPool2d(2)]; cin = c
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten()), cin

net, dim = resnet18_cifar(width) if arch == 'resnet18' else convnet(width)
head = nn.Sequential(nn.Linear(dim, dim), nn.BatchNorm1d(dim), nn.ReLU(), nn.Linear(dim, 64)) if method == 'simclr' else nn.Linear(dim, 10)
opt = torch.optim.SGD(list(net.parameters()) + list(head.parameters()), lr=0.01, momentum=0.9, weight_decay=5e-4)
x1 = torch.randn(batch, 3, size, size); x2 = torch.randn(batch, 3, size, size); y = torch.randint(0, 10, (batch,))

def step():
    opt.zero_grad()
    if method == 'simclr':
        z = F.normalize(head(net(torch.cat([x1, x2]))), dim=1)
        sim = z @ z.t() / 0.5
        sim.fill_diagonal_(-1e9)
        n = batch
        target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
        loss = F.cross_entropy(sim, target)
    else:
        loss = F.cross_entropy(head(net(x1)), y)
    loss.backward(); opt.step()
    return loss.item()

step()
times = []
for _ in range(steps):
    t = time.perf_counter(); step(); times.append(time.perf_counter() - t)
print(batch / statistics.median(times))

"""Reference outputs for simlab's backbones (src/ml/models/backbones), from torchvision.

Run with Debian's python (torch 1.13, torchvision 0.14):
    /usr/bin/python3 tests/reference/backbones_reference.py
Writes tests/reference/fixtures/backbones.json (read by src/ml/models/backbones/reference-parity.test.ts).

Weights are not stored: both sides generate them from the same integer hash, per tensor j (its
index in the state_dict key order recorded below) and element i (row-major index in PyTorch's
layout), exact in uint32 arithmetic, then scaled in float64 and rounded to float32:
    z = (i * 2654435761 + j * 2246822519 + 0x632BE5AB) mod 2^32
    z ^= z >> 16; z = z * 0x85EBCA6B mod 2^32; z ^= z >> 13; z = z * 0xC2B2AE35 mod 2^32; z ^= z >> 16
    f(j, i)      = 2 * z / 2^32 - 1           (uniform in [-1, 1))
    conv weight  = f * sqrt(6 / fan_in)       fan_in = I * kh * kw of a weight [O, I, kh, kw] (He uniform)
    BN weight    = 0.5 + 0.25 * f           (below 1 so eval-mode activations do not grow with depth)
    bias         = 0.1 * f                    (BN bias and conv bias alike)
    running_mean = 0.1 * f
    running_var  = 1 + 0.5 * f
    num_batches_tracked = 0
Input x [N, C, H, W] (NCHW, row-major index i): x = f(1000000, i).
(A smooth formula such as sin(a*i + b*j) gives structured weights that make training-mode batch
norm ill-conditioned: float32 and float64 PyTorch then disagree by O(1). The hash does not.)
For each case it records the state_dict keys and shapes (the tfjs model must map onto exactly
these), the eval-mode embedding and, for some, the embedding and running statistics after two
training-mode forward passes on the same batch (PyTorch's momentum and unbiased running_var), and
for some the gradients of sum(embedding * r), r = f(2000000, i), after one training-mode pass.
"""
import hashlib
import json
import os
import sys
from functools import partial

import numpy as np
import torch
import torch.nn as nn
import torchvision
from torchvision.models.mobilenetv3 import InvertedResidualConfig, MobileNetV3

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures", "backbones.json")


M32 = np.uint64(0xFFFFFFFF)


def hash_uniform(j, n):
    i = np.arange(n, dtype=np.uint64)
    z = (i * np.uint64(2654435761) + np.uint64(j) * np.uint64(2246822519) + np.uint64(0x632BE5AB)) & M32
    z ^= z >> np.uint64(16)
    z = (z * np.uint64(0x85EBCA6B)) & M32
    z ^= z >> np.uint64(13)
    z = (z * np.uint64(0xC2B2AE35)) & M32
    z ^= z >> np.uint64(16)
    return 2.0 * z.astype(np.float64) / 4294967296.0 - 1.0


def formula_value(key, j, shape):
    n = int(np.prod(shape)) if len(shape) else 1
    f = hash_uniform(j, n)
    leaf = key.rsplit(".", 1)[1]
    if leaf == "num_batches_tracked":
        v = np.zeros(n)
    elif leaf == "weight" and len(shape) == 4:
        fan_in = shape[1] * shape[2] * shape[3]
        v = f * np.sqrt(6.0 / fan_in)
    elif leaf == "weight":
        v = 0.5 + 0.25 * f
    elif leaf == "bias":
        v = 0.1 * f
    elif leaf == "running_mean":
        v = 0.1 * f
    elif leaf == "running_var":
        v = 1.0 + 0.5 * f
    else:
        raise ValueError(key)
    return v.astype(np.float32).reshape(shape)


def load_formula_weights(model):
    sd = model.state_dict()
    new = {}
    for j, (k, t) in enumerate(sd.items()):
        v = torch.from_numpy(formula_value(k, j, list(t.shape)))
        new[k] = v.to(t.dtype)
    model.load_state_dict(new)


def formula_input(shape):
    return torch.from_numpy(hash_uniform(1000000, int(np.prod(shape))).astype(np.float32).reshape(shape))


def rounded(a):
    return [float("%.7g" % v) for v in np.asarray(a, dtype=np.float64).ravel()]


class ConvNet(nn.Module):
    """Equivalent of src/ml/models/backbones/convnet.ts."""

    def __init__(self, width, blocks, convs, act, bn):
        super().__init__()
        acts = {"relu": nn.ReLU, "gelu": nn.GELU, "silu": nn.SiLU, "leakyRelu": nn.LeakyReLU}
        self.nblocks, self.convs, self.bn = blocks, convs, bn
        cin, ch = 3, width
        for b in range(1, blocks + 1):
            block = nn.Module()
            for k in range(1, convs + 1):
                setattr(block, f"conv{k}", nn.Conv2d(cin, ch, 3, padding=1, bias=not bn))
                if bn:
                    setattr(block, f"bn{k}", nn.BatchNorm2d(ch))
                setattr(block, f"act{k}", acts[act]())
                cin = ch
            setattr(self, f"block{b}", block)
            if b < blocks:
                ch *= 2
        self.pool = nn.MaxPool2d(2)

    def forward(self, x):
        for b in range(1, self.nblocks + 1):
            block = getattr(self, f"block{b}")
            for k in range(1, self.convs + 1):
                x = getattr(block, f"conv{k}")(x)
                if self.bn:
                    x = getattr(block, f"bn{k}")(x)
                x = getattr(block, f"act{k}")(x)
            x = self.pool(x)
        return x.mean(dim=(2, 3))


def resnet18(stem):
    m = torchvision.models.resnet18(num_classes=10)
    if stem == "cifar":
        m.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        m.maxpool = nn.Identity()
    m.fc = nn.Identity()
    return m


LOWRES = [
    (16, 3, 16, 16, True, "RE", 2),
    (16, 3, 72, 24, False, "RE", 2),
    (24, 3, 88, 24, False, "RE", 1),
    (24, 5, 96, 40, True, "HS", 2),
    (40, 5, 240, 40, True, "HS", 1),
    (40, 5, 120, 48, True, "HS", 1),
    (48, 5, 288, 96, True, "HS", 1),
    (96, 5, 576, 96, True, "HS", 1),
]


def mobilenet(table, stem_stride, width_mult, eps, momentum):
    norm = partial(nn.BatchNorm2d, eps=eps, momentum=momentum)
    if table == "torchvision":
        m = torchvision.models.mobilenet_v3_small(width_mult=width_mult, norm_layer=norm)
    else:
        conf = [InvertedResidualConfig(*row, 1, width_mult) for row in LOWRES]
        m = MobileNetV3(conf, last_channel=1024, norm_layer=norm)
    m.features[0][0].stride = (stem_stride, stem_stride)
    m.classifier = nn.Identity()
    return m


def run_case(name, config, model, input_shape, train_stats=None, grads=None):
    torch.manual_seed(0)
    load_formula_weights(model)
    keys = [[k, list(t.shape)] for k, t in model.state_dict().items()]
    x = formula_input(input_shape)
    model.eval()
    with torch.no_grad():
        emb = model(x)
    case = {
        "name": name,
        "config": config,
        "inputShapeNCHW": list(input_shape),
        "keys": keys,
        "embedding": rounded(emb.numpy()),
        "embeddingShape": list(emb.shape),
    }
    if train_stats is not None:
        model.train()
        with torch.no_grad():
            model(x)
            emb_t = model(x)
        sd = model.state_dict()
        case["train"] = {
            "passes": 2,
            "embedding": rounded(emb_t.numpy()),
            "stats": {k: rounded(sd[k].numpy()) for k in train_stats},
        }
    if grads is not None:
        # Fresh formula weights, one training-mode pass, loss = sum(embedding * r) with r = f(2000000, i).
        load_formula_weights(model)
        model.train()
        model.zero_grad()
        emb_g = model(x)
        r = torch.from_numpy(hash_uniform(2000000, emb_g.numel()).astype(np.float32).reshape(emb_g.shape))
        (emb_g * r).sum().backward()
        params = dict(model.named_parameters())
        case["grads"] = {k: rounded(params[k].grad.numpy()) for k in grads}
    print(name, "embedding |max|", float(emb.abs().max()), file=sys.stderr)
    return case


def main():
    torch.set_num_threads(2)
    cases = [
        run_case(
            "resnet18-cifar",
            {"name": "resnet18", "stem": "cifar", "width": 64, "inputSize": 16},
            resnet18("cifar"),
            (2, 3, 16, 16),
            ["bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
             "layer2.0.downsample.1.running_var", "layer4.1.bn2.running_mean", "layer4.1.bn2.running_var"],
        ),
        run_case(
            "resnet18-imagenet",
            {"name": "resnet18", "stem": "imagenet", "width": 64, "inputSize": 64},
            resnet18("imagenet"),
            (2, 3, 64, 64),
        ),
        run_case(
            "mobilenetv3-lowres",
            {"name": "mobilenetv3-small", "table": "lowres", "inputSize": 16},
            mobilenet("lowres", 1, 1.0, 1e-5, 0.1),
            (2, 3, 16, 16),
            ["features.0.1.running_var", "features.4.block.1.1.running_mean", "features.9.1.running_var"],
        ),
        run_case(
            "mobilenetv3-lowres-w0.5",
            {"name": "mobilenetv3-small", "table": "lowres", "inputSize": 16, "widthMultiplier": 0.5},
            mobilenet("lowres", 1, 0.5, 1e-5, 0.1),
            (2, 3, 16, 16),
            None,
            ["features.0.0.weight", "features.1.block.0.0.weight", "features.1.block.1.fc1.weight",
             "features.1.block.1.fc2.bias", "features.4.block.1.0.weight", "features.8.block.3.1.weight",
             "features.9.1.bias"],
        ),
        run_case(
            "mobilenetv3-torchvision-w0.75",
            {"name": "mobilenetv3-small", "table": "torchvision", "inputSize": 32, "stemStride": 2,
             "widthMultiplier": 0.75, "bnEpsilon": 1e-3, "bnMomentum": 0.01},
            mobilenet("torchvision", 2, 0.75, 1e-3, 0.01),
            (2, 3, 32, 32),
        ),
        run_case(
            "convnet-gelu-bn-2x3",
            {"name": "convnet", "width": 8, "blocks": 3, "convsPerBlock": 2, "activation": "gelu",
             "batchNorm": True, "inputSize": 16},
            ConvNet(8, 3, 2, "gelu", True),
            (2, 3, 16, 16),
            ["block1.bn1.running_mean", "block3.bn2.running_var"],
            ["block1.conv1.weight", "block1.bn1.weight", "block2.conv2.weight", "block3.bn2.bias"],
        ),
        run_case(
            "convnet-leaky-nobn-1x4",
            {"name": "convnet", "width": 8, "blocks": 4, "convsPerBlock": 1, "activation": "leakyRelu",
             "batchNorm": False, "inputSize": 16},
            ConvNet(8, 4, 1, "leakyRelu", False),
            (2, 3, 16, 16),
        ),
        run_case(
            "convnet-silu-bn-1x4",
            {"name": "convnet", "width": 8, "blocks": 4, "convsPerBlock": 1, "activation": "silu",
             "batchNorm": True, "inputSize": 32},
            ConvNet(8, 4, 1, "silu", True),
            (2, 3, 32, 32),
        ),
    ]
    with open(__file__, "rb") as fh:
        sha = hashlib.sha256(fh.read()).hexdigest()
    out = {
        "script": "tests/reference/backbones_reference.py",
        "scriptSha256": sha,
        "versions": {"torch": torch.__version__, "torchvision": torchvision.__version__, "numpy": np.__version__},
        "cases": cases,
    }
    with open(OUT, "w") as fh:
        json.dump(out, fh, separators=(",", ":"))
    print("wrote", OUT, os.path.getsize(OUT), "bytes", file=sys.stderr)


if __name__ == "__main__":
    main()

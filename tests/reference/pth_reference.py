"""PyTorch .pth fixtures for simlab's restricted .pth reader (src/ml/io/pth/).

Run with Debian's python (torch 1.13, torchvision 0.14):
    /usr/bin/python3 tests/reference/pth_reference.py
It reads the seeded torchvision ResNet-18 (CIFAR stem, width 4, fc 10) that
safetensors_reference.py wrote (fixtures/safetensors_torchvision_resnet18_cifar.safetensors), so
both readers are checked against the same weights, and writes into fixtures/:
  pth_resnet18_cifar.pth          torch.save(model.state_dict()) as torch 1.13 writes it
  pth_resnet18_archive.pth        the same zip re-laid as torch 2.x writes it: every entry under
                                  'archive/', plus an 'archive/byteorder' entry ('little')
  pth_resnet18_checkpoint.pth     a training checkpoint: {"state_dict": {"module." + k: half(v)},
                                  "hparams": argparse.Namespace(...), "epoch": 7, "optimizer": {...}}
  pth_ssl_checkpoint.pth          {"model": {"backbone." + k: v, "projector.0.weight": ...}}
  pth_views.pth                   tensors sharing one storage: a base, a row slice (offset), a
                                  transpose (strides), a column; a bfloat16 and an int64 tensor
  pth_legacy.pth                  the pre-1.6 format (_use_new_zipfile_serialization=False)
  pth_os_system.pth               a zip whose pickle calls os.system (never loaded here)
  pth_resnet50_w8.pth             torchvision's resnet50 layout at width 8 (ImageNet stem, fc 10)
  pth_mobilenet_v3_small.pth      torchvision's mobilenet_v3_small(width_mult=0.5), classifier dropped
  pth_resnet18_imagenet.pth       a width-4 ImageNet-stem resnet18 (for the CIFAR stem: all but conv1)
  (each with seeded BN statistics from three training-mode passes)
  pth_reference.json              eval-mode embeddings and logits torch computes from the files
                                  (torch.load), the view values, the hparams, file hashes
"""
import argparse
import hashlib
import io
import json
import os
import sys
import zipfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from safetensors_reference import FIX, TV_FILE, embed, f32, formula_input, narrow_resnet18, read_safetensors  # noqa: E402

OUT = os.path.join(FIX, "pth_reference.json")


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def relayout_as_torch2(src, dst):
    """torch 2.x's layout: 'archive/...' entries and a byteorder record, stored uncompressed."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        names = zin.namelist()
        folder = names[0].split("/")[0]
        for n in names:
            rest = n[len(folder) + 1 :]
            zout.writestr("archive/" + rest, zin.read(n))
        zout.writestr("archive/byteorder", "little")


class Evil:
    def __reduce__(self):
        return (os.system, ("echo simlab-test-should-never-run",))


def pickle_cases():
    """pickle.dumps of plain values at several protocols, with the value as JSON (tuples as lists)."""
    import pickle
    from collections import OrderedDict

    values = {
        "dict": {"a": [1, 2.5, None, True, False], "b": (300, -2, "x"), "big": 2**70, "neg": -(2**40), "u": "é✓"},
        "ordered": OrderedDict([("z", 1), ("y", (1.0, 2.0))]),
        "shared": None,
        "bytes": {"raw": b"\x00\x01\xff"},
    }
    shared = [1]
    values["shared"] = [shared, shared]
    def js(v):
        if isinstance(v, bytes):
            return {"bytes": list(v)}
        if isinstance(v, dict):
            return {k: js(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [js(x) for x in v]
        if isinstance(v, int) and abs(v) > 2**53:
            return {"bigint": str(v)}
        return v
    return [
        {"name": f"{n}-p{proto}", "protocol": proto, "hex": pickle.dumps(v, protocol=proto).hex(), "value": js(v)}
        for n, v in values.items()
        for proto in (0, 2, 4, 5)
    ]


def settle_bn(model, shape):
    """Three training-mode passes so BN statistics and num_batches_tracked are not the defaults."""
    model.train()
    with torch.no_grad():
        for k in range(3):
            model(torch.randn(*shape) * (1 + 0.5 * k) + 0.1 * k)
    model.eval()
    return model


def narrow_resnet50(width, num_classes):
    from torchvision.models.resnet import Bottleneck, ResNet
    import torch.nn as nn

    m = ResNet(Bottleneck, [3, 4, 6, 3], num_classes=1000)
    m.inplanes = width
    m.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
    m.bn1 = nn.BatchNorm2d(width)
    m.layer1 = m._make_layer(Bottleneck, width, 3)
    m.layer2 = m._make_layer(Bottleneck, width * 2, 4, stride=2)
    m.layer3 = m._make_layer(Bottleneck, width * 4, 6, stride=2)
    m.layer4 = m._make_layer(Bottleneck, width * 8, 3, stride=2)
    m.fc = nn.Linear(width * 32, num_classes)
    for mod in m.modules():
        if isinstance(mod, nn.Conv2d):
            nn.init.kaiming_normal_(mod.weight, mode="fan_out", nonlinearity="relu")
    return m


def transfer_cases(x64):
    """ResNet-50, MobileNetV3-Small and an ImageNet-stem ResNet-18 as .pth, with torch's outputs."""
    import torchvision

    torch.manual_seed(5)
    r50 = settle_bn(narrow_resnet50(8, 10), (4, 3, 64, 64))
    torch.save(r50.state_dict(), os.path.join(FIX, "pth_resnet50_w8.pth"))
    e50, y50 = embed(r50, x64)
    torch.manual_seed(6)
    mb = torchvision.models.mobilenet_v3_small(width_mult=0.5)
    settle_bn(mb, (4, 3, 64, 64))
    sd = {k: v for k, v in mb.state_dict().items() if not k.startswith("classifier.")}
    torch.save(sd, os.path.join(FIX, "pth_mobilenet_v3_small.pth"))
    with torch.no_grad():
        emb = torch.flatten(mb.avgpool(mb.features(x64)), 1)
    torch.manual_seed(7)
    r18 = settle_bn(narrow_resnet18(4, "imagenet", 10), (4, 3, 64, 64))
    torch.save(r18.state_dict(), os.path.join(FIX, "pth_resnet18_imagenet.pth"))
    bn_eps = [m.eps for m in mb.modules() if isinstance(m, torch.nn.BatchNorm2d)][0]
    bn_mom = [m.momentum for m in mb.modules() if isinstance(m, torch.nn.BatchNorm2d)][0]
    return {
        "resnet50": {"file": "pth_resnet50_w8.pth", "width": 8, "numClasses": 10, "inputShapeNCHW": [2, 3, 64, 64],
                     "keys": len(r50.state_dict()), "embedding": f32(e50), "logits": f32(y50)},
        "mobilenet": {"file": "pth_mobilenet_v3_small.pth", "widthMultiplier": 0.5, "inputShapeNCHW": [2, 3, 64, 64],
                      "bnEpsilon": bn_eps, "bnMomentum": bn_mom, "keys": len(sd), "embedding": f32(emb)},
        "resnet18Imagenet": {"file": "pth_resnet18_imagenet.pth", "width": 4,
                             "layer1Conv1": f32(r18.state_dict()["layer1.0.conv1.weight"])},
    }


def main():
    torch.manual_seed(0)
    sd, meta = read_safetensors(os.path.join(FIX, TV_FILE))
    width, stem = int(meta["width"]), meta["stem"]
    model = narrow_resnet18(width, stem, 10)
    model.load_state_dict(sd, strict=True)
    model.eval()
    x = formula_input([2, 3, 32, 32])

    files = {}
    p = os.path.join(FIX, "pth_resnet18_cifar.pth")
    torch.save(model.state_dict(), p)
    files["plain"] = "pth_resnet18_cifar.pth"
    relayout_as_torch2(p, os.path.join(FIX, "pth_resnet18_archive.pth"))
    files["archive"] = "pth_resnet18_archive.pth"

    ns = argparse.Namespace(lr=0.05, arch="resnet18", epochs=90)
    ck = {
        "epoch": 7,
        "hparams": ns,
        "state_dict": {"module." + k: (v.half() if v.is_floating_point() else v) for k, v in model.state_dict().items()},
        "optimizer": {"state": {}, "param_groups": [{"lr": 0.05, "momentum": 0.9}]},
    }
    torch.save(ck, os.path.join(FIX, "pth_resnet18_checkpoint.pth"))
    files["checkpoint"] = "pth_resnet18_checkpoint.pth"

    proj = torch.nn.Linear(8 * width, 16)
    ssl = {"model": {**{"backbone." + k: v for k, v in model.state_dict().items() if not k.startswith("fc.")},
                     **{"projector.0." + k: v for k, v in proj.state_dict().items()}}}
    torch.save(ssl, os.path.join(FIX, "pth_ssl_checkpoint.pth"))
    files["ssl"] = "pth_ssl_checkpoint.pth"

    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) * 0.5 - 3
    views = {
        "base": base,
        "rows": base[1:3],
        "transposed": base.t(),
        "column": base[:, 2],
        "bf16": torch.tensor([1.5, -2.25, 3.0e3], dtype=torch.bfloat16),
        "int64": torch.tensor([[1, -2], [3, 2**40]], dtype=torch.int64),
        "scalar": torch.tensor(5, dtype=torch.int64),
    }
    torch.save(views, os.path.join(FIX, "pth_views.pth"))
    files["views"] = "pth_views.pth"

    torch.save({"w": torch.ones(2)}, os.path.join(FIX, "pth_legacy.pth"), _use_new_zipfile_serialization=False)
    files["legacy"] = "pth_legacy.pth"
    torch.save({"w": torch.ones(2), "x": Evil()}, os.path.join(FIX, "pth_os_system.pth"))
    files["osSystem"] = "pth_os_system.pth"

    # What torch itself reads back from each file.
    loaded = torch.load(os.path.join(FIX, files["plain"]))
    m2 = narrow_resnet18(width, stem, 10)
    m2.load_state_dict(loaded, strict=True)
    m2.eval()
    e, y = embed(m2, x)
    ck2 = torch.load(os.path.join(FIX, files["checkpoint"]))
    m3 = narrow_resnet18(width, stem, 10)
    m3.load_state_dict({k[len("module."):]: v.float() if v.is_floating_point() else v for k, v in ck2["state_dict"].items()}, strict=True)
    m3.eval()
    e16, y16 = embed(m3, x)
    v2 = torch.load(os.path.join(FIX, files["views"]))
    files.update({"resnet50": "pth_resnet50_w8.pth", "mobilenet": "pth_mobilenet_v3_small.pth", "resnet18Imagenet": "pth_resnet18_imagenet.pth"})
    transfer = transfer_cases(formula_input([2, 3, 64, 64]))
    doc = {
        "script": "tests/reference/pth_reference.py",
        "versions": {"torch": torch.__version__, "numpy": np.__version__, "python": sys.version.split()[0]},
        "files": files,
        "sha256": {k: sha(os.path.join(FIX, f)) for k, f in files.items()},
        "width": width,
        "stem": stem,
        "numClasses": 10,
        "inputShapeNCHW": [2, 3, 32, 32],
        "keys": [[k, list(v.shape)] for k, v in loaded.items()],
        "embedding": f32(e),
        "logits": f32(y),
        "embeddingF16": f32(e16),
        "logitsF16": f32(y16),
        "hparams": vars(ns),
        "pickleCases": pickle_cases(),
        "transfer": transfer,
        "views": {k: {"shape": list(v.shape), "values": [float(t) for t in v.float().reshape(-1)] if v.dtype != torch.int64 else [int(t) for t in v.reshape(-1)]} for k, v in v2.items()},
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()

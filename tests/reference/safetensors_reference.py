"""torchvision parity for simlab's .safetensors ResNet-18 export / import (src/ml/io/torchvision-resnet.ts).

Run with Debian's python (torch 1.13, torchvision 0.14; no safetensors package is needed: the
format is read and written by hand below):
    1. SIMLAB_WRITE_FIXTURES=1 npx vitest run --project unit src/ml/io/torchvision-resnet.test.ts
         writes fixtures/safetensors_simlab_resnet18_{cifar,imagenet}.safetensors (simlab's export of
         two seeded width-4 ResNet-18s) and fixtures/safetensors_simlab_export.json (simlab's
         embeddings / logits of the fixed inputs). Without the variable the test only checks that
         today's export is byte-identical to the committed files.
    2. /usr/bin/python3 tests/reference/safetensors_reference.py
         (a) loads each simlab file into torchvision's ResNet with load_state_dict(strict=True),
             computes the avgpool embedding (and fc logits) of the same inputs and records both
             sides and the max |difference| (must be <= 1e-4);
         (b) builds a seeded torchvision resnet18 (CIFAR stem, width 4, fc 10 classes), runs three
             training-mode passes so BN statistics and num_batches_tracked are not the defaults,
             writes it as fixtures/safetensors_torchvision_resnet18_cifar.safetensors (F32, I64
             num_batches_tracked) and a half-precision copy (..._f16.safetensors), and records its
             eval-mode embeddings and logits.
       and writes fixtures/safetensors_reference.json (script sha256, versions, results).
    3. npx vitest run --project unit src/ml/io   (CI: reads only the committed files)

Widths other than 64 are torchvision's own ResNet class with every stage rebuilt by its own
`_make_layer` at width*[1, 2, 4, 8] (`narrow_resnet18`); at width 64 it equals
torchvision.models.resnet18 key for key (asserted below). CIFAR stem: conv1 = 3x3 stride 1 pad 1,
maxpool = Identity. Inputs x [N, 3, S, S] = f(1000000, i), the hash of backbones_reference.py.
"""
import hashlib
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision
from torchvision.models.resnet import BasicBlock, ResNet

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures")
OUT = os.path.join(FIX, "safetensors_reference.json")
SIMLAB_EXPORT = os.path.join(FIX, "safetensors_simlab_export.json")
TV_FILE = "safetensors_torchvision_resnet18_cifar.safetensors"
TV_FILE_F16 = "safetensors_torchvision_resnet18_cifar_f16.safetensors"

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


def formula_input(shape):
    n = int(np.prod(shape))
    return torch.from_numpy(hash_uniform(1000000, n).astype(np.float32).reshape(shape))


# ---- safetensors by hand -------------------------------------------------------------------
DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32, "U8": np.uint8}
TORCH_TO_ST = {torch.float32: "F32", torch.float16: "F16", torch.int64: "I64", torch.float64: "F64", torch.int32: "I32", torch.uint8: "U8"}


def read_safetensors(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    body = data[8 + n :]
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        arr = np.frombuffer(body[b:e], dtype=np.dtype(DTYPES[info["dtype"]]).newbyteorder("<")).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out, meta


def write_safetensors(path, state_dict, metadata):
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name, t in state_dict.items():
        raw = t.detach().contiguous().cpu().numpy().astype(np.dtype(t.numpy().dtype).newbyteorder("<")).tobytes()
        header[name] = {"dtype": TORCH_TO_ST[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    js = json.dumps(header, separators=(",", ":")).encode("utf-8")
    js += b" " * ((8 - len(js) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for b in blobs:
            f.write(b)


# ---- torchvision ResNet-18 at any width ----------------------------------------------------
def narrow_resnet18(width, stem, num_classes):
    """torchvision ResNet(BasicBlock, [2, 2, 2, 2]) with layer k at width*2^(k-1) channels."""
    m = ResNet(BasicBlock, [2, 2, 2, 2], num_classes=1000)
    m.inplanes = width
    if stem == "cifar":
        m.conv1 = nn.Conv2d(3, width, kernel_size=3, stride=1, padding=1, bias=False)
        m.maxpool = nn.Identity()
    else:
        m.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
    m.bn1 = nn.BatchNorm2d(width)
    m.layer1 = m._make_layer(BasicBlock, width, 2)
    m.layer2 = m._make_layer(BasicBlock, width * 2, 2, stride=2)
    m.layer3 = m._make_layer(BasicBlock, width * 4, 2, stride=2)
    m.layer4 = m._make_layer(BasicBlock, width * 8, 2, stride=2)
    m.fc = nn.Linear(width * 8, num_classes) if num_classes else nn.Identity()
    # torchvision's own initialisation (ResNet.__init__), re-applied to the rebuilt modules.
    for mod in m.modules():
        if isinstance(mod, nn.Conv2d):
            nn.init.kaiming_normal_(mod.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(mod, nn.BatchNorm2d):
            nn.init.constant_(mod.weight, 1)
            nn.init.constant_(mod.bias, 0)
    return m


def embed(model, x):
    """Eval-mode avgpool output [N, 8*width] and the model output."""
    feats = {}
    h = model.avgpool.register_forward_hook(lambda mod, i, o: feats.__setitem__("e", torch.flatten(o, 1)))
    with torch.no_grad():
        y = model(x)
    h.remove()
    return feats["e"], y


def keys_of(model):
    return [[k, list(v.shape)] for k, v in model.state_dict().items()]


def sha256_file(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def f32(t):
    return [float(v) for v in t.detach().numpy().astype(np.float32).reshape(-1)]


def main():
    torch.set_num_threads(1)
    # The rebuild equals the stock network at width 64.
    stock = keys_of(torchvision.models.resnet18())
    assert stock == keys_of(narrow_resnet18(64, "imagenet", 1000)), "narrow_resnet18(64) differs from resnet18()"

    # (a) simlab → torchvision
    simlab = json.load(open(SIMLAB_EXPORT))
    a_cases = []
    for c in simlab["cases"]:
        path = os.path.join(FIX, c["file"])
        sd, meta = read_safetensors(path)
        assert meta["stem"] == c["stem"] and int(meta["width"]) == c["width"], meta
        model = narrow_resnet18(c["width"], c["stem"], c["numClasses"])
        model.load_state_dict(sd, strict=True)
        model.eval()
        x = formula_input(c["inputShapeNCHW"])
        e, y = embed(model, x)
        err = float(np.max(np.abs(e.numpy().reshape(-1) - np.array(c["embedding"], dtype=np.float64))))
        res = {
            "name": c["name"],
            "file": c["file"],
            "fileSha256": sha256_file(path),
            "keys": len(sd),
            "embeddingTorch": f32(e),
            "embeddingSimlab": c["embedding"],
            "maxAbsErrEmbedding": err,
        }
        if c["numClasses"]:
            res["logitsTorch"] = f32(y)
            res["logitsSimlab"] = c["logits"]
            res["maxAbsErrLogits"] = float(np.max(np.abs(y.numpy().reshape(-1) - np.array(c["logits"]))))
        print(f"(a) {c['name']}: {len(sd)} tensors loaded strictly, max|embedding diff| = {err:.2e}", file=sys.stderr)
        assert err <= 1e-4 and res.get("maxAbsErrLogits", 0) <= 1e-4, res
        a_cases.append(res)

    # (b) torchvision → simlab
    torch.manual_seed(0)
    width, classes, size = 4, 10, 16
    model = narrow_resnet18(width, "cifar", classes)
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.2, 0.2)
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(8, 3, size, size))
    model.eval()
    x = formula_input([2, 3, size, size])
    sd = model.state_dict()
    meta = {"format": "pt", "source": "tests/reference/safetensors_reference.py (b)", "stem": "cifar", "width": str(width)}
    write_safetensors(os.path.join(FIX, TV_FILE), sd, meta)
    e, y = embed(model, x)
    # Half-precision copy: floats rounded to F16 (num_batches_tracked stays I64); its outputs are
    # those of the rounded weights, computed in float32.
    sd16 = {k: (v.half() if v.is_floating_point() else v) for k, v in sd.items()}
    write_safetensors(os.path.join(FIX, TV_FILE_F16), sd16, {**meta, "dtype": "F16"})
    m16 = narrow_resnet18(width, "cifar", classes)
    m16.load_state_dict({k: (v.float() if v.is_floating_point() else v) for k, v in sd16.items()}, strict=True)
    m16.eval()
    e16, y16 = embed(m16, x)
    b_case = {
        "file": TV_FILE,
        "fileSha256": sha256_file(os.path.join(FIX, TV_FILE)),
        "fileF16": TV_FILE_F16,
        "fileF16Sha256": sha256_file(os.path.join(FIX, TV_FILE_F16)),
        "config": {"name": "resnet18", "width": width, "stem": "cifar", "inputSize": size},
        "numClasses": classes,
        "inputShapeNCHW": [2, 3, size, size],
        "numBatchesTracked": int(sd["bn1.num_batches_tracked"]),
        "keys": keys_of(model),
        "embedding": f32(e),
        "logits": f32(y),
        "embeddingF16": f32(e16),
        "logitsF16": f32(y16),
    }

    out = {
        "script": "tests/reference/safetensors_reference.py",
        "scriptSha256": sha256_file(os.path.abspath(__file__)),
        "versions": {"torch": torch.__version__, "torchvision": torchvision.__version__, "numpy": np.__version__, "python": sys.version.split()[0]},
        "stockResnet18Keys": stock,
        "simlabToTorch": a_cases,
        "torchToSimlab": b_case,
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Reference outputs for simlab's batched augmentation ops (src/ml/augment/ops/*).

Runs torchvision.transforms.functional with FIXED parameters on a few real images and writes
tests/reference/fixtures/augment.json. Run with Debian's interpreter (torch 1.13, torchvision 0.14):

    /usr/bin/python3 tests/reference/augment_reference.py

Images: the first file (sorted) of four clothing-small train classes, resized with PIL bilinear to
W=24 x H=20 (deliberately not square, so height/width mix-ups show), stored as uint8 HWC arrays.
Every op runs on float tensors in [0, 1] (CHW), as simlab's engine does; outputs are stored NHWC,
rounded to 4 decimals. Each case names the op, its parameters, and the expected output.
"""
import hashlib
import json
import os
import platform

import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as F
from PIL import Image
from torchvision.transforms import InterpolationMode

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(ROOT, '..', 'shared', 'datasets', 'clothing-small', 'train')
if not os.path.isdir(DATA):
    DATA = '/work/shared/datasets/clothing-small/train'
OUT = os.path.join(HERE, 'fixtures', 'augment.json')
CLASSES = ['dress', 'hat', 'pants', 'shoes']
W, H = 24, 20


def load_images():
    arrays, names = [], []
    for c in CLASSES:
        folder = os.path.join(DATA, c)
        name = sorted(os.listdir(folder))[0]
        img = Image.open(os.path.join(folder, name)).convert('RGB').resize((W, H), Image.BILINEAR)
        arrays.append(np.asarray(img, dtype=np.uint8))
        names.append(f'{c}/{name}')
    return np.stack(arrays), names


def to_nhwc_list(t):
    """[N,C,H,W] float tensor -> nested NHWC flat list rounded to 4 decimals."""
    a = t.permute(0, 2, 3, 1).contiguous().numpy().astype(np.float64)
    return [round(float(v), 4) for v in a.reshape(-1)]


def per_image(fn, x):
    return torch.stack([fn(img) for img in x])


def main():
    torch.set_num_threads(1)
    u8, names = load_images()
    x = torch.from_numpy(u8).permute(0, 3, 1, 2).float() / 255.0  # [N,3,H,W]
    cases = []

    def add(op, params, out):
        assert out.shape[1] == 3, out.shape
        cases.append({'op': op, 'params': params, 'shape': [out.shape[0], out.shape[2], out.shape[3], 3],
                      'output': to_nhwc_list(out)})

    # resized_crop: integer box (top, left, height, width) -> size x size, bilinear, no antialias.
    for top, left, height, width, size in [(2, 3, 16, 18, 12), (5, 7, 8, 9, 16), (0, 0, H, W, 16)]:
        out = per_image(lambda im: F.resized_crop(im, top, left, height, width, [size, size],
                                                  interpolation=InterpolationMode.BILINEAR, antialias=False), x)
        add('resized-crop', {'top': top, 'left': left, 'height': height, 'width': width, 'size': size}, out)

    add('hflip', {}, per_image(F.hflip, x))

    for angle in [30.0, -12.5]:
        out = per_image(lambda im: F.rotate(im, angle, interpolation=InterpolationMode.BILINEAR,
                                            expand=False, center=None, fill=None), x)
        add('rotate', {'angle': angle}, out)

    for f in [1.3, 0.6]:
        add('brightness', {'factor': f}, per_image(lambda im: F.adjust_brightness(im, f), x))
    for f in [0.5, 1.4]:
        add('contrast', {'factor': f}, per_image(lambda im: F.adjust_contrast(im, f), x))
    for f in [0.3, 1.7]:
        add('saturation', {'factor': f}, per_image(lambda im: F.adjust_saturation(im, f), x))
    for f in [0.1, -0.25]:
        add('hue', {'factor': f}, per_image(lambda im: F.adjust_hue(im, f), x))

    add('grayscale', {}, per_image(lambda im: F.rgb_to_grayscale(im, num_output_channels=3), x))

    for k, s in [(5, 1.2), (3, 0.6)]:
        add('gaussian-blur', {'kernelSize': k, 'sigma': s},
            per_image(lambda im: F.gaussian_blur(im, [k, k], [s, s]), x))

    add('solarize', {'threshold': 0.5}, per_image(lambda im: F.solarize(im, 0.5), x))

    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    add('normalize', {'mean': mean, 'std': std}, per_image(lambda im: F.normalize(im, mean, std), x))

    with open(os.path.abspath(__file__), 'rb') as fh:
        script_sha = hashlib.sha256(fh.read()).hexdigest()
    fixture = {
        'script': 'tests/reference/augment_reference.py',
        'scriptSha256': script_sha,
        'versions': {'python': platform.python_version(), 'torch': torch.__version__,
                     'torchvision': torchvision.__version__, 'numpy': np.__version__,
                     'PIL': Image.__version__},
        'images': names,
        'inputShape': [int(u8.shape[0]), H, W, 3],
        'inputUint8': [int(v) for v in u8.reshape(-1)],
        'cases': cases,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as fh:
        json.dump(fixture, fh, separators=(',', ':'))
    print(f'wrote {OUT}: {len(cases)} cases, {os.path.getsize(OUT)} bytes')


if __name__ == '__main__':
    main()

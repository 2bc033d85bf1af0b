#!/usr/bin/python3
"""Camera-sized JPEG photos for the import bench, made from the shared datasets (never committed).

usage: import_photos.py OUT_DIR [COUNT]

The shared sets were downsized to ~96x128 upstream, so each source image is enlarged to 500x375
(or 375x500 for portrait sources) with Lanczos, given Gaussian grain (sigma 4, as a sensor would
add; without it the enlarged JPEGs compress to a third of a photo's size and decode faster) and
saved at quality 90, 4:2:0, as `<class>/<n>.jpg`. Same bytes every run (seeded)."""
import os, sys
import numpy as np
from PIL import Image

out, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 4000
shared = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'datasets')
src = []
for name in ('trashnet', 'clothing-small'):
    root = os.path.join(shared, name)
    for d, _, fs in sorted(os.walk(root)):
        for f in sorted(fs):
            src.append((os.path.basename(d), os.path.join(d, f)))
rng = np.random.default_rng(16)
for i in range(count):
    cls, p = src[i % len(src)]
    im = Image.open(p).convert('RGB')
    w, h = im.size
    im = im.resize((500, 375) if w >= h else (375, 500), Image.LANCZOS)
    a = np.asarray(im, dtype=np.float32) + rng.normal(0, 4, (im.size[1], im.size[0], 3))
    os.makedirs(os.path.join(out, cls), exist_ok=True)
    Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).save(
        os.path.join(out, cls, f'{i:05d}.jpg'), quality=90, subsampling=2)

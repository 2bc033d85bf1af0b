#!/usr/bin/python3
"""Anchor for the import bench: PIL decode + short-side resize + centre crop, one thread, images/s."""
import os, sys, time
from PIL import Image

root, size = sys.argv[1], int(sys.argv[2])
files = [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs]
t = time.perf_counter()
for p in files:
    im = Image.open(p).convert('RGB')
    w, h = im.size
    s = min(w, h)
    im = im.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s)).resize((size, size), Image.BILINEAR)
    im.tobytes()
print(len(files) / (time.perf_counter() - t))

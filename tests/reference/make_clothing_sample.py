#!/usr/bin/python3
"""Builds public/datasets/clothing-sample.zip, the bundled offline sample (CC0 clothing dataset).

30 images per class from ../shared/datasets/clothing-small/train (first 30 by file name), short side
resized to 64 px (Lanczos) and centre-cropped to 64×64, JPEG quality 90, ImageFolder layout
clothing-sample/<class>/<file>.jpg, plus a LICENSE.txt. Run: /usr/bin/python3 tests/reference/make_clothing_sample.py
"""
import io, os, sys, zipfile
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
SRC = os.path.abspath(os.path.join(ROOT, '..', 'shared', 'datasets', 'clothing-small', 'train'))
OUT = os.path.join(ROOT, 'public', 'datasets', 'clothing-sample.zip')
PER_CLASS = 30
SIZE = 64

def square(img):
    w, h = img.size
    s = min(w, h)
    img = img.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s))
    return img.resize((SIZE, SIZE), Image.LANCZOS)

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with zipfile.ZipFile(OUT, 'w', zipfile.ZIP_STORED) as z:
    z.writestr('clothing-sample/LICENSE.txt',
               'Images from github.com/alexeygrigorev/clothing-dataset-small, CC0 1.0 Universal.\n')
    for cls in sorted(os.listdir(SRC)):
        files = sorted(os.listdir(os.path.join(SRC, cls)))[:PER_CLASS]
        for f in files:
            img = Image.open(os.path.join(SRC, cls, f)).convert('RGB')
            buf = io.BytesIO()
            square(img).save(buf, 'JPEG', quality=90)
            z.writestr(f'clothing-sample/{cls}/{f}', buf.getvalue())
print('wrote', OUT, os.path.getsize(OUT), 'bytes')

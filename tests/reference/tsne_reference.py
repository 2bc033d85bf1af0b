"""sklearn 1.2 t-SNE on a seeded 10,000-point input, for the FFT path of src/ml/eval/tsne.ts.

    /usr/bin/python3 tests/reference/tsne_reference.py   # writes fixtures/tsne_reference.json

The input is not stored: both languages regenerate it from src/ml/rng.ts's generator (splitmix32
seeding + mulberry32 + Box-Muller), ported below draw for draw; the fixture keeps a checksum of the
input so the TypeScript side (tsne-reference.testing.ts) can prove it made the same points.
Data: 10 clusters, each a curved 2-d sheet (swiss-roll patch) under a random linear map into 10-d,
with unit isotropic noise (enough that a 2-d map must lose some neighbours), centres N(0, 1.5^2): the curvature keeps PCA clearly below t-SNE.
"""

import hashlib
import json
import math
import os
import time

import numpy as np
import sklearn
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE, trustworthiness

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
M32 = 0xFFFFFFFF
NOISE = 1.0


def imul(a, b):
    return (a * b) & M32


def hash_seed(seed):
    z = (seed + 0x9E3779B9) & M32
    z = imul(z ^ (z >> 16), 0x85EBCA6B)
    z = imul(z ^ (z >> 13), 0xC2B2AE35)
    return (z ^ (z >> 16)) & M32


class Rng:
    """src/ml/rng.ts createRng: next() uniform in [0, 1), normal() by Box-Muller with a spare."""

    def __init__(self, seed):
        self.state = hash_seed(seed)
        self.spare = None

    def next(self):
        self.state = (self.state + 0x6D2B79F5) & M32
        t = self.state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296.0

    def normal(self):
        if self.spare is not None:
            s, self.spare = self.spare, None
            return s
        u = 0.0
        while u == 0.0:
            u = self.next()
        v = self.next()
        r = math.sqrt(-2.0 * math.log(u))
        self.spare = r * math.sin(2.0 * math.pi * v)
        return r * math.cos(2.0 * math.pi * v)


def curved_clusters(seed=16, n=10000, dim=10, n_clusters=10, centre_scale=1.5):
    """Point i belongs to cluster i % n_clusters. Draw order: per cluster a dim-vector centre then
    a 3 x dim map; then per point t, h (uniform) and dim noise normals."""
    rng = Rng(seed)
    centres, maps = [], []
    for _ in range(n_clusters):
        centres.append([centre_scale * rng.normal() for _ in range(dim)])
        maps.append([[rng.normal() / math.sqrt(3.0) for _ in range(dim)] for _ in range(3)])
    X = np.zeros((n, dim))
    for i in range(n):
        c = i % n_clusters
        t = 1.5 * math.pi + 3.0 * math.pi * rng.next()
        h = 6.0 * rng.next()
        local = (t * math.cos(t) / 3.0, h / 3.0, t * math.sin(t) / 3.0)
        for j in range(dim):
            v = centres[c][j] + local[0] * maps[c][0][j] + local[1] * maps[c][1][j]
            v += local[2] * maps[c][2][j]
            X[i, j] = v + NOISE * rng.normal()
    return X


def main():
    with open(os.path.abspath(__file__), "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    X = curved_clusters()
    out = {
        "script": "tests/reference/tsne_reference.py",
        "script_sha256": sha,
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "seed": 16,
        "n": int(X.shape[0]),
        "dim": int(X.shape[1]),
        "checksum": {"sum": float(X.sum()), "sum_sq": float((X * X).sum()),
                     "first": X[0].tolist()},
        "n_neighbors": 10,
        "perplexity": 30.0,
    }
    Y_pca = PCA(n_components=2).fit_transform(X)
    out["pca_trustworthiness"] = float(trustworthiness(X, Y_pca, n_neighbors=10))
    t0 = time.time()
    ts = TSNE(n_components=2, perplexity=30.0, init="pca", learning_rate="auto",
              method="barnes_hut", random_state=0, n_jobs=2)
    Y = ts.fit_transform(X)
    out["barnes_hut"] = {
        "trustworthiness": float(trustworthiness(X, Y, n_neighbors=10)),
        "kl_divergence": float(ts.kl_divergence_),
        "n_iter": int(ts.n_iter_),
        "seconds": round(time.time() - t0, 2),
        "load_average_at_start": os.getloadavg()[0],
    }
    os.makedirs(FIXTURES, exist_ok=True)
    with open(os.path.join(FIXTURES, "tsne_reference.json"), "w") as f:
        json.dump(out, f, indent=1)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

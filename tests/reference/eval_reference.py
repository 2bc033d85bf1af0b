"""Reference values for src/ml/eval (t-SNE, PCA, trustworthiness, linear probe, PR curve).

Run with Debian's interpreter, which has sklearn 1.2:
    /usr/bin/python3 tests/reference/eval_reference.py          # writes fixtures/eval_reference.json
    /usr/bin/python3 tests/reference/eval_reference.py --bench  # times sklearn TSNE on 2k / 10k x 512-d
                                                                # and writes fixtures/eval_bench.json
The fixture records this script's sha256 and the library versions; a unit test recomputes the hash.
"""

import hashlib
import json
import os
import sys
import time

import numpy as np
import sklearn
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.manifold import TSNE, trustworthiness
from sklearn.metrics import precision_recall_curve
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")


def script_sha256():
    with open(os.path.abspath(__file__), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def header():
    return {
        "script": "tests/reference/eval_reference.py",
        "script_sha256": script_sha256(),
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
    }


def r(a, digits=6):
    return np.round(np.asarray(a, dtype=np.float64), digits).tolist()


def manifold_clusters(rng, n_clusters=6, per_cluster=100, dim=30, centre_scale=4.0):
    """Clusters that are curved 2-d sheets (swiss-roll patches) in random 3-d subspaces of a 30-d
    space, with cluster offsets spread over many directions. A linear 2-d map cannot keep both the
    clusters and their inner structure, so PCA scores clearly lower trustworthiness than t-SNE."""
    xs, ys = [], []
    for c in range(n_clusters):
        t = rng.uniform(1.5 * np.pi, 4.5 * np.pi, per_cluster)
        h = rng.uniform(0.0, 6.0, per_cluster)
        local = np.stack([t * np.cos(t), h, t * np.sin(t)], axis=1) / 3.0
        basis, _ = np.linalg.qr(rng.normal(size=(dim, 3)))
        centre = rng.normal(size=dim) * centre_scale
        pts = local @ basis.T + centre + 0.1 * rng.normal(size=(per_cluster, dim))
        xs.append(pts)
        ys.append(np.full(per_cluster, c))
    return np.concatenate(xs).astype(np.float64), np.concatenate(ys)


def tsne_reference(rng):
    X, y = manifold_clusters(rng, centre_scale=0.5)
    X = np.round(X, 4)
    out = {"X": r(X, 4), "labels": y.tolist(), "n_neighbors": 10, "perplexity": 30.0}
    pca2 = PCA(n_components=2).fit(X)
    Y_pca = pca2.transform(X)
    out["pca_trustworthiness"] = float(trustworthiness(X, Y_pca, n_neighbors=10))
    pca5 = PCA(n_components=5).fit(X)
    out["pca_explained_variance"] = r(pca5.explained_variance_, 6)
    out["pca_components"] = r(pca5.components_, 6)
    out["pca_Y2_first10"] = r(Y_pca[:10], 6)
    for method in ("barnes_hut", "exact"):
        t0 = time.time()
        ts = TSNE(n_components=2, perplexity=30.0, init="pca", learning_rate="auto",
                  method=method, random_state=0)
        Y = ts.fit_transform(X)
        out[method] = {
            "trustworthiness": float(trustworthiness(X, Y, n_neighbors=10)),
            "kl_divergence": float(ts.kl_divergence_),
            "n_iter": int(ts.n_iter_),
            "seconds": round(time.time() - t0, 2),
        }
    gap = out["barnes_hut"]["trustworthiness"] - out["pca_trustworthiness"]
    assert gap >= 0.05, f"PCA is too close to t-SNE on this data (gap {gap:.3f})"
    return out


def probe_reference(rng, n_classes=5, dim=16, n_train=300, n_test=200):
    """Overlapping Gaussian classes with unequal feature scales, so standardisation matters and
    the test accuracy is well below 100%."""
    means = rng.normal(size=(n_classes, dim)) * 0.5
    scales = np.exp(rng.normal(size=dim))
    offset = rng.normal(size=dim) * 3

    def draw(n):
        y = rng.integers(0, n_classes, n)
        x = (means[y] + rng.normal(size=(n, dim))) * scales + offset
        return np.round(x, 4), y

    xtr, ytr = draw(n_train)
    xte, yte = draw(n_test)
    sc = StandardScaler().fit(xtr)
    clf = LogisticRegression(C=1.0, max_iter=5000).fit(sc.transform(xtr), ytr)
    return {
        "train_x": r(xtr, 4), "train_y": ytr.tolist(),
        "test_x": r(xte, 4), "test_y": yte.tolist(),
        "num_classes": n_classes, "C": 1.0,
        "train_accuracy": float(clf.score(sc.transform(xtr), ytr)),
        "test_accuracy": float(clf.score(sc.transform(xte), yte)),
    }


def pr_reference(rng, n=60):
    labels = rng.integers(0, 2, n)
    # Rounded to one decimal so many scores tie, as sklearn's per-distinct-score thresholds need.
    scores = np.round(np.clip(0.35 * labels + rng.normal(0.4, 0.25, n), 0, 1), 1)
    p, rec, t = precision_recall_curve(labels, scores)
    f1 = np.where(p + rec > 0, 2 * p * rec / np.maximum(p + rec, 1e-300), 0)[:-1]
    return {
        "scores": r(scores, 1), "labels": labels.tolist(),
        "precision": r(p, 12), "recall": r(rec, 12), "thresholds": r(t, 12),
        "best_f1": float(f1.max()),
    }


def main_reference():
    rng = np.random.default_rng(20261123)
    out = header()
    out["tsne"] = tsne_reference(rng)
    out["probe"] = probe_reference(rng)
    out["pr"] = pr_reference(rng)
    path = os.path.join(FIXTURES, "eval_reference.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    t = out["tsne"]
    print(f"wrote {path}: PCA trust {t['pca_trustworthiness']:.4f}, "
          f"BH trust {t['barnes_hut']['trustworthiness']:.4f} KL {t['barnes_hut']['kl_divergence']:.4f}, "
          f"exact trust {t['exact']['trustworthiness']:.4f} KL {t['exact']['kl_divergence']:.4f}, "
          f"probe test acc {out['probe']['test_accuracy']:.4f}")


def gaussian_clusters(rng, n, dim=512, n_clusters=10):
    """Same recipe as bench/tsne.bench.ts: centres N(0, 1) per dimension, unit-variance noise."""
    centres = rng.normal(size=(n_clusters, dim))
    y = np.arange(n) % n_clusters
    return (centres[y] + rng.normal(size=(n, dim))).astype(np.float32), y


def main_bench():
    out = header()
    out["load_average_at_start"] = os.getloadavg()[0]
    out["runs"] = []
    for n in (2000, 10000):
        X, _ = gaussian_clusters(np.random.default_rng(n), n)
        t0, c0 = time.time(), time.process_time()
        ts = TSNE(n_components=2, init="pca", learning_rate="auto", random_state=0)
        Y = ts.fit_transform(X)
        secs, cpu = time.time() - t0, time.process_time() - c0
        tw = float(trustworthiness(X, Y, n_neighbors=10))
        out["runs"].append({"n": n, "dim": 512, "seconds": round(secs, 2), "cpu_seconds": round(cpu, 2),
                            "kl_divergence": round(float(ts.kl_divergence_), 4), "trustworthiness": round(tw, 4)})
        print(f"sklearn TSNE n={n} d=512: {secs:.1f} s wall, {cpu:.1f} s CPU (all threads), "
              f"KL {ts.kl_divergence_:.3f}, trustworthiness(k=10) {tw:.4f}", flush=True)
    with open(os.path.join(FIXTURES, "eval_bench.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    if "--bench" in sys.argv:
        main_bench()
    else:
        main_reference()

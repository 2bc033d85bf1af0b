"""Reference values for src/ml/pairs (evaluation of same/different pair scores, and the pair losses).

Run with Debian's interpreter, which has sklearn 1.2 and torch 1.13:
    /usr/bin/python3 tests/reference/pairs_reference.py      # writes fixtures/pairs_reference.json
The fixture records this script's sha256 and the library versions; a unit test recomputes the hash.

Evaluation: fixed, seeded scores for the splits test / colour / texture (rounded to 2 decimals, so
there are ties) go through sklearn's precision_recall_curve; the best-F1 threshold (highest
threshold among equal F1) chosen on colour is applied to every split with
precision_recall_fscore_support; numpy.histogram gives the same/different histograms; stable
argsorts give the galleries; mean_squared_error the centre error.
Losses: torch.nn.CosineEmbeddingLoss and BCEWithLogitsLoss, the contrastive loss written out, with
gradients with respect to the inputs.
"""

import hashlib
import json
import os

import numpy as np
import sklearn
import torch
import torch.nn.functional as F
from sklearn.metrics import mean_squared_error, precision_recall_curve, precision_recall_fscore_support

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
BINS = 20
K = 5


def script_sha256():
    with open(os.path.abspath(__file__), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def r(a, digits=8):
    return np.round(np.asarray(a, dtype=np.float64), digits).tolist()


def split_scores(rng, n, sep, lo, hi):
    """Balanced labels; same pairs score higher by `sep` on average; clipped to [lo, hi], 2 decimals."""
    labels = np.array([1, 0] * (n // 2))
    rng.shuffle(labels)
    mid = (lo + hi) / 2
    width = (hi - lo) / 4
    scores = mid + width * (rng.normal(size=n) + sep * (labels - 0.5))
    return np.round(np.clip(scores, lo, hi), 2), labels


def best_f1(p, rec, t):
    f1 = np.where(p[:-1] + rec[:-1] > 0, 2 * p[:-1] * rec[:-1] / np.maximum(p[:-1] + rec[:-1], 1e-300), 0.0)
    i = len(f1) - 1 - int(np.argmax(f1[::-1]))  # highest threshold among ties
    return {"threshold": float(t[i]), "f1": float(f1[i]), "precision": float(p[i]), "recall": float(rec[i])}


def galleries(scores, labels, thr):
    idx = np.arange(len(scores))
    diff = idx[labels == 0]
    same = idx[labels == 1]
    closest = diff[np.argsort(-scores[diff], kind="stable")][:K]
    farthest = same[np.argsort(scores[same], kind="stable")][:K]
    correct = idx[(scores >= thr).astype(int) == labels]
    confident = correct[np.argsort(-np.abs(scores[correct] - thr), kind="stable")][:K]
    return {"closest_different": closest.tolist(), "farthest_same": farthest.tolist(), "confident_correct": confident.tolist()}


def evaluation(rng):
    out = {"bins": BINS, "k": K, "splits": {}}
    specs = {"test": (120, 2.2), "colour": (80, 2.5), "texture": (90, 0.8)}
    for kind, (lo, hi) in (("cosine", (-1.0, 1.0)), ("probability", (0.0, 1.0))):
        block = {"range": [lo, hi], "splits": {}}
        data = {name: split_scores(rng, n, sep, lo, hi) for name, (n, sep) in specs.items()}
        chosen = None
        for name, (scores, labels) in data.items():
            p, rec, t = precision_recall_curve(labels, scores)
            block["splits"][name] = {
                "scores": r(scores, 2),
                "labels": labels.tolist(),
                "precision": r(p),
                "recall": r(rec),
                "thresholds": r(t, 2),
                "best": best_f1(p, rec, t),
                "hist_same": np.histogram(scores[labels == 1], bins=BINS, range=(lo, hi))[0].tolist(),
                "hist_different": np.histogram(scores[labels == 0], bins=BINS, range=(lo, hi))[0].tolist(),
                "median_same": float(np.median(scores[labels == 1])),
                "median_different": float(np.median(scores[labels == 0])),
            }
            if name == "colour":
                chosen = block["splits"][name]["best"]["threshold"]
        block["colour_threshold"] = chosen
        for name, (scores, labels) in data.items():
            pr, rc, f1, _ = precision_recall_fscore_support(labels, (scores >= chosen).astype(int), average="binary", zero_division=0)
            block["splits"][name]["at_colour_threshold"] = {"precision": float(pr), "recall": float(rc), "f1": float(f1)}
            block["splits"][name]["galleries"] = galleries(scores, labels, chosen)
        out[kind] = block
    # Centre head: predictions near the truth with a few large misses.
    n = 30
    truth = rng.uniform(0.2, 0.8, size=(n, 2))
    pred = truth + rng.normal(scale=0.03, size=(n, 2))
    pred[[3, 17]] += 0.3
    errors = ((pred - truth) ** 2).mean(axis=1)
    out["centre"] = {
        "pred": r(pred.reshape(-1)),
        "truth": r(truth.reshape(-1)),
        "mse": float(mean_squared_error(r(truth), r(pred))),
        "best": np.argsort(errors, kind="stable")[:K].tolist(),
        "worst": np.argsort(-errors, kind="stable")[:K].tolist(),
    }
    return out


def losses():
    g = torch.Generator().manual_seed(0)
    n, d = 8, 6
    a = torch.randn(n, d, generator=g, dtype=torch.float64)
    b = torch.randn(n, d, generator=g, dtype=torch.float64)
    b[0] = a[0] * 2.0  # an identical direction
    b[1] = a[1] + 0.3 * b[1]  # a close different pair: every margin term is active somewhere
    b[3] = a[3] + 1.0 * b[3]
    b[5] = a[5] + 2.0 * b[5]
    y = torch.tensor([1, 0, 1, 0, 1, 0, 0, 1], dtype=torch.float64)
    z = torch.randn(n, generator=g, dtype=torch.float64) * 3
    out = {"a": r(a), "b": r(b), "y": y.tolist(), "z": r(z), "cosine_embedding": [], "contrastive": []}
    for margin in (0.0, 0.3, -0.5):
        a1 = a.clone().requires_grad_(True)
        b1 = b.clone().requires_grad_(True)
        loss = torch.nn.CosineEmbeddingLoss(margin=margin)(a1, b1, 2 * y - 1)
        loss.backward()
        out["cosine_embedding"].append({"margin": margin, "loss": float(loss), "grad_a": r(a1.grad), "grad_b": r(b1.grad)})
    for margin in (1.6, 1.0):
        a1 = a.clone().requires_grad_(True)
        b1 = b.clone().requires_grad_(True)
        dist = (F.normalize(a1, dim=1) - F.normalize(b1, dim=1)).pow(2).sum(1).clamp_min(0).add(1e-12).sqrt()
        d2 = (F.normalize(a1, dim=1) - F.normalize(b1, dim=1)).pow(2).sum(1)
        loss = 0.5 * (y * d2 + (1 - y) * torch.relu(margin - dist).pow(2)).mean()
        loss.backward()
        out["contrastive"].append({"margin": margin, "loss": float(loss), "grad_a": r(a1.grad), "grad_b": r(b1.grad)})
    z1 = z.clone().requires_grad_(True)
    bce = torch.nn.BCEWithLogitsLoss()(z1, y)
    bce.backward()
    out["bce"] = {"loss": float(bce), "grad_z": r(z1.grad)}
    cos = F.cosine_similarity(a, b, dim=1)
    out["cosine"] = r(cos)
    return out


def main():
    rng = np.random.default_rng(20261123)
    fixture = {
        "script": "tests/reference/pairs_reference.py",
        "script_sha256": script_sha256(),
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "torch": torch.__version__,
        "evaluation": evaluation(rng),
        "losses": losses(),
    }
    os.makedirs(FIXTURES, exist_ok=True)
    path = os.path.join(FIXTURES, "pairs_reference.json")
    with open(path, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()

"""sklearn reference for simlab's linear probe (src/ml/eval/linear-probe.ts).

Reads fixtures/probe_embeddings.bin (random-init ConvNet embeddings of cifar10-png that simlab
computed, written by probe_embeddings.ts), standardises them with StandardScaler and fits
LogisticRegression(multinomial, lbfgs, L2, intercept not penalised) to convergence at a few C.
Writes fixtures/probe_reference.json: per C the train / test accuracy, the objective
    mean cross-entropy + ||W||^2 / (2 C n)
(sklearn's loss divided by n, which is what simlab minimises), its iterations, the coefficients and
the first test rows' probabilities.

Run with Debian's interpreter (sklearn 1.2):
    /usr/bin/python3 tests/reference/probe_reference.py
    /usr/bin/python3 tests/reference/probe_reference.py --time FILE.bin   # bench anchor (JSON)
    /usr/bin/python3 tests/reference/probe_reference.py --time-gaussian N_TRAIN N_TEST DIM CLASSES
The --time modes print one JSON line: seconds (wall and process CPU, all BLAS threads) for
StandardScaler + LogisticRegression(C=1, max_iter=1000, default tol) + predicting the test rows,
its iterations, test accuracy and objective.
"""

import hashlib
import json
import os
import sys
import time

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
C_VALUES = [1.0, 0.05]


def read_embeddings(path=os.path.join(FIXTURES, "probe_embeddings.bin")):
    raw = open(path, "rb").read()
    n_train, n_test, dim, num_classes = np.frombuffer(raw, "<i4", 4)
    n = int(n_train + n_test)
    labels = np.frombuffer(raw, "<i4", n, 16)
    x = np.frombuffer(raw, "<f2", n * int(dim), 16 + 4 * n).astype(np.float64).reshape(n, int(dim))
    return x[:n_train], labels[:n_train], x[n_train:], labels[n_train:], int(num_classes)


def objective(clf, xs, y, C):
    """Mean cross-entropy + ||W||^2 / (2 C n) of a fitted model on standardised xs."""
    logits = xs @ clf.coef_.T + clf.intercept_
    logits -= logits.max(axis=1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    n = len(y)
    return float(-logp[np.arange(n), y].mean() + (clf.coef_ ** 2).sum() / (2 * C * n))


def fit(xs, y, C):
    t = time.time()
    clf = LogisticRegression(C=C, max_iter=20000, tol=1e-10).fit(xs, y)
    return clf, time.time() - t


def main():
    xtr, ytr, xte, yte, num_classes = read_embeddings()
    scaler = StandardScaler().fit(xtr)
    xs, xts = scaler.transform(xtr), scaler.transform(xte)
    cases = []
    for C in C_VALUES:
        clf, seconds = fit(xs, ytr, C)
        # sklearn's default tolerance (1e-4, max_iter 100): what a user gets without asking.
        default = LogisticRegression(C=C).fit(xs, ytr)
        cases.append({
            "C": C,
            "n_iter": int(clf.n_iter_[0]),
            "seconds": seconds,
            "objective": objective(clf, xs, ytr, C),
            "train_accuracy": float(clf.score(xs, ytr)),
            "test_accuracy": float(clf.score(xts, yte)),
            "default_tol_test_accuracy": float(default.score(xts, yte)),
            "default_tol_objective": objective(default, xs, ytr, C),
            # coef_ is [classes x dim]; simlab's weights are [dim x classes].
            "coef": np.round(clf.coef_, 6).tolist(),
            "intercept": np.round(clf.intercept_, 6).tolist(),
            "test_proba_first20": np.round(clf.predict_proba(xts[:20]), 6).tolist(),
        })
        print(f"C={C}: {cases[-1]['n_iter']} iterations, {seconds:.2f} s, "
              f"objective {cases[-1]['objective']:.6f}, train {cases[-1]['train_accuracy']:.4f}, "
              f"test {cases[-1]['test_accuracy']:.4f} (default tol {cases[-1]['default_tol_test_accuracy']:.4f})")
    out = {
        "script": "tests/reference/probe_reference.py",
        "script_sha256": hashlib.sha256(open(os.path.abspath(__file__), "rb").read()).hexdigest(),
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "n_train": len(ytr),
        "n_test": len(yte),
        "dim": xtr.shape[1],
        "num_classes": num_classes,
        "cases": cases,
    }
    with open(os.path.join(FIXTURES, "probe_reference.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")


def time_fit(xtr, ytr, xte, yte):
    """The bench anchor: what a user of sklearn runs for a linear probe (C = 1)."""
    t, cpu = time.time(), time.process_time()
    scaler = StandardScaler().fit(xtr)
    xs = scaler.transform(xtr)
    clf = LogisticRegression(C=1.0, max_iter=1000).fit(xs, ytr)
    acc = float((clf.predict(scaler.transform(xte)) == yte).mean())
    seconds, cpu = time.time() - t, time.process_time() - cpu
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "n_iter": int(clf.n_iter_[0]),
                      "test_accuracy": acc, "objective": objective(clf, xs, ytr, 1.0)}))


def gaussian(n_train, n_test, dim, classes):
    """bench-eval.ts's recipe (centres N(0, 1), spread 4), numpy's generator (same law, not same draws)."""
    rng = np.random.default_rng(3)
    c = rng.normal(size=(classes, dim))
    y = rng.integers(0, classes, n_train + n_test)
    x = (c[y] + 4 * rng.normal(size=(n_train + n_test, dim))).astype(np.float32)
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


if __name__ == "__main__":
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    warnings.simplefilter("ignore", ConvergenceWarning)
    if sys.argv[1:2] == ["--time"]:
        time_fit(*read_embeddings(sys.argv[2])[:4])
    elif sys.argv[1:2] == ["--time-gaussian"]:
        time_fit(*gaussian(*map(int, sys.argv[2:6])))
    else:
        main()

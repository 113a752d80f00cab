"""Peer for bench/forest.mjs: scikit-learn's RandomForestClassifier, ExtraTreesClassifier (n_jobs =
threads) and AdaBoostClassifier (SAMME, depth-1 trees), same protocol as peers/ensemblekit_forest.mjs.

request {"model": "rf" | "et" | "ada", "train": {"x", "y", "rows", "cols"}, "test": {...}, "trees",
         "threads", "seed"} -> {"trainSeconds", "predictSeconds", "auc", "baseRssMiB", "peakRssMiB"}

scikit-learn 1.2's trees reject NaN, so missing values are replaced by the training column means
(computed outside the timed region, applied to train and test). Timed: fit on the float32 array (its
own float32 conversion included); predict_proba on the test array, best of two calls. rf/et:
max_features='sqrt', max_depth=None (full depth), bootstrap as each default. ada:
AdaBoostClassifier(DecisionTreeClassifier(max_depth=1), n_estimators=trees, algorithm='SAMME') -
the algorithm ours implements (1.2's default SAMME.R costs the same per round). AUC with
sklearn.metrics.roc_auc_score. `--probe` prints the versions.
"""
import json
import resource
import sys
import time

import numpy as np


def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def peak_rss_mib():
    # VmHWM, this process's own high-water mark: ru_maxrss would also count the parent's RSS at fork
    # (Linux carries it across fork and exec), which the bench runner inflates with its data.
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def load(part):
    x = np.fromfile(part["x"], dtype=np.float32).reshape(part["rows"], part["cols"])
    y = np.fromfile(part["y"], dtype=np.float32)
    return x, y


def run(req):
    from sklearn.ensemble import AdaBoostClassifier, ExtraTreesClassifier, RandomForestClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.tree import DecisionTreeClassifier

    xtr, ytr = load(req["train"])
    xte, yte = load(req["test"])
    mean = np.nanmean(xtr, axis=0)
    xtr = np.where(np.isnan(xtr), mean, xtr).astype(np.float32)
    xte = np.where(np.isnan(xte), mean, xte).astype(np.float32)
    model_name, trees, seed = req["model"], req["trees"], req["seed"]
    if model_name == "rf":
        model = RandomForestClassifier(n_estimators=trees, max_features="sqrt", n_jobs=req["threads"], random_state=seed)
    elif model_name == "et":
        model = ExtraTreesClassifier(n_estimators=trees, max_features="sqrt", n_jobs=req["threads"], random_state=seed)
    else:
        model = AdaBoostClassifier(DecisionTreeClassifier(max_depth=1), n_estimators=trees, algorithm="SAMME", random_state=seed)
    base = rss_mib()
    t0 = time.perf_counter()
    model.fit(xtr, ytr)
    train_seconds = time.perf_counter() - t0
    predict_seconds = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        p = model.predict_proba(xte)
        predict_seconds = min(predict_seconds, time.perf_counter() - t0)
    return {"trainSeconds": train_seconds, "predictSeconds": predict_seconds, "auc": float(roc_auc_score(yte, p[:, 1])),
            "baseRssMiB": base, "peakRssMiB": peak_rss_mib()}


def main():
    if "--probe" in sys.argv:
        import sklearn
        print("scikit-learn %s, numpy %s" % (sklearn.__version__, np.__version__))
        return
    for line in sys.stdin:
        try:
            print(json.dumps(run(json.loads(line))), flush=True)
        except Exception as exc:  # report, keep serving
            print(json.dumps({"error": repr(exc)}), flush=True)


if __name__ == "__main__":
    main()

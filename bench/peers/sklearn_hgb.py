"""Peer for bench/gbdt.mjs: scikit-learn's HistGradientBoostingClassifier / Regressor (leaf-wise).

Same protocol as bench/peers/xgboost_gbdt.py (one JSON request per line, one answer per line, a
fresh process per training run so its peak RSS (VmHWM) is that run's alone):

request {"task", "nClasses", "train": {"x", "y", "rows", "cols"}, "test": {...}, "rounds",
         "learningRate", "numLeaves", "maxBins", "minChildSamples", "threads", "seed"}
-> {"trainSeconds", "predictSeconds", "metric", "value", "baseRssMiB", "peakRssMiB", "rounds"}

Timed as a user would: fit (its float64 conversion of X, binning, boosting); prediction is
predict_proba (classification) / predict (regression) on the test array, best of two calls.
Parameters: max_iter = rounds, max_leaf_nodes = numLeaves, max_depth = None, max_bins (<= 255, plus
its missing-value bin), min_samples_leaf = minChildSamples (the same rule as ours),
min_hessian_to_split left at 1e-3 (= ours minChildWeight), l2_regularization = 0,
early_stopping = False, random_state = seed. It starts from the label mean / class log-priors.
The OpenMP pool is capped at `threads` (threadpoolctl; OMP_NUM_THREADS is also set by the bench).
Metrics with sklearn.metrics: AUC (binary), log-loss (multi), RMSE (regression) on the test split.
`--probe` prints the versions and exits (non-zero when scikit-learn is missing).
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
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.metrics import log_loss, mean_squared_error, roc_auc_score
    from threadpoolctl import threadpool_limits

    xtr, ytr = load(req["train"])
    xte, yte = load(req["test"])
    task = req["task"]
    common = dict(learning_rate=req["learningRate"], max_iter=req["rounds"], max_leaf_nodes=req["numLeaves"],
                  max_depth=None, min_samples_leaf=req["minChildSamples"], l2_regularization=0.0,
                  max_bins=req["maxBins"], early_stopping=False, random_state=req["seed"])
    model = HistGradientBoostingRegressor(**common) if task == "regression" else HistGradientBoostingClassifier(**common)
    base = rss_mib()
    with threadpool_limits(limits=req["threads"], user_api="openmp"):
        t0 = time.perf_counter()
        model.fit(xtr, ytr)
        train_seconds = time.perf_counter() - t0
        predict_seconds = float("inf")
        for _ in range(2):
            t0 = time.perf_counter()
            p = model.predict(xte) if task == "regression" else model.predict_proba(xte)
            predict_seconds = min(predict_seconds, time.perf_counter() - t0)
    if task == "binary":
        metric, value = "auc", roc_auc_score(yte, p[:, 1])
    elif task == "multi":
        metric, value = "logloss", log_loss(yte, p, labels=model.classes_)
    else:
        metric, value = "rmse", float(np.sqrt(mean_squared_error(yte, p)))
    return {"trainSeconds": train_seconds, "predictSeconds": predict_seconds, "metric": metric,
            "value": float(value), "baseRssMiB": base,
            "peakRssMiB": peak_rss_mib(),
            "rounds": int(model.n_iter_)}


def main():
    if "--probe" in sys.argv:
        import sklearn
        from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: F401
        print("scikit-learn %s, numpy %s" % (sklearn.__version__, np.__version__))
        return
    for line in sys.stdin:
        try:
            print(json.dumps(run(json.loads(line))), flush=True)
        except Exception as exc:  # report, keep serving
            print(json.dumps({"error": repr(exc)}), flush=True)


if __name__ == "__main__":
    main()

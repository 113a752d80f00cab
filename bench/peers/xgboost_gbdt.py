"""Peer for bench/gbdt.mjs: XGBoost's histogram method, leaf-wise (grow_policy='lossguide').

One JSON request per line on stdin, one JSON answer per line; bench/gbdt.mjs starts a fresh process
per training run so that the peak RSS (VmHWM) belongs to that run alone.

request {"task": "binary" | "multi" | "regression", "nClasses": k,
         "train": {"x": "/tmp/...X.f32", "y": "/tmp/...y.f32", "rows": n, "cols": d}, "test": {...},
         "rounds": 100, "learningRate": 0.1, "numLeaves": 255, "maxBins": 255,
         "minChildSamples": 20, "threads": 2, "seed": 0}
-> {"trainSeconds", "predictSeconds", "metric", "value", "baseRssMiB", "peakRssMiB", "rounds"}

X and y are raw row-major float32 (the bytes every side trains on), NaN = missing.
Timed as a user would: QuantileDMatrix construction (sketch + binning) and xgb.train; prediction is
Booster.inplace_predict on the test array (no DMatrix), best of two calls.
Parameters: max_leaves = numLeaves, max_depth = 0 (no depth cap), max_bin, learning_rate,
reg_lambda = reg_alpha = gamma = 0, no sampling, nthread = threads. XGBoost has no leaf-count limit;
min_child_weight (a sum of hessians) stands in for minChildSamples: minChildSamples x the hessian of
one row at the start, i.e. exact for squared error (hessian 1), x 0.25 for binary:logistic (p = 0.5)
and x 2 (1/k)(1 - 1/k) for multi:softprob (XGBoost's softmax hessian is 2p(1 - p)). base_score is the
training label mean (binary: the positive rate), as the other sides start from it (XGBoost 1.7's own
default is 0.5); multi:softprob ignores it.
Metrics with sklearn.metrics: AUC (binary), log-loss (multi), RMSE (regression) on the test split.
`--probe` prints the version and exits (non-zero when xgboost is missing).
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


def min_child_weight(req):
    n = req["minChildSamples"]
    if req["task"] == "regression":
        return float(n)
    if req["task"] == "binary":
        return n * 0.25
    k = req["nClasses"]
    return n * 2.0 * (1.0 / k) * (1.0 - 1.0 / k)


def run(req):
    import xgboost as xgb
    from sklearn.metrics import log_loss, mean_squared_error, roc_auc_score

    xtr, ytr = load(req["train"])
    xte, yte = load(req["test"])
    task = req["task"]
    params = dict(tree_method="hist", grow_policy="lossguide", max_leaves=req["numLeaves"], max_depth=0,
                  max_bin=req["maxBins"], learning_rate=req["learningRate"],
                  min_child_weight=min_child_weight(req), reg_lambda=0.0, reg_alpha=0.0, gamma=0.0,
                  subsample=1.0, colsample_bytree=1.0, nthread=req["threads"], seed=req["seed"])
    if task == "binary":
        params.update(objective="binary:logistic", base_score=float(np.mean(ytr)))
    elif task == "multi":
        params.update(objective="multi:softprob", num_class=req["nClasses"])
    else:
        params.update(objective="reg:squarederror", base_score=float(np.mean(ytr)))
    base = rss_mib()
    t0 = time.perf_counter()
    dtrain = xgb.QuantileDMatrix(xtr, label=ytr, max_bin=req["maxBins"], nthread=req["threads"])
    booster = xgb.train(params, dtrain, num_boost_round=req["rounds"])
    train_seconds = time.perf_counter() - t0
    predict_seconds = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        p = booster.inplace_predict(xte)
        predict_seconds = min(predict_seconds, time.perf_counter() - t0)
    # float64 as the other sides: log_loss clips at the dtype's epsilon (1.2e-7 for float32).
    p = p.astype(np.float64)
    if task == "binary":
        metric, value = "auc", roc_auc_score(yte, p)
    elif task == "multi":
        metric, value = "logloss", log_loss(yte, p, labels=list(range(req["nClasses"])))
    else:
        metric, value = "rmse", float(np.sqrt(mean_squared_error(yte, p)))
    return {"trainSeconds": train_seconds, "predictSeconds": predict_seconds, "metric": metric,
            "value": float(value), "baseRssMiB": base,
            "peakRssMiB": peak_rss_mib(),
            "rounds": booster.num_boosted_rounds()}


def main():
    if "--probe" in sys.argv:
        import xgboost as xgb
        print("xgboost %s" % xgb.__version__)
        return
    for line in sys.stdin:
        try:
            print(json.dumps(run(json.loads(line))), flush=True)
        except Exception as exc:  # report, keep serving
            print(json.dumps({"error": repr(exc)}), flush=True)


if __name__ == "__main__":
    main()

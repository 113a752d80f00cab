"""Peer for bench/binning.mjs: XGBoost's histogram index construction (QuantileDMatrix: quantile
sketch + binning to max_bin bins), answering JSON-line requests on stdin.

request {"rows": 1000000, "cols": 28, "threads": 2, "reps": 3, "max_bin": 256} -> {"seconds": best}
"""
import json
import sys
import time

import numpy as np
import xgboost as xgb


def make(rows, cols):
    # The same mixture as ours: normal, uniform, and a few low-cardinality columns, 1% NaN.
    rng = np.random.default_rng(42)
    x = np.empty((rows, cols), dtype=np.float32)
    for c in range(cols):
        if c % 7 == 6:
            x[:, c] = rng.integers(0, 20, rows)
        elif c % 2 == 0:
            x[:, c] = rng.standard_normal(rows)
        else:
            x[:, c] = rng.random(rows)
    x[rng.random((rows, cols)) < 0.01] = np.nan
    return x


def main():
    if "--probe" in sys.argv:
        print("xgboost %s QuantileDMatrix" % xgb.__version__)
        return
    cache = {}
    for line in sys.stdin:
        req = json.loads(line)
        try:
            key = (req["rows"], req["cols"])
            if key not in cache:
                cache.clear()
                cache[key] = make(*key)
            x = cache[key]
            best = float("inf")
            for _ in range(req["reps"]):
                t0 = time.perf_counter()
                d = xgb.QuantileDMatrix(x, max_bin=req["max_bin"], nthread=req["threads"])
                best = min(best, time.perf_counter() - t0)
                del d
            print(json.dumps({"seconds": best}), flush=True)
        except Exception as exc:
            print(json.dumps({"error": repr(exc)}), flush=True)


if __name__ == "__main__":
    main()

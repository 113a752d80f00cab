"""Peer for bench/gemm.mjs: numpy matmul (OpenBLAS), answering JSON-line requests on stdin.

request {"n": 1024, "dtype": "float32", "threads": 1, "reps": 3} -> {"seconds": best}
`--probe` prints the BLAS in use and exits (non-zero when numpy is missing).
"""
import json
import sys
import time

import numpy as np

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_info = None
    threadpool_limits = None


def blas_description():
    if threadpool_info is None:
        return "numpy %s" % np.__version__
    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            return "numpy %s, %s %s (%s kernel)" % (
                np.__version__, pool.get("internal_api"), pool.get("version"), pool.get("architecture"))
    return "numpy %s" % np.__version__


def main():
    if "--probe" in sys.argv:
        print(blas_description())
        return
    rng = np.random.default_rng(0)
    cache = {}
    for line in sys.stdin:
        req = json.loads(line)
        try:
            key = (req["n"], req["dtype"])
            if key not in cache:
                n = req["n"]
                cache.clear()
                cache[key] = (rng.standard_normal((n, n)).astype(req["dtype"]), rng.standard_normal((n, n)).astype(req["dtype"]))
            a, b = cache[key]
            c = np.empty_like(a)
            with threadpool_limits(limits=req["threads"], user_api="blas"):
                np.matmul(a, b, out=c)
                best = float("inf")
                for _ in range(req["reps"]):
                    t0 = time.perf_counter()
                    np.matmul(a, b, out=c)
                    best = min(best, time.perf_counter() - t0)
            print(json.dumps({"seconds": best}), flush=True)
        except Exception as exc:  # report, keep serving
            print(json.dumps({"error": repr(exc)}), flush=True)


if __name__ == "__main__":
    main()

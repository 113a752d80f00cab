"""Peer for bench/mlp.mjs: scikit-learn's MLPClassifier, JSON lines on stdin.

request {"x": "/tmp/....f64", "y": "/tmp/....f64", "rows": n, "cols": d, "hidden": [128, 64],
         "batchSize": 256, "epochs": 10, "threads": 2, "seed": 0, "returnInit": false}
-> {"seconds": fit time, "logLoss": mean training log-loss, "nIter": epochs run,
    "init": [W0, b0, W1, b1, ...] (with returnInit: the initial weights this fit drew, flat, row-major)}

X is read with numpy.fromfile (row-major float64, the same bytes ours fits on) and cached by path.
`threads` caps the BLAS pool (threadpoolctl): scikit-learn's MLP runs its products through numpy's
BLAS and everything else on one thread. The initial weights are recorded by wrapping the fitted
instance's `_init_coef` (scikit-learn 1.2's Glorot draw per layer), so they are exactly the ones
scikit-learn trained from, whatever its generator does; the copy is negligible next to the fit.
`--probe` prints the versions and exits.
"""
import json
import sys
import time
import types
import warnings

import numpy as np


def record_init(model, sink):
    draw = type(model)._init_coef

    def recording(self, fan_in, fan_out, dtype):
        coef, intercept = draw(self, fan_in, fan_out, dtype)
        sink.append((coef.ravel().tolist(), intercept.ravel().tolist()))
        return coef, intercept

    model._init_coef = types.MethodType(recording, model)


def main():
    import sklearn
    from sklearn.metrics import log_loss
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_info, threadpool_limits

    if "--probe" in sys.argv:
        blas = next((p for p in threadpool_info() if p.get("user_api") == "blas"), {})
        print("scikit-learn %s, numpy %s, %s %s" % (sklearn.__version__, np.__version__, blas.get("internal_api", "?"), blas.get("version", "")))
        return
    warnings.simplefilter("ignore")  # ConvergenceWarning at max_iter is the point of a fixed epoch count
    cache = {}
    for line in sys.stdin:
        req = json.loads(line)
        try:
            key = (req["x"], req["y"])
            if key not in cache:
                cache.clear()
                X = np.fromfile(req["x"], dtype=np.float64).reshape(req["rows"], req["cols"])
                y = np.fromfile(req["y"], dtype=np.float64)
                cache[key] = (X, y)
            X, y = cache[key]
            with threadpool_limits(limits=req["threads"], user_api="blas"):
                model = MLPClassifier(hidden_layer_sizes=tuple(req["hidden"]), batch_size=req["batchSize"],
                                      max_iter=req["epochs"], random_state=req["seed"])
                layers = []
                if req.get("returnInit"):
                    record_init(model, layers)
                t0 = time.perf_counter()
                model.fit(X, y)
                seconds = time.perf_counter() - t0
                loss = log_loss(y, model.predict_proba(X))
            reply = {"seconds": seconds, "logLoss": loss, "nIter": int(model.n_iter_)}
            if layers:
                reply["init"] = [v for coef, intercept in layers for v in coef + intercept]
            print(json.dumps(reply), flush=True)
        except Exception as exc:  # report, keep serving
            print(json.dumps({"error": repr(exc)}), flush=True)


if __name__ == "__main__":
    main()

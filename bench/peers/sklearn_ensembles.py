"""Peer for bench/ensembles.mjs: the same ensembles in scikit-learn, JSON lines on stdin.

request {"case": "iris"}
  -> {"seconds", "scores": [5 fold accuracies], "mean"}: the reference text's example as written
     (StackingClassifier of make_pipeline(StandardScaler(), LogisticRegression()) and
     make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=100)), LogisticRegression
     meta-learner, cross_val_score with KFold(5, shuffle=True, random_state=0), default n_jobs).
request {"case": "stack", "train": {"x", "y", "rows", "cols"}, "test": {...}, "threads"}
  -> {"seconds", "accuracy"}: StackingClassifier(cv=5) of mean-imputed scaled LogisticRegression,
     mean-imputed RandomForestClassifier(100, n_jobs=threads), HistGradientBoostingClassifier(
     max_iter=100) -> LogisticRegression, fit on train, accuracy on test. OpenMP capped at threads.
`--probe` prints the versions and exits (non-zero when scikit-learn is missing).
"""
import json
import sys
import time

import numpy as np


def load(part):
    x = np.fromfile(part["x"], dtype=np.float32).reshape(part["rows"], part["cols"])
    y = np.fromfile(part["y"], dtype=np.float32)
    return x, y


def iris():
    from sklearn.datasets import load_iris
    from sklearn.ensemble import RandomForestClassifier, StackingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    t0 = time.perf_counter()
    X, y = load_iris(return_X_y=True)
    estimators = [
        ("lr", make_pipeline(StandardScaler(), LogisticRegression())),
        ("rf", make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=100))),
    ]
    clf = StackingClassifier(estimators=estimators, final_estimator=LogisticRegression())
    kf = KFold(n_splits=5, shuffle=True, random_state=0)
    scores = cross_val_score(clf, X, y, cv=kf, scoring="accuracy")
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "scores": scores.tolist(), "mean": float(scores.mean())}


def stack(req):
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier, StackingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    xtr, ytr = load(req["train"])
    xte, yte = load(req["test"])
    threads = req["threads"]
    with threadpool_limits(limits=threads):
        t0 = time.perf_counter()
        clf = StackingClassifier(
            estimators=[
                ("lr", make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression())),
                ("rf", make_pipeline(SimpleImputer(), RandomForestClassifier(n_estimators=100, n_jobs=threads, random_state=0))),
                ("gb", HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0)),
            ],
            final_estimator=LogisticRegression(),
            cv=5,
        )
        clf.fit(xtr, ytr)
        seconds = time.perf_counter() - t0
        accuracy = float((clf.predict(xte) == yte).mean())
    return {"seconds": seconds, "accuracy": accuracy}


def main():
    import sklearn

    if "--probe" in sys.argv:
        print("scikit-learn %s, numpy %s" % (sklearn.__version__, np.__version__))
        return
    for line in sys.stdin:
        req = json.loads(line)
        try:
            reply = iris() if req["case"] == "iris" else stack(req)
        except Exception as e:  # reported to the bench, which fails the row
            reply = {"error": "%s: %s" % (type(e).__name__, e)}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()

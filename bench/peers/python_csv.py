"""Peer for bench/csv.mjs: reading a numeric CSV file with numpy.loadtxt and with the csv module.

request {"path": "...", "method": "loadtxt" | "csv"} -> {"seconds": wall, "cpu": process CPU seconds, "rows": r, "cols": c}
`--probe` prints the numpy version and exits (non-zero when numpy is missing).
"""
import csv
import json
import sys
import time

import numpy as np


def read_csv_module(path):
    # The straightforward Python way: csv.reader and float() per field into a list of rows.
    with open(path, newline="") as f:
        r = csv.reader(f)
        next(r)
        rows = [[float(x) for x in row] for row in r]
    return np.asarray(rows, dtype=np.float64)


def main():
    if "--probe" in sys.argv:
        print("numpy %s, Python %s" % (np.__version__, sys.version.split()[0]))
        return
    for line in sys.stdin:
        req = json.loads(line)
        try:
            t0 = time.perf_counter()
            c0 = time.process_time()
            if req["method"] == "loadtxt":
                a = np.loadtxt(req["path"], delimiter=",", skiprows=1, dtype=np.float64)
            else:
                a = read_csv_module(req["path"])
            seconds = time.perf_counter() - t0
            cpu = time.process_time() - c0
            print(json.dumps({"seconds": seconds, "cpu": cpu, "rows": a.shape[0], "cols": a.shape[1]}), flush=True)
        except Exception as e:  # noqa: BLE001 - reported to the caller
            print(json.dumps({"error": repr(e)}), flush=True)


if __name__ == "__main__":
    main()

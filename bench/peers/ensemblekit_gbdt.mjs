// Our side of bench/gbdt.mjs, run like the peers beside it (xgboost_gbdt.py, sklearn_hgb.py): one JSON
// request per line on stdin, one JSON answer per line, and a fresh process per training run so that
// its VmHWM is that run's peak. It lives in peers/ so that bench/run.mjs does
// not offer it as a benchmark of its own.
//
// request {"task": "binary" | "multi" | "regression", "nClasses": k,
//          "train": {"x": "/tmp/...X.f32", "y": "/tmp/...y.f32", "rows": n, "cols": d}, "test": {...},
//          "rounds", "learningRate", "numLeaves", "maxBins", "minChildSamples", "threads", "seed"}
// -> {"trainSeconds", "predictSeconds", "metric", "value", "baseRssMiB", "peakRssMiB", "rounds"}
//
// Timed as a user would: `await new GradientBoosting*(options).fit(X, y)` on the float32 matrix
// (input checks, binning, boosting); prediction is predictProba (classification) / predict
// (regression) on the test matrix, best of two calls. The metrics are the functions below, written
// to give what sklearn.metrics gives the peers (roc_auc_score, log_loss, mean_squared_error).
// `--probe` prints the build and exits non-zero when the library or the estimators are missing.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const lib = await import('../../dist/esm/lib/index.js').catch((err) => {
  console.error(`ensemblekit: cannot load dist/ (${err.message}); run npm run build`);
  process.exit(1);
});

/** VmHWM, this process's own high-water mark (maxRSS would also count the parent's RSS at fork). */
function peakRssMiB() {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

function loadF32(path, length) {
  const buf = readFileSync(path);
  if (buf.byteLength !== length * 4) throw new Error(`${path}: expected ${length * 4} bytes, found ${buf.byteLength}`);
  // A large read owns its ArrayBuffer; copy only if it came from Node's pool at an odd offset.
  return buf.byteOffset % 4 === 0 ? new Float32Array(buf.buffer, buf.byteOffset, length) : new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

function load(part) {
  return { X: { data: loadF32(part.x, part.rows * part.cols), rows: part.rows, cols: part.cols }, y: loadF32(part.y, part.rows) };
}

/** Area under the ROC curve with tied scores sharing their mean rank (Mann-Whitney U), as roc_auc_score. */
export function rocAuc(y, score) {
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]] === score[order[i]]) j++;
    const meanRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (y[order[k]] === 1) { rankSumPos += meanRank; nPos++; }
    i = j + 1;
  }
  const nNeg = n - nPos;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * Mean log-loss as scikit-learn 1.2.1's log_loss on float64 probabilities: clipped to [eps, 1 - eps]
 * with eps = 2^-52 (its eps='auto'), rows renormalised, then -mean(log p[true class]). `column` maps
 * a label to its column of `proba`.
 */
export function logLoss(y, proba, column) {
  const eps = Number.EPSILON;
  let total = 0;
  for (let i = 0; i < proba.rows; i++) {
    let sum = 0;
    for (let c = 0; c < proba.cols; c++) sum += Math.min(Math.max(proba.data[i * proba.cols + c], eps), 1 - eps);
    const p = Math.min(Math.max(proba.data[i * proba.cols + column(y[i])], eps), 1 - eps);
    total -= Math.log(p / sum);
  }
  return total / proba.rows;
}

export function rmse(y, pred) {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i] - pred[i]) ** 2;
  return Math.sqrt(s / y.length);
}

const mib = (bytes) => bytes / 2 ** 20;

async function run(req) {
  const train = load(req.train);
  const test = load(req.test);
  const options = {
    nEstimators: req.rounds,
    learningRate: req.learningRate,
    numLeaves: req.numLeaves,
    maxDepth: -1,
    maxBins: req.maxBins,
    minChildSamples: req.minChildSamples,
    minChildWeight: 1e-3,
    lambda: 0,
    alpha: 0,
    subsample: 1,
    colsampleBytree: 1,
    nThreads: req.threads,
    seed: req.seed,
    growPolicy: 'leafwise',
  };
  const regression = req.task === 'regression';
  const Estimator = regression ? lib.GradientBoostingRegressor : lib.GradientBoostingClassifier;
  const baseRssMiB = mib(process.memoryUsage().rss);
  const t0 = process.hrtime.bigint();
  const model = await new Estimator(options).fit(train.X, train.y);
  const trainSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  let predictSeconds = Infinity;
  let out;
  for (let r = 0; r < 2; r++) {
    const t1 = process.hrtime.bigint();
    out = regression ? model.predict(test.X) : model.predictProba(test.X);
    predictSeconds = Math.min(predictSeconds, Number(process.hrtime.bigint() - t1) / 1e9);
  }
  let metric;
  let value;
  if (regression) {
    [metric, value] = ['rmse', rmse(test.y, out)];
  } else {
    const classes = Array.from(model.classes, Number);
    if (req.task === 'binary') {
      const positive = classes.indexOf(1);
      const score = new Float64Array(out.rows);
      for (let i = 0; i < out.rows; i++) score[i] = out.data[i * out.cols + positive];
      [metric, value] = ['auc', rocAuc(test.y, score)];
    } else {
      [metric, value] = ['logloss', logLoss(test.y, out, (label) => classes.indexOf(label))];
    }
  }
  return {
    trainSeconds,
    predictSeconds,
    metric,
    value,
    baseRssMiB,
    peakRssMiB: peakRssMiB(),
    rounds: req.rounds,
  };
}

if (process.argv.includes('--probe')) {
  if (typeof lib.GradientBoostingClassifier !== 'function' || typeof lib.GradientBoostingRegressor !== 'function') {
    console.error('GradientBoostingClassifier / GradientBoostingRegressor not exported by dist/ (npm run build:ts)');
    process.exit(1);
  }
  const info = lib.buildInfo();
  console.log(`ensemblekit ${info.version} (${info.isa}, OpenMP ${info.openmp ? 'on' : 'off'}, ${info.compiler})`);
} else {
  for await (const line of createInterface({ input: process.stdin })) {
    try {
      console.log(JSON.stringify(await run(JSON.parse(line))));
    } catch (err) {
      console.log(JSON.stringify({ error: err?.stack ?? String(err) }));
    }
  }
}

// Our side of bench/forest.mjs, run like its peers (sklearn_forest.py, mlrf_forest.mjs): one JSON
// request per line on stdin, one JSON answer per line, a fresh process per training run.
//
// request {"model": "rf" | "et" | "ada", "train": {"x", "y", "rows", "cols"}, "test": {...},
//          "trees", "threads", "seed", "subsetRows"?}
// -> {"trainSeconds", "predictSeconds", "auc", "peakRssMiB", "baseRssMiB"}
//
// Timed as a user would: `await new Model(options).fit(X, y)` on the float32 matrix (checks, binning,
// training; NaN handled natively); prediction is predictProba on the test matrix, best of two calls.
// rf/et: 100 trees, maxFeatures 'sqrt', full depth; ada: AdaBoostClassifier (SAMME) of `trees` stumps.
// `subsetRows` trains on the first rows only (the ml-random-forest comparison).
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** Area under the ROC curve, tied scores sharing their mean rank (as sklearn's roc_auc_score). */
/** VmHWM, this process's own high-water mark (maxRSS would also count the parent's RSS at fork). */
function peakRssMiB() {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

function rocAuc(y, score) {
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]] === score[order[i]]) j++;
    const meanRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (y[order[k]] === 1) (rankSumPos += meanRank), nPos++;
    i = j + 1;
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * (n - nPos));
}

const lib = await import('../../dist/esm/lib/index.js').catch((err) => {
  console.error(`ensemblekit: cannot load dist/ (${err.message}); run npm run build`);
  process.exit(1);
});

function loadF32(path, length) {
  const buf = readFileSync(path);
  if (buf.byteLength < length * 4) throw new Error(`${path}: expected ${length * 4} bytes, found ${buf.byteLength}`);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + length * 4));
}

function load(part, rows = part.rows) {
  return { X: { data: loadF32(part.x, rows * part.cols), rows, cols: part.cols }, y: loadF32(part.y, rows) };
}

const mib = (bytes) => bytes / 2 ** 20;

async function run(req) {
  const train = load(req.train, req.subsetRows ?? req.train.rows);
  const test = load(req.test);
  let model;
  if (req.model === 'rf') model = new lib.RandomForestClassifier({ nEstimators: req.trees, maxFeatures: 'sqrt', nThreads: req.threads, seed: req.seed });
  else if (req.model === 'et') model = new lib.ExtraTreesClassifier({ nEstimators: req.trees, maxFeatures: 'sqrt', nThreads: req.threads, seed: req.seed });
  else if (req.model === 'ada') model = new lib.AdaBoostClassifier({ nEstimators: req.trees, estimator: new lib.DecisionTreeClassifier({ maxDepth: 1, nThreads: req.threads }), seed: req.seed });
  else throw new Error(`unknown model ${req.model}`);
  const base = mib(process.memoryUsage().rss);
  const t0 = process.hrtime.bigint();
  await model.fit(train.X, train.y);
  const trainSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  let predictSeconds = Infinity;
  let p;
  for (let r = 0; r < 2; r++) {
    const t1 = process.hrtime.bigint();
    p = model.predictProba(test.X);
    predictSeconds = Math.min(predictSeconds, Number(process.hrtime.bigint() - t1) / 1e9);
  }
  const score = Float64Array.from({ length: p.rows }, (_, i) => p.data[2 * i + 1]);
  return { trainSeconds, predictSeconds, auc: rocAuc(test.y, score), baseRssMiB: base, peakRssMiB: peakRssMiB() };
}

if (process.argv.includes('--probe')) {
  const info = lib.buildInfo();
  if (!lib.AdaBoostClassifier || !lib.ExtraTreesClassifier) {
    console.error('ensemblekit: forests or AdaBoost missing from dist/');
    process.exit(1);
  }
  console.log(`ensemblekit ${info.version} (${info.isa})`);
} else {
  for await (const line of createInterface({ input: process.stdin })) {
    try {
      console.log(JSON.stringify(await run(JSON.parse(line))));
    } catch (err) {
      console.log(JSON.stringify({ error: String(err?.stack ?? err) }));
    }
  }
}

// Peer for bench/forest.mjs: npm `ml-random-forest` (pure JavaScript), same protocol as
// peers/ensemblekit_forest.mjs, on the first `subsetRows` training rows (it is far too slow for 100k).
// NaN is replaced by the subset's column means (it has no missing-value handling). Its `maxFeatures`
// is a per-tree random subspace (not per split): set to floor(sqrt(cols)) as the nearest setting;
// bootstrap on (useSampleBagging), full depth (its default tree options), no OOB. Probability of
// class 1 from predictProbability(X, 1). Installed with `npm i --no-save ml-random-forest`; the
// probe fails (and the bench skips it) when it is not.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** Area under the ROC curve, tied scores sharing their mean rank (as sklearn's roc_auc_score). */
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

let RF;
try {
  ({ RandomForestClassifier: RF } = await import('ml-random-forest'));
} catch (err) {
  console.error(`ml-random-forest not installed (${err.message}); npm i --no-save ml-random-forest`);
  process.exit(1);
}

function rows(part, n) {
  const buf = readFileSync(part.x);
  const x = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + n * part.cols * 4));
  const yb = readFileSync(part.y);
  const y = new Float32Array(yb.buffer.slice(yb.byteOffset, yb.byteOffset + n * 4));
  const X = Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * part.cols, (i + 1) * part.cols)));
  return { X, y: Array.from(y) };
}

function impute(X, mean) {
  for (const r of X) for (let c = 0; c < r.length; c++) if (Number.isNaN(r[c])) r[c] = mean[c];
}

function run(req) {
  const train = rows(req.train, req.subsetRows);
  const test = rows(req.test, req.test.rows);
  const cols = req.train.cols;
  const mean = Array.from({ length: cols }, (_, c) => {
    let s = 0;
    let n = 0;
    for (const r of train.X) if (!Number.isNaN(r[c])) (s += r[c]), n++;
    return s / n;
  });
  impute(train.X, mean);
  impute(test.X, mean);
  const model = new RF({ nEstimators: req.trees, maxFeatures: Math.floor(Math.sqrt(cols)), replacement: true, useSampleBagging: true, noOOB: true, seed: req.seed + 1 });
  const t0 = process.hrtime.bigint();
  model.train(train.X, train.y);
  const trainSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const t1 = process.hrtime.bigint();
  const p = model.predictProbability(test.X, 1);
  const predictSeconds = Number(process.hrtime.bigint() - t1) / 1e9;
  return { trainSeconds, predictSeconds, auc: rocAuc(test.y, p), baseRssMiB: 0, peakRssMiB: Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? Number.NaN) / 1024 };
}

if (process.argv.includes('--probe')) {
  const pkg = JSON.parse(readFileSync(new URL('../../node_modules/ml-random-forest/package.json', import.meta.url), 'utf8'));
  console.log(`ml-random-forest ${pkg.version}`);
} else {
  for await (const line of createInterface({ input: process.stdin })) {
    try {
      console.log(JSON.stringify(run(JSON.parse(line))));
    } catch (err) {
      console.log(JSON.stringify({ error: String(err?.stack ?? err) }));
    }
  }
}

// Gradient boosting, ours vs XGBoost (hist, leaf-wise) and scikit-learn's HistGradientBoosting: train
// time, peak memory, test score and prediction throughput, same data, same trees, same thread budget,
// interleaved (ours, xgboost, sklearn, ours, ...), quoted as ratios ours / peer.
//
// Data: made once with this library's generators (fixed seeds) and written as raw float32 to /tmp
// (reused while the recipe is unchanged), split 80/20 in row order (the generators shuffle rows), so
// every side trains and predicts on the very same numbers:
//   binary      makeClassification 1.25M x 28 (18 informative, 4 redundant, 4 clusters per class,
//               flipY 0.05, classSep 0.8), 2% NaN in columns 0-3; 100 rounds, 255 leaves
//   multi       makeClassification 250k x 54, 7 classes (20 informative, 10 redundant, 2 clusters
//               per class, flipY 0.02); 100 rounds, 63 leaves (x 7 trees a round)
//   regression  makeFriedman1 625k x 20, noise 1; 200 rounds, 63 leaves
// Common: learning rate 0.1, 255 bins, at least 20 rows a leaf, no L1/L2 penalty, no row or column
// sampling, leaf-wise growth without a depth cap. XGBoost has no row-count limit: its
// min_child_weight (a hessian sum) is set to 20 x one row's starting hessian (see
// peers/xgboost_gbdt.py; exact for squared error). XGBoost starts from the label mean like the others
// (base_score), not from its 0.5 default.
//
// Every training run is a fresh child process (peers/ensemblekit_gbdt.mjs for ours, peers/
// xgboost_gbdt.py, peers/sklearn_hgb.py; JSON lines as harness.startPeer speaks), so its peak RSS
// (VmHWM, not maxRSS: Linux carries the parent's RSS at fork into maxRSS) is that run's alone; "+fit" is the peak less the RSS once the data is loaded.
// Train time includes binning (XGBoost: QuantileDMatrix construction). Predict: the test split, best
// of two calls (XGBoost: inplace_predict). Scores on the test split: AUC (binary), log-loss (multi),
// RMSE (regression). Times are the best of --rounds runs; RSS the median.
//
// Options: --cases=binary,multi,regression (or none), --rounds=N (default 2), --threads=N (default 2;
// every side, OMP_NUM_THREADS too), --scaling (ours on 125k / 1.25M / 5M rows of the binary recipe,
// and 1 vs N threads), --contention[=case] (ours and XGBoost alone vs. beside one busy-looping
// process; default case binary), --peers=xgboost,sklearn (the peers to run; default both).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { buildInfo, makeClassification, makeFriedman1, Random } from '../dist/esm/lib/index.js';
import { machineNote, markdownTable, median, systemPython } from './harness.mjs';

const peer = (file) => fileURLToPath(new URL(`./peers/${file}`, import.meta.url));
const allSides = [
  { key: 'ours', label: 'ensemblekit', command: process.execPath, script: peer('ensemblekit_gbdt.mjs') },
  { key: 'xgboost', label: 'XGBoost', command: systemPython, script: peer('xgboost_gbdt.py') },
  { key: 'sklearn', label: 'scikit-learn', command: systemPython, script: peer('sklearn_hgb.py') },
];

const common = { learningRate: 0.1, maxBins: 255, minChildSamples: 20, seed: 0 };
export const recipes = {
  binary: {
    task: 'binary',
    make: { generator: 'makeClassification', nSamples: 1_250_000, nFeatures: 28, nInformative: 18, nRedundant: 4, nClustersPerClass: 4, flipY: 0.05, classSep: 0.8, seed: 11 },
    nan: { columns: [0, 1, 2, 3], rate: 0.02, seed: 12 },
    rounds: 100,
    numLeaves: 255,
  },
  multi: {
    task: 'multi',
    make: { generator: 'makeClassification', nSamples: 250_000, nFeatures: 54, nInformative: 20, nRedundant: 10, nClasses: 7, nClustersPerClass: 2, flipY: 0.02, seed: 21 },
    rounds: 100,
    numLeaves: 63,
  },
  regression: {
    task: 'regression',
    make: { generator: 'makeFriedman1', nSamples: 625_000, nFeatures: 20, noise: 1, seed: 31 },
    rounds: 200,
    numLeaves: 63,
  },
};
const metricName = { auc: 'AUC', logloss: 'log-loss', rmse: 'RMSE' };

function arg(args, name, fallback) {
  const hit = args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (!hit) return fallback;
  return hit.includes('=') ? hit.slice(name.length + 3) : true;
}

const rowsLabel = (n) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`);

/** Writes the recipe's train/test X and y as float32 files once; returns their descriptions. */
export function materialise(name, recipe, nSamples = recipe.make.nSamples) {
  const make = { ...recipe.make, nSamples };
  const stem = `/tmp/ensemblekit_bench_gbdt_${name}_${nSamples}`;
  const nTrain = Math.round(nSamples * 0.8);
  const cols = make.nFeatures;
  const part = (which, rows) => ({ x: `${stem}_${which}_X.f32`, y: `${stem}_${which}_y.f32`, rows, cols });
  const out = { train: part('train', nTrain), test: part('test', nSamples - nTrain), nClasses: make.nClasses ?? (recipe.task === 'binary' ? 2 : 0) };
  const meta = JSON.stringify({ make, nan: recipe.nan ?? null, nTrain });
  const fresh = [out.train, out.test].every((p) => existsSync(p.x) && statSync(p.x).size === p.rows * cols * 4 && existsSync(p.y) && statSync(p.y).size === p.rows * 4);
  if (fresh && existsSync(`${stem}.json`) && readFileSync(`${stem}.json`, 'utf8') === meta) return out;

  console.log(`generating ${name} (${rowsLabel(nSamples)} x ${cols}) ...`);
  const { generator, ...options } = make;
  const data = generator === 'makeFriedman1' ? makeFriedman1(options) : makeClassification(options);
  const X = Float32Array.from(data.X.data);
  if (recipe.nan) {
    const rng = Random.fromSeed(recipe.nan.seed);
    for (let i = 0; i < nSamples; i++) for (const c of recipe.nan.columns) if (rng.random() < recipe.nan.rate) X[i * cols + c] = Number.NaN;
  }
  const y = Float32Array.from(data.y);
  const write = (path, a) => writeFileSync(path, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  write(out.train.x, X.subarray(0, nTrain * cols));
  write(out.test.x, X.subarray(nTrain * cols));
  write(out.train.y, y.subarray(0, nTrain));
  write(out.test.y, y.subarray(nTrain));
  writeFileSync(`${stem}.json`, meta);
  return out;
}

function sideEnv(threads) {
  return { ...process.env, OMP_NUM_THREADS: String(threads) };
}

/** `--probe`s a side: its version line, or null (and why) when it can't run. */
function probe(side) {
  return new Promise((resolve) => {
    const child = spawn(side.command, [side.script, '--probe'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => (err += e.message));
    child.on('close', (code) => {
      if (code === 0) return resolve(out.trim());
      console.log(`${side.label}: skipped (${err.trim().split('\n').pop() || 'not installed'})`);
      resolve(null);
    });
  });
}

/** One training run in a fresh process of `side`: one request line in, one answer line out. */
function runOnce(side, request) {
  return new Promise((resolve, reject) => {
    const child = spawn(side.command, [side.script], { env: sideEnv(request.threads), stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop();
      let reply;
      try {
        reply = JSON.parse(last);
      } catch {
        return reject(new Error(`${side.label} exited with ${code} without an answer`));
      }
      if (reply.error) reject(new Error(`${side.label}: ${reply.error}`));
      else resolve(reply);
    });
    child.stdin.end(JSON.stringify(request) + '\n');
  });
}

function request(recipe, data, threads) {
  return { task: recipe.task, nClasses: data.nClasses, train: data.train, test: data.test, rounds: recipe.rounds, numLeaves: recipe.numLeaves, threads, ...common };
}

/** A CPU-bound competitor for --contention; killed (by its own handle) when the run is over. */
function busyLoop() {
  const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  const kill = () => child.kill('SIGKILL');
  process.on('exit', kill);
  return {
    stop: () =>
      new Promise((resolve) => {
        process.off('exit', kill);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', resolve);
        kill();
      }),
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const best = (runs, key) => Math.min(...runs.map((r) => r[key]));
const fmt = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '—');

async function compare(names, sides, rounds, threads) {
  const rows = [];
  for (const name of names) {
    const recipe = recipes[name];
    const data = materialise(name, recipe);
    const label = `${name} ${rowsLabel(recipe.make.nSamples)} x ${recipe.make.nFeatures}`;
    const runs = Object.fromEntries(sides.map((s) => [s.key, []]));
    for (let r = 0; r < rounds; r++) {
      for (const side of sides) {
        const reply = await runOnce(side, request(recipe, data, threads));
        runs[side.key].push(reply);
        console.log(`${label}, round ${r + 1}, ${side.label}: train ${reply.trainSeconds.toFixed(2)} s, peak ${reply.peakRssMiB.toFixed(0)} MiB, ${metricName[reply.metric]} ${reply.value.toFixed(5)}, predict ${reply.predictSeconds.toFixed(3)} s`);
      }
    }
    const summary = Object.fromEntries(
      sides.map((s) => {
        const list = runs[s.key];
        return [s.key, { train: best(list, 'trainSeconds'), predict: best(list, 'predictSeconds'), peak: median(list.map((x) => x.peakRssMiB)), base: median(list.map((x) => x.baseRssMiB)), metric: list.at(-1).metric, value: list.at(-1).value }];
      }),
    );
    const ours = summary.ours;
    for (const side of sides) {
      const s = summary[side.key];
      const vsOurs = side.key !== 'ours' && ours;
      rows.push([
        label,
        side.label,
        fmt(s.train),
        vsOurs ? fmt(ours.train / s.train) : '—',
        `${s.peak.toFixed(0)} (+${(s.peak - s.base).toFixed(0)})`,
        vsOurs ? fmt(ours.peak / s.peak) : '—',
        `${metricName[s.metric]} ${s.value.toFixed(s.metric === 'rmse' ? 4 : 5)}`,
        fmt(data.test.rows / s.predict / 1e6, 3),
        vsOurs ? fmt(s.predict / ours.predict) : '—',
      ]);
    }
  }
  return markdownTable(['problem', 'library', 'train s', 'time ours/peer', 'peak RSS MiB (+fit)', 'RSS ours/peer', 'test score', 'predict Mrows/s', 'predict speed ours/peer'], rows);
}

async function scaling(ours, rounds, threads) {
  const recipe = recipes.binary;
  const sizes = [125_000, 1_250_000, 5_000_000];
  const data = Object.fromEntries(sizes.map((n) => [n, materialise('binary', recipe, n)]));
  const runs = Object.fromEntries(sizes.map((n) => [n, []]));
  const oneThread = [];
  for (let r = 0; r < rounds; r++) {
    for (const n of sizes) {
      const reply = await runOnce(ours, request(recipe, data[n], threads));
      runs[n].push(reply);
      console.log(`scaling ${rowsLabel(n)}, ${threads} threads, round ${r + 1}: ${reply.trainSeconds.toFixed(2)} s`);
      if (n === recipe.make.nSamples && threads !== 1) {
        const single = await runOnce(ours, request(recipe, data[n], 1));
        oneThread.push(single);
        console.log(`scaling ${rowsLabel(n)}, 1 thread, round ${r + 1}: ${single.trainSeconds.toFixed(2)} s`);
      }
    }
  }
  const sizeRows = sizes.map((n) => {
    const t = best(runs[n], 'trainSeconds');
    const trainRows = data[n].train.rows;
    return [rowsLabel(n), String(trainRows), fmt(t), fmt((t / trainRows) * 1e6, 3), median(runs[n].map((x) => x.peakRssMiB)).toFixed(0), `AUC ${runs[n].at(-1).value.toFixed(5)}`];
  });
  const lines = [markdownTable(['rows (80% train)', 'train rows', `train s (${threads} threads)`, 'µs per train row', 'peak RSS MiB', 'test score'], sizeRows)];
  if (oneThread.length) {
    const t1 = best(oneThread, 'trainSeconds');
    const tn = best(runs[recipe.make.nSamples], 'trainSeconds');
    lines.push('', markdownTable(['problem', '1 thread s', `${threads} threads s`, 'speed-up'], [[`binary ${rowsLabel(recipe.make.nSamples)}`, fmt(t1), fmt(tn), fmt(t1 / tn)]]));
  }
  return lines.join('\n');
}

async function contention(name, sides, rounds, threads) {
  const recipe = recipes[name];
  const data = materialise(name, recipe);
  const runs = Object.fromEntries(sides.map((s) => [s.key, { alone: [], busy: [] }]));
  for (let r = 0; r < rounds; r++) {
    for (const side of sides) {
      const alone = await runOnce(side, request(recipe, data, threads));
      runs[side.key].alone.push(alone);
      const busy = busyLoop();
      await sleep(500);
      let contended;
      try {
        contended = await runOnce(side, request(recipe, data, threads));
      } finally {
        await busy.stop();
      }
      runs[side.key].busy.push(contended);
      console.log(`contention ${name}, round ${r + 1}, ${side.label}: alone ${alone.trainSeconds.toFixed(2)} s, beside a busy loop ${contended.trainSeconds.toFixed(2)} s`);
    }
  }
  const rows = sides.map((side) => {
    const a = best(runs[side.key].alone, 'trainSeconds');
    const b = best(runs[side.key].busy, 'trainSeconds');
    return [`${name} ${rowsLabel(recipe.make.nSamples)}`, side.label, fmt(a), fmt(b), fmt(b / a)];
  });
  return markdownTable(['problem', 'library', `alone s (${threads} threads)`, 'beside 1 busy process s', 'slowdown'], rows);
}

export default async function run(args) {
  const rounds = Number(arg(args, 'rounds', 2));
  const threads = Number(arg(args, 'threads', 2));
  const casesArg = String(arg(args, 'cases', 'binary,multi,regression'));
  const names = casesArg === 'none' ? [] : casesArg.split(',');
  for (const n of names) if (!recipes[n]) throw new Error(`unknown case ${n} (known: ${Object.keys(recipes).join(', ')}, or none)`);
  const contentionArg = arg(args, 'contention', false);
  const contentionCase = contentionArg === true ? 'binary' : contentionArg;
  if (contentionCase && !recipes[contentionCase]) throw new Error(`unknown --contention case ${contentionCase}`);

  const info = buildInfo();
  // --peers=xgboost,sklearn (default both): scikit-learn's 7-class run alone takes ~6 minutes here.
  const peerKeys = String(arg(args, 'peers', 'xgboost,sklearn')).split(',');
  for (const k of peerKeys) if (!allSides.some((s) => s.key === k && k !== 'ours')) throw new Error(`unknown peer ${k} (known: xgboost, sklearn)`);
  const wanted = allSides.filter((s) => s.key === 'ours' || peerKeys.includes(s.key));
  const versions = await Promise.all(wanted.map(probe));
  const sides = wanted.map((s, i) => ({ ...s, version: versions[i] })).filter((s) => s.version !== null);
  const ours = sides.find((s) => s.key === 'ours');

  const out = [
    '# Gradient boosting: ensemblekit vs XGBoost (hist, lossguide) and scikit-learn (HistGradientBoosting)',
    '',
    machineNote(info),
    `Sides: ${sides.map((s) => s.version).join('; ') || 'none available'}${ours ? '' : ' (ours not available: GradientBoosting* missing from dist/)'}.`,
    `Same float32 data on every side (this library's generators, fixed seeds, 80/20 split); learning rate ${common.learningRate}, ${common.maxBins} bins, ` +
      `>= ${common.minChildSamples} rows a leaf (XGBoost: min_child_weight = ${common.minChildSamples} x one row's starting hessian), no penalty, no sampling, leaf-wise without depth cap, ${threads} threads. ` +
      `Each run in a fresh process; train time (binning included) and predict time are the best of ${rounds} interleaved runs, peak RSS the median ("+fit": above the RSS with the data loaded). ` +
      'Ratios ours/peer: time and RSS lower is better for us; predict speed higher is better.',
  ];
  if (names.length) {
    out.push('', '## Comparison', '', '- binary: makeClassification 1.25M x 28, 2% NaN in 4 columns, 100 rounds, 255 leaves', '- multi: makeClassification 250k x 54, 7 classes, 100 rounds, 63 leaves', '- regression: makeFriedman1 625k x 20, 200 rounds, 63 leaves', '');
    out.push(await compare(names, sides, rounds, threads));
  }
  if (arg(args, 'scaling', false)) {
    out.push('', '## Scaling (ours, binary recipe)', '');
    out.push(ours ? await scaling(ours, rounds, threads) : 'Skipped: ours not available.');
  }
  if (contentionCase) {
    out.push('', `## Contention (${threads}-thread fit alone vs. beside one CPU-bound process on ${os.cpus().length} cores)`, '');
    const contenders = sides.filter((s) => s.key === 'ours' || s.key === 'xgboost');
    out.push(contenders.length ? await contention(contentionCase, contenders, rounds, threads) : 'Skipped: no side available.');
  }
  return out.join('\n');
}

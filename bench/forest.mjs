// Random forests, extra trees and AdaBoost: ours vs scikit-learn (RandomForestClassifier and
// ExtraTreesClassifier with n_jobs = threads, AdaBoostClassifier SAMME of stumps), plus npm
// ml-random-forest on a 2k-row subset. Train time, test AUC, batch predict rows/s, ratios ours/peer.
//
// Data: bench/gbdt.mjs's binary recipe at 125k rows (makeClassification 125k x 28, 18 informative,
// 4 redundant, 4 clusters per class, flipY 0.05, classSep 0.8, 2% NaN in columns 0-3), float32 in
// /tmp, split 80/20 in row order; every side reads the same files. scikit-learn and ml-random-forest
// get the NaN replaced by training column means (they reject NaN); ours handles NaN natively.
// Models: 100 trees, maxFeatures sqrt per split, full depth (rf: bootstrap; et: none), seed 0;
// AdaBoost: 100 depth-1 trees. ml-random-forest: 20 trees on the first 2,000 training rows (it needs
// ~18 s for 20 trees on 1k rows), compared with ours on the same subset and tree count.
//
// Every run is a fresh child process (peers/ensemblekit_forest.mjs, peers/sklearn_forest.py,
// peers/mlrf_forest.mjs), interleaved ours, peer, ours, peer ... over --rounds (default 2); times are
// the best of the rounds. Predict: predictProba on the 25k test rows, best of two calls.
// Options: --rounds=N, --threads=N (default 2), --models=rf,et,ada,mlrf.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildInfo } from '../dist/esm/lib/index.js';
import { materialise, recipes } from './gbdt.mjs';
import { machineNote, markdownTable, systemPython } from './harness.mjs';

const peer = (file) => fileURLToPath(new URL(`./peers/${file}`, import.meta.url));
const sides = {
  ours: { label: 'ensemblekit', command: process.execPath, script: peer('ensemblekit_forest.mjs') },
  sklearn: { label: 'scikit-learn', command: systemPython, script: peer('sklearn_forest.py') },
  mlrf: { label: 'ml-random-forest', command: process.execPath, script: peer('mlrf_forest.mjs') },
};
const modelNames = { rf: 'random forest', et: 'extra trees', ada: 'AdaBoost (stumps)', mlrf: 'random forest, 2k rows, 20 trees' };

function arg(args, name, fallback) {
  const hit = args.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (!hit) return fallback;
  return hit.includes('=') ? hit.slice(name.length + 3) : true;
}

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

function runOnce(side, request, threads) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, OMP_NUM_THREADS: String(threads) };
    const child = spawn(side.command, [side.script], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      let reply;
      try {
        reply = JSON.parse(out.trim().split('\n').pop());
      } catch {
        return reject(new Error(`${side.label} exited with ${code} without an answer`));
      }
      if (reply.error) reject(new Error(`${side.label}: ${reply.error}`));
      else resolve(reply);
    });
    child.stdin.end(JSON.stringify(request) + '\n');
  });
}

const fmt = (x, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : '—');
const best = (list, key) => Math.min(...list.map((r) => r[key]));

export default async function run(args) {
  const rounds = Number(arg(args, 'rounds', 2));
  const threads = Number(arg(args, 'threads', 2));
  const models = String(arg(args, 'models', 'rf,et,ada,mlrf')).split(',');
  for (const m of models) if (!modelNames[m]) throw new Error(`unknown model ${m} (known: ${Object.keys(modelNames).join(', ')})`);
  const recipe = { ...recipes.binary, make: { ...recipes.binary.make, nSamples: 125_000 } };
  const data = materialise('binary', recipe, 125_000);
  const versions = Object.fromEntries(await Promise.all(Object.entries(sides).map(async ([k, s]) => [k, await probe(s)])));
  const plan = models.map((m) => {
    const peerKey = m === 'mlrf' ? 'mlrf' : 'sklearn';
    const request = { model: m === 'mlrf' ? 'rf' : m, train: data.train, test: data.test, trees: m === 'mlrf' ? 20 : 100, threads, seed: 0 };
    if (m === 'mlrf') request.subsetRows = 2000;
    return { m, peerKey, request, runs: { ours: [], peer: [] } };
  });
  for (let r = 0; r < rounds; r++) {
    for (const item of plan) {
      for (const who of ['ours', 'peer']) {
        const key = who === 'ours' ? 'ours' : item.peerKey;
        if (!versions[key]) continue;
        const reply = await runOnce(sides[key], item.request, threads);
        item.runs[who].push(reply);
        console.log(`${modelNames[item.m]}, round ${r + 1}, ${sides[key].label}: train ${reply.trainSeconds.toFixed(2)} s, AUC ${reply.auc.toFixed(5)}, predict ${reply.predictSeconds.toFixed(3)} s`);
      }
    }
  }
  const rows = [];
  for (const item of plan) {
    const o = item.runs.ours.length ? { train: best(item.runs.ours, 'trainSeconds'), predict: best(item.runs.ours, 'predictSeconds'), auc: item.runs.ours.at(-1).auc } : null;
    const p = item.runs.peer.length ? { train: best(item.runs.peer, 'trainSeconds'), predict: best(item.runs.peer, 'predictSeconds'), auc: item.runs.peer.at(-1).auc } : null;
    const testRows = data.test.rows;
    const line = (label, s, vs) => [modelNames[item.m], label, s ? fmt(s.train) : '—', vs && s ? fmt(o.train / s.train, 3) : '—', s ? s.auc.toFixed(5) : '—', vs && s ? (o.auc - s.auc >= 0 ? '+' : '') + (o.auc - s.auc).toFixed(4) : '—', s ? fmt(testRows / s.predict / 1e3, 0) : '—', vs && s ? fmt(s.predict / o.predict) : '—'];
    rows.push(line('ensemblekit', o, false));
    rows.push(line(versions[item.peerKey] ? sides[item.peerKey].label : `${sides[item.peerKey].label} (not available)`, p, Boolean(o)));
  }
  return [
    '# Random forests, extra trees, AdaBoost: ensemblekit vs scikit-learn and ml-random-forest',
    '',
    machineNote(buildInfo()),
    `Sides: ${Object.values(versions).filter(Boolean).join('; ')}.`,
    `Data: makeClassification 125k x 28 (bench/gbdt.mjs's binary recipe), 2% NaN in 4 columns, 80/20 split (100k train, 25k test); peers get column-mean imputation. ` +
      `${threads} threads (scikit-learn n_jobs; its AdaBoost is single-threaded, as ours: rounds are sequential and one stump is one thread). 100 trees, maxFeatures sqrt per split, full depth; AdaBoost: 100 stumps, SAMME on both sides. ` +
      `ml-random-forest: 20 trees on the first 2,000 training rows (per-tree feature subspace of floor(sqrt(28)) = 5), ours on the same rows. ` +
      `Fresh process per run, ${rounds} interleaved rounds, best time; AUC on the test split; predict = predictProba of the 25k test rows (best of 2). ` +
      'Ratios: train time ours/peer (lower is better for us); predict speed ours/peer (higher is better).',
    '',
    markdownTable(['model', 'library', 'train s', 'time ours/peer', 'test AUC', 'AUC ours-peer', 'predict krows/s', 'predict speed ours/peer'], rows),
  ].join('\n');
}

// Ensembles end to end, ours vs scikit-learn, same recipes, interleaved (ours, sklearn, ours, ...),
// quoted as ratios ours / sklearn.
//
//   iris   the reference text's example (examples/stacking-iris.ts): stacking of a scaled logistic
//          regression and a scaled 100-tree random forest under a logistic meta-learner, 5-fold
//          shuffled CV accuracy. Both sides as written (library defaults for threads). Target <= 0.05x.
//   stack  StackingClassifier (5 internal folds) of logistic regression (mean-imputed, scaled), a
//          100-tree random forest and 100-round gradient boosting -> logistic regression, on the
//          125k x 28 binary recipe of bench/gbdt.mjs (2% NaN in four columns), fit on 80%, accuracy
//          on 20%. scikit-learn: the same with its RandomForestClassifier (mean-imputed) and
//          HistGradientBoostingClassifier; both sides capped at --threads. Target <= 0.2x at
//          accuracy within 0.005.
//
// Options: --cases=iris,stack, --rounds=N (default 2), --threads=N (default 2).
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import {
  buildInfo,
  GradientBoostingClassifier,
  KFold,
  LogisticRegression,
  Matrix,
  RandomForestClassifier,
  SimpleImputer,
  StackingClassifier,
  StandardScaler,
  crossValScore,
  loadIris,
  makePipeline,
} from '../dist/esm/lib/index.js';
import { materialise, recipes } from './gbdt.mjs';
import { machineNote, markdownTable, startPeer, systemPython } from './harness.mjs';

const peerScript = fileURLToPath(new URL('./peers/sklearn_ensembles.py', import.meta.url));

function arg(args, name, fallback) {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

async function oursIris() {
  const t0 = performance.now();
  const { X, y } = loadIris();
  const estimators = [
    ['lr', makePipeline(new StandardScaler(), new LogisticRegression())],
    ['rf', makePipeline(new StandardScaler(), new RandomForestClassifier({ nEstimators: 100 }))],
  ];
  const clf = new StackingClassifier({ estimators, finalEstimator: new LogisticRegression() });
  const kf = new KFold({ nSplits: 5, shuffle: true, seed: 0 });
  const scores = await crossValScore(clf, X, y, { cv: kf, scoring: 'accuracy' });
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, mean: scores.reduce((a, b) => a + b, 0) / scores.length };
}

function readPart(part) {
  const x = new Float32Array(readFileSync(part.x).buffer.slice(0));
  const y = new Float32Array(readFileSync(part.y).buffer.slice(0));
  return { X: new Matrix(x, part.rows, part.cols), y: Float64Array.from(y) };
}

async function oursStack(data, threads) {
  const train = readPart(data.train);
  const test = readPart(data.test);
  const t0 = performance.now();
  const clf = new StackingClassifier({
    estimators: [
      ['lr', makePipeline(new SimpleImputer(), new StandardScaler(), new LogisticRegression({ nThreads: threads }))],
      ['rf', new RandomForestClassifier({ nEstimators: 100, nThreads: threads, seed: 0 })],
      ['gb', new GradientBoostingClassifier({ nEstimators: 100, nThreads: threads, seed: 0 })],
    ],
    finalEstimator: new LogisticRegression(),
    cv: 5,
  });
  await clf.fit(train.X, train.y);
  const seconds = (performance.now() - t0) / 1000;
  const pred = clf.predict(test.X);
  let hits = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === test.y[i]) hits++;
  return { seconds, accuracy: hits / pred.length };
}

export default async function run(args) {
  const rounds = Number(arg(args, 'rounds', 2));
  const threads = Number(arg(args, 'threads', 2));
  const cases = arg(args, 'cases', 'iris,stack').split(',');
  const info = buildInfo();
  const peer = await startPeer('scikit-learn', systemPython, [peerScript], { ...process.env, OMP_NUM_THREADS: String(threads) });
  const rows = [];
  for (const name of cases) {
    const data = name === 'stack' ? materialise('binary', recipes.binary, 125_000) : null;
    const ours = [];
    const theirs = [];
    for (let r = 0; r < rounds; r++) {
      ours.push(name === 'iris' ? await oursIris() : await oursStack(data, threads));
      console.log(`${name} ours round ${r}: ${JSON.stringify(ours.at(-1))}`);
      if (peer) {
        theirs.push(await peer.request(name === 'iris' ? { case: 'iris' } : { case: 'stack', train: data.train, test: data.test, threads }));
        console.log(`${name} scikit-learn round ${r}: ${JSON.stringify({ ...theirs.at(-1), scores: undefined })}`);
      }
    }
    const best = (list) => list.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const o = best(ours);
    const s = theirs.length ? best(theirs) : null;
    const quality = (x) => (x ? (name === 'iris' ? x.mean : x.accuracy).toFixed(4) : 'n/a');
    rows.push([
      name === 'iris' ? 'Iris stacking demo (5-fold CV)' : 'stacking LR+RF+GB, 125k x 28',
      `${o.seconds.toFixed(2)} s`,
      s ? `${s.seconds.toFixed(2)} s` : 'n/a',
      s ? (o.seconds / s.seconds).toFixed(3) : 'n/a',
      `${quality(o)} / ${quality(s)}`,
      name === 'iris' ? '<= 0.05' : '<= 0.2',
    ]);
  }
  peer?.close();
  return [
    `## Ensembles vs scikit-learn (best of ${rounds}, ${threads} threads)`,
    '',
    markdownTable(['case', 'ours', 'scikit-learn', 'ratio', 'accuracy (ours / sklearn)', 'target'], rows),
    '',
    machineNote(info),
    peer ? `Peer: ${peer.info}.` : 'Peer: scikit-learn not available.',
  ].join('\n');
}

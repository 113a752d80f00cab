// LogisticRegression fit time and training log-loss, ours vs scikit-learn's lbfgs, same data, same
// C / tol / max_iter, same thread budget, interleaved rounds, as ratios. Target (issue 5): ours
// <= 0.5x scikit-learn's time at equal loss (within 1e-4 relative).
//
// Data: makeClassification from this library (the problems are shaped like covertype, 200k x 54 with
// 7 classes, and HIGGS, 1M x 28 binary), written as raw float64 to /tmp so the peer fits on the very
// same numbers (numpy.fromfile). Timed: the user-facing call on each side, `await model.fit(X, y)`
// (input checks, label encoding, the solver) vs `LogisticRegression(...).fit(X, y)` (its own input
// validation and the solver). The log-loss is computed on the training data, outside the timing.
//
// The peer runs with OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset (this machine pins them for old
// OpenBLAS builds), so OpenBLAS picks its best kernel, as in bench/gemm.mjs.
//
// Options: --rounds=N (default 3), --threads=2,1 (thread budgets, each a row; default 2 then 1),
// --cases=multi,binary, --max-iter=N (default 100).
import { writeFileSync, existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildInfo, LogisticRegression, makeClassification } from '../dist/esm/lib/index.js';
import { envWithout, machineNote, markdownTable, median, startPeer, systemPython } from './harness.mjs';

const peerScript = fileURLToPath(new URL('./peers/sklearn_logistic.py', import.meta.url));

const allCases = {
  multi: { label: '200k x 54, 7 classes', nSamples: 200_000, nFeatures: 54, nInformative: 20, nRedundant: 10, nClasses: 7, seed: 1 },
  binary: { label: '1M x 28, binary', nSamples: 1_000_000, nFeatures: 28, nInformative: 10, nRedundant: 5, nClasses: 2, seed: 1 },
};

function arg(args, name, fallback) {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

/** Writes X and y once per case (reused across runs when the sizes match). */
function materialise(name, spec) {
  const { label: _label, ...options } = spec;
  const data = makeClassification(options);
  const xPath = `/tmp/ensemblekit_bench_linear_${name}_X.f64`;
  const yPath = `/tmp/ensemblekit_bench_linear_${name}_y.f64`;
  const bytes = data.X.data.byteLength;
  if (!existsSync(xPath) || statSync(xPath).size !== bytes) writeFileSync(xPath, new Uint8Array(data.X.data.buffer, data.X.data.byteOffset, bytes));
  writeFileSync(yPath, new Uint8Array(data.y.buffer, data.y.byteOffset, data.y.byteLength));
  return { ...data, xPath, yPath };
}

function logLoss(proba, y) {
  let s = 0;
  for (let i = 0; i < proba.rows; i++) s -= Math.log(Math.max(proba.data[i * proba.cols + y[i]], 1e-300));
  return s / proba.rows;
}

export default async function run(args) {
  const rounds = Number(arg(args, 'rounds', 3));
  const threadList = arg(args, 'threads', '2,1').split(',').map(Number);
  const maxIter = Number(arg(args, 'max-iter', 100));
  const names = arg(args, 'cases', 'multi,binary').split(',');
  const C = 1;
  const tol = 1e-4;
  const info = buildInfo();
  const peer = await startPeer('scikit-learn', systemPython, [peerScript], envWithout('OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'));
  const rows = [];
  for (const name of names) {
    const spec = allCases[name];
    if (!spec) throw new Error(`unknown case ${name} (known: ${Object.keys(allCases).join(', ')})`);
    const data = materialise(name, spec);
    for (const threads of threadList) {
      const ours = [];
      const theirs = [];
      let oursLoss = NaN;
      let oursIter = 0;
      let peerLoss = NaN;
      let peerIter = 0;
      for (let r = 0; r < rounds; r++) {
        const t0 = process.hrtime.bigint();
        const model = await new LogisticRegression({ C, tol, maxIter, nThreads: threads }).fit(data.X, data.y);
        ours.push(Number(process.hrtime.bigint() - t0) / 1e9);
        oursLoss = logLoss(model.predictProba(data.X), data.y);
        oursIter = model.nIter;
        if (peer) {
          const reply = await peer.request({ x: data.xPath, y: data.yPath, rows: spec.nSamples, cols: spec.nFeatures, C, tol, maxIter, threads });
          theirs.push(reply.seconds);
          peerLoss = reply.logLoss;
          peerIter = reply.nIter;
        }
        console.log(`${spec.label}, ${threads} thread(s), round ${r + 1}: ours ${ours.at(-1).toFixed(3)} s` + (peer ? `, scikit-learn ${theirs.at(-1).toFixed(3)} s` : ''));
      }
      const tOurs = median(ours);
      const cells = [spec.label, String(threads), tOurs.toFixed(2), String(oursIter), oursLoss.toFixed(6)];
      if (peer) {
        const tPeer = median(theirs);
        const rel = Math.abs(oursLoss - peerLoss) / peerLoss;
        cells.push(tPeer.toFixed(2), String(peerIter), peerLoss.toFixed(6), (tOurs / tPeer).toFixed(2), rel.toExponential(1), tOurs / tPeer <= 0.5 && rel <= 1e-4 ? 'yes' : 'no');
      }
      rows.push(cells);
    }
  }
  peer?.close();
  const header = ['problem', 'threads', 'ours s', 'ours iters', 'ours log-loss'];
  if (peer) header.push('sklearn s', 'sklearn iters', 'sklearn log-loss', 'time ratio', 'loss rel. diff', 'target met');
  return [
    '# LogisticRegression: ensemblekit vs scikit-learn (lbfgs)',
    '',
    machineNote(info),
    peer ? `Peer: ${peer.info}.` : 'Peer: not available.',
    `Same data (makeClassification, raw float64 handed to the peer), C = ${C}, tol = ${tol}, max_iter = ${maxIter}. ` +
      `Median fit time over ${rounds} interleaved rounds; time ratio = ours / scikit-learn (lower is better; target <= 0.5 at a log-loss within 1e-4).`,
    '',
    markdownTable(header, rows),
  ].join('\n');
}

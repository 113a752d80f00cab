// Inference: XGBoost-trained models imported into ensemblekit vs. XGBoost's own predict (Python),
// onnxruntime-node on the same models converted to ONNX TreeEnsemble, and a plain JS walker over typed
// arrays. Same run, interleaved rounds (ours, XGBoost, ONNX, JS, ours, ...), ratios ours / peer.
//
// Models (trained once by bench/peers/xgboost_predict.py and cached in /tmp, with their ONNX form):
//   A  100 trees, depth 6 (depth-wise)        binary:logistic, hist, eta 0.1
//   B  500 trees, up to 255 leaves (loss-guided)
// on the 1M-row training split of bench/gbdt.mjs's binary recipe (28 features, 2% NaN in 4 columns).
// Batch: the 250k-row test split (float32, as every side reads it), rows/s, 1 and 2 threads, best of
// --reps calls, median over --rounds rounds. Single row: latency of one call from Node (ours
// predictOne, ONNX session.run awaited, the JS walker) and from Python (XGBoost inplace_predict on a
// one-row view), p50 / p99 over --calls calls after warm-up. Outputs are checked against XGBoost's
// (first 64 probabilities) so no side is fast by being wrong. Load: ours modelFromBuffer on the
// toBuffer bytes, XGBoost a Booster from its UBJSON bytes, both in memory.
//
// Options: --models=A,B --rounds=3 --reps=3 --calls=50000
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildInfo, importXGBoost, modelFromBuffer } from '../dist/esm/lib/index.js';
import { materialise, recipes } from './gbdt.mjs';
import { machineNote, markdownTable, median, startPeer, systemPython } from './harness.mjs';

const peer = (file) => fileURLToPath(new URL(`./peers/${file}`, import.meta.url));
const arg = (args, name, fallback) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

/** A plain JS walker: typed arrays per node, float32 '<' as XGBoost reads it. */
function jsWalker(json) {
  const learner = JSON.parse(json.replace(/NaN/g, 'null')).learner;
  const trees = learner.gradient_booster.model.trees;
  const base = Number(learner.learner_model_param.base_score);
  const margin0 = Math.log(base / (1 - base));
  const offsets = [];
  let total = 0;
  for (const t of trees) {
    offsets.push(total);
    total += t.left_children.length;
  }
  const left = new Int32Array(total);
  const right = new Int32Array(total);
  const feature = new Int32Array(total);
  const cond = new Float32Array(total);
  const dleft = new Uint8Array(total);
  trees.forEach((t, k) => {
    const o = offsets[k];
    for (let i = 0; i < t.left_children.length; i++) {
      left[o + i] = t.left_children[i] < 0 ? -1 : o + t.left_children[i];
      right[o + i] = t.right_children[i] < 0 ? -1 : o + t.right_children[i];
      feature[o + i] = t.split_indices[i];
      cond[o + i] = t.split_conditions[i];
      dleft[o + i] = t.default_left[i];
    }
  });
  const roots = Int32Array.from(offsets);
  const one = (X, at) => {
    let s = margin0;
    for (let t = 0; t < roots.length; t++) {
      let i = roots[t];
      while (left[i] >= 0) {
        const v = X[at + feature[i]];
        i = v !== v ? (dleft[i] ? left[i] : right[i]) : v < cond[i] ? left[i] : right[i];
      }
      s += cond[i];
    }
    return 1 / (1 + Math.exp(-s));
  };
  return {
    one,
    batch(X, rows, cols, out) {
      for (let r = 0; r < rows; r++) out[r] = one(X, r * cols);
      return out;
    },
  };
}

function latency(calls, fn) {
  const lat = new Float64Array(calls);
  for (let i = 0; i < 5000; i++) fn(i);
  for (let i = 0; i < calls; i++) {
    const t0 = process.hrtime.bigint();
    fn(i);
    lat[i] = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  lat.sort();
  return { p50: lat[calls >> 1], p99: lat[Math.floor(calls * 0.99)] };
}

function bestOf(reps, fn) {
  fn();
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

const us = (s) => (s * 1e6).toFixed(2);
const krows = (rows, s) => (rows / s / 1e3).toFixed(0);

export default async function run(args) {
  const models = arg(args, 'models', 'A,B').split(',');
  const rounds = Number(arg(args, 'rounds', 3));
  const reps = Number(arg(args, 'reps', 3));
  const calls = Number(arg(args, 'calls', 50000));
  const info = buildInfo();
  const data = materialise('binary', recipes.binary);
  const xgb = await startPeer('XGBoost', systemPython, [peer('xgboost_predict.py')]);
  if (!xgb) throw new Error('the XGBoost peer is needed to train the models');
  const onnx = await startPeer('onnxruntime-node', process.execPath, [peer('onnx_predict.mjs')]);
  const test = data.test;
  const buf = readFileSync(test.x);
  const X = new Float32Array(buf.buffer, buf.byteOffset, test.rows * test.cols);
  const matrix = { data: X, rows: test.rows, cols: test.cols };
  const batchRows = [];
  const singleRows = [];
  const notes = [];
  const loadRows = [];
  for (const name of models) {
    const stem = `/tmp/ensemblekit_bench_predict_${name}`;
    if (!existsSync(`${stem}.json`)) console.log(`training model ${name} with XGBoost (cached in ${stem}.json) ...`);
    const trained = await xgb.request({ op: 'train', model: name, x: data.train.x, y: data.train.y, rows: data.train.rows, cols: data.train.cols, out: stem, threads: 2 });
    const text = readFileSync(trained.json, 'utf8');
    const t0 = process.hrtime.bigint();
    const model = importXGBoost(text);
    const importMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const t1 = process.hrtime.bigint();
    const buffer = model.toBuffer();
    const saveMs = Number(process.hrtime.bigint() - t1) / 1e6;
    const info = model.trees();
    notes.push(`Model ${name}: ${info.nodeCounts.length} trees, ${info.value.length} nodes; import ${importMs.toFixed(0)} ms, toBuffer ${saveMs.toFixed(1)} ms (${(buffer.length / 1e6).toFixed(1)} MB).`);
    const walker = jsWalker(text);

    // Loading from the binary form (ours: toBuffer bytes; XGBoost: its UBJSON bytes), in memory,
    // best of 5 each, interleaved. Fresh memory's page faults are part of a real load, so nothing
    // is warmed between calls.
    const load = { ours: [], xgb: [] };
    for (let r = 0; r < Math.max(1, rounds); r++) {
      load.ours.push(bestOf(5, () => modelFromBuffer(buffer)));
      load.xgb.push((await xgb.request({ op: 'load', json: trained.json, reps: 5 })).seconds);
    }
    const lo = median(load.ours);
    loadRows.push([name, String(info.nodeCounts.length), `${(lo * 1e3).toFixed(1)} ms (${(buffer.length / 1e6).toFixed(1)} MB)`, `${(median(load.xgb) * 1e3).toFixed(1)} ms (${(median(load.xgb) / lo).toFixed(1)}x)`]);
    console.log(loadRows[loadRows.length - 1].join('  '));

    // Agreement with XGBoost on the first 64 rows.
    const head = (await xgb.request({ op: 'predict', json: trained.json, x: test.x, rows: 64, cols: test.cols, threads: 1, reps: 0 })).head;
    const oursHead = model.predictProba({ data: X.subarray(0, 64 * test.cols), rows: 64, cols: test.cols });
    const diff = (a) => Math.max(...head.map((h, i) => Math.abs(h - a[i])));
    const jsHead = walker.batch(X, 64, test.cols, new Float64Array(64));
    let onnxDiff = NaN;
    if (onnx) onnxDiff = diff((await onnx.request({ op: 'batch', onnx: trained.onnx, x: test.x, rows: 64, cols: test.cols, threads: 1, reps: 0 })).head);
    notes.push(`Model ${name} agreement with XGBoost (max |Δp| on 64 rows): ours ${diff(Array.from({ length: 64 }, (_, i) => oursHead.data[2 * i + 1])).toExponential(1)}, JS walker ${diff(jsHead).toExponential(1)}, ONNX ${onnxDiff.toExponential(1)} (ONNX sums in float32).`);

    // Batch, interleaved rounds.
    for (const threads of [1, 2]) {
      model.setParams({ nThreads: threads });
      const t = { ours: [], xgb: [], onnx: [], js: [] };
      const out = new Float64Array(test.rows);
      for (let r = 0; r < rounds; r++) {
        t.ours.push(bestOf(reps, () => model.predictRaw(matrix)));
        t.xgb.push((await xgb.request({ op: 'predict', json: trained.json, x: test.x, rows: test.rows, cols: test.cols, threads, reps })).seconds);
        if (onnx) t.onnx.push((await onnx.request({ op: 'batch', onnx: trained.onnx, x: test.x, rows: test.rows, cols: test.cols, threads, reps })).seconds);
        if (threads === 1) t.js.push(bestOf(1, () => walker.batch(X, test.rows, test.cols, out)));
      }
      const o = median(t.ours);
      const cell = (v) => (v.length ? `${krows(test.rows, median(v))} (${(median(v) / o).toFixed(1)}x)` : 'n/a');
      const row = [name, String(threads), krows(test.rows, o), cell(t.xgb), cell(t.onnx), threads === 1 ? cell(t.js) : '-'];
      batchRows.push(row);
      console.log(row.join('  '));
    }

    // Single row.
    model.setParams({ nThreads: 1 });
    const row = new Float32Array(test.cols);
    const rows = Math.min(test.rows, 100000);
    const ours = latency(calls, (i) => {
      const at = (i % rows) * test.cols;
      for (let j = 0; j < test.cols; j++) row[j] = X[at + j];
      return model.predictOne(row);
    });
    const js = latency(calls, (i) => walker.one(X, (i % rows) * test.cols));
    const py = await xgb.request({ op: 'single', json: trained.json, x: test.x, rows, cols: test.cols, calls: Math.min(calls, 20000) });
    const ox = onnx ? await onnx.request({ op: 'single', onnx: trained.onnx, x: test.x, rows, cols: test.cols, calls: Math.min(calls, 20000) }) : null;
    const rel = (p) => `${us(p.p50)} / ${us(p.p99)} (${(p.p50 / ours.p50).toFixed(1)}x)`;
    const srow = [name, `${us(ours.p50)} / ${us(ours.p99)}`, rel(py), ox ? rel(ox) : 'n/a', rel(js)];
    singleRows.push(srow);
    console.log(srow.join('  '));
  }
  xgb.close();
  onnx?.close();
  return [
    '# Inference: imported XGBoost models, ensemblekit vs XGBoost, onnxruntime-node, a JS walker',
    '',
    machineNote(info),
    `Peers: ${xgb.info}; ${onnx ? onnx.info : 'onnxruntime-node not installed (skipped)'}.`,
    ...notes,
    '',
    `## Batch (${test.rows} rows x ${test.cols}, float32): thousand rows/s, median of ${rounds} rounds of best-of-${reps}; (peer time / ours: higher = ours faster)`,
    '',
    markdownTable(['model', 'threads', 'ensemblekit', 'XGBoost (Python)', 'onnxruntime-node', 'JS walker'], batchRows),
    '',
    `## Single row: p50 / p99 latency in µs over ${calls} calls (peers: up to 20000); (peer p50 / ours)`,
    '',
    markdownTable(['model', 'ensemblekit predictOne', 'XGBoost inplace_predict (Python)', 'onnxruntime-node (await run)', 'JS walker'], singleRows),
    '',
    `## Loading from the binary form in memory: best of 5, median of ${Math.max(1, rounds)} rounds; (peer time / ours)`,
    '',
    markdownTable(['model', 'trees', 'ensemblekit modelFromBuffer', 'XGBoost Booster(UBJSON bytes)'], loadRows),
  ].join('\n');
}

// Peer of bench/predict.mjs: onnxruntime-node on the ONNX TreeEnsemble conversions of the benchmark
// models (bench/peers/xgboost_predict.py writes them). JSON lines over stdin/stdout (harness.startPeer).
// onnxruntime-node is not a dependency: install it without saving (it ships its native binary, so this
// works offline): ONNXRUNTIME_NODE_INSTALL=skip npm i --no-save onnxruntime-node, or point
// ENSEMBLEKIT_ONNXRUNTIME at a directory where it is installed.
//   {"op":"batch","onnx":path,"x":path,"rows":n,"cols":d,"threads":t,"reps":r} -> {"seconds": best}
//   {"op":"single","onnx":path,"x":path,"rows":n,"cols":d,"calls":c} -> {"p50": s, "p99": s}
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

function loadOrt() {
  const places = [import.meta.url, process.env.ENSEMBLEKIT_ONNXRUNTIME && `${process.env.ENSEMBLEKIT_ONNXRUNTIME}/package.json`, '/tmp/ek-onnx/package.json'];
  for (const place of places.filter(Boolean)) {
    try {
      return createRequire(place)('onnxruntime-node');
    } catch {}
  }
  throw new Error('onnxruntime-node is not installed (ONNXRUNTIME_NODE_INSTALL=skip npm i --no-save onnxruntime-node)');
}

const ort = loadOrt();
if (process.argv.includes('--probe')) {
  console.log(`onnxruntime-node ${ort.env?.versions?.common ?? 'loaded'}`);
  process.exit(0);
}

const sessions = new Map();
async function session(path, threads) {
  const key = `${path}:${threads}`;
  if (!sessions.has(key)) sessions.set(key, await ort.InferenceSession.create(path, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' }));
  return sessions.get(key);
}

function data(req) {
  const b = readFileSync(req.x);
  return new Float32Array(b.buffer, b.byteOffset, req.rows * req.cols);
}

const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  const req = JSON.parse(line);
  let reply;
  try {
    const X = data(req);
    if (req.op === 'batch') {
      const s = await session(req.onnx, req.threads);
      const feeds = { X: new ort.Tensor('float32', X, [req.rows, req.cols]) };
      let best = Infinity;
      let out;
      for (let i = 0; i <= (req.reps ?? 3); i++) {
        const t0 = process.hrtime.bigint();
        out = await s.run(feeds);
        if (i > 0) best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
      }
      const p = out.probabilities.data;
      reply = { seconds: best, head: Array.from({ length: 64 }, (_, i) => p[2 * i + 1]) };
    } else if (req.op === 'single') {
      const s = await session(req.onnx, 1);
      const row = new Float32Array(req.cols);
      const feeds = { X: new ort.Tensor('float32', row, [1, req.cols]) };
      const lat = [];
      for (let i = 0; i < req.calls + 2000; i++) {
        row.set(X.subarray((i % req.rows) * req.cols, (i % req.rows + 1) * req.cols));
        const t0 = process.hrtime.bigint();
        await s.run(feeds);
        if (i >= 2000) lat.push(Number(process.hrtime.bigint() - t0) / 1e9);
      }
      lat.sort((a, b) => a - b);
      reply = { p50: lat[lat.length >> 1], p99: lat[Math.floor(lat.length * 0.99)] };
    } else {
      reply = { error: `unknown op ${req.op}` };
    }
  } catch (e) {
    reply = { error: String(e?.message ?? e) };
  }
  process.stdout.write(JSON.stringify(reply) + '\n');
}

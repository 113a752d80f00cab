// Binning 1M x 28 float32 into <= 255 quantile bins + a missing bin: ours (Dataset.buildSync) vs
// XGBoost's QuantileDMatrix, same run, interleaved. Target (issue: foundation): well under one second
// on 2 threads.
import { buildInfo, Dataset } from '../dist/esm/lib/index.js';
import { bestOf, machineNote, markdownTable, median, startPeer, systemPython } from './harness.mjs';
import { fileURLToPath } from 'node:url';

const peerScript = fileURLToPath(new URL('./peers/xgboost_binning.py', import.meta.url));

/** Same mixture as the peer: normal, uniform and low-cardinality columns, 1% NaN (own RNG). */
function makeData(rows, cols) {
  const data = new Float32Array(rows * cols);
  let state = 0x9e3779b9;
  const next = () => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state / 4294967296;
  };
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let v;
      if (c % 7 === 6) v = Math.floor(next() * 20);
      else if (c % 2 === 0) v = Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
      else v = next();
      data[r * cols + c] = next() < 0.01 ? Number.NaN : v;
    }
  }
  return { data, rows, cols };
}

export default async function run(args) {
  const rows = Number(args.find((a) => a.startsWith('--rows='))?.slice(7) ?? 1_000_000);
  const cols = 28;
  const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 5);
  const info = buildInfo();
  const X = makeData(rows, cols);
  const peer = await startPeer('xgboost', systemPython, [peerScript]);
  const table = [];
  for (const threads of [1, 2]) {
    const ours = [];
    const theirs = [];
    let memory = 0;
    for (let r = 0; r < rounds; r++) {
      ours.push(bestOf(1, () => {
        const ds = Dataset.buildSync(X, { nThreads: threads });
        memory = ds.memoryBytes;
        ds.dispose();
      }));
      if (peer) theirs.push((await peer.request({ rows, cols, threads, reps: 1, max_bin: 256 })).seconds);
    }
    const o = median(ours);
    const cells = [`${rows}x${cols} f32`, String(threads), (o * 1000).toFixed(0), ((rows * cols) / o / 1e6).toFixed(0), (memory / 2 ** 20).toFixed(1)];
    if (peer) {
      const t = median(theirs);
      cells.push((t * 1000).toFixed(0), (t / o).toFixed(2));
    }
    table.push(cells);
    console.log(cells.join('  '));
  }
  peer?.close();
  const header = ['data', 'threads', 'ours ms', 'ours Mcells/s', 'ours MiB'];
  if (peer) header.push('xgboost ms', 'speed-up vs xgboost');
  return [
    '# Binning: ensemblekit Dataset vs XGBoost QuantileDMatrix',
    '',
    machineNote(info),
    peer ? `Peer: ${peer.info} (max_bin 256).` : 'Peer xgboost: not installed (apt-get install python3-xgboost).',
    `Median of ${rounds} interleaved rounds; speed-up = peer time / ours (higher is better).`,
    '',
    markdownTable(header, table),
  ].join('\n');
}

// Reading a numeric CSV file (~200 MB, 20 columns of 6-decimal numbers): ours
// (readCSV, native, streaming, one thread) vs numpy.loadtxt, Python's csv module + float(), and a
// naive JS parser (readFileSync + split + Number), same run. MB/s of file bytes and ratios to ours.
// Target (issue 9): >= 200 MB/s on one core. `--mb=N` sets the size, `--reps=N` the repetitions
// (best of; default 1: the machine is shared and the peers are slow).
import { mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildInfo, readCSV } from '../dist/esm/lib/index.js';
import { machineNote, markdownTable, startPeer, systemPython } from './harness.mjs';

const peerScript = fileURLToPath(new URL('./peers/python_csv.py', import.meta.url));

function writeFile(path, megabytes, cols) {
  let state = 0x2545f491;
  const next = () => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state / 4294967296;
  };
  const fd = openSync(path, 'w');
  writeSync(fd, Array.from({ length: cols }, (_, c) => `f${c}`).join(',') + '\n');
  let written = 0;
  let chunk = [];
  while (written < megabytes * 1e6) {
    const row = [];
    for (let c = 0; c < cols; c++) row.push(((next() - 0.5) * 2000).toFixed(6));
    chunk.push(row.join(','));
    if (chunk.length === 20000) {
      const s = chunk.join('\n') + '\n';
      writeSync(fd, s);
      written += s.length;
      chunk = [];
    }
  }
  if (chunk.length) writeSync(fd, chunk.join('\n') + '\n');
  closeSync(fd);
}

/** The naive JS way: the whole file as a string, split, Number() per field. */
function naiveJs(path) {
  const lines = readFileSync(path, 'utf8').split('\n');
  const cols = lines[0].split(',').length;
  let rows = lines.length - 1;
  while (rows > 0 && lines[rows] === '') rows--;
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const f = lines[r + 1].split(',');
    for (let c = 0; c < cols; c++) out[r * cols + c] = Number(f[c]);
  }
  return { rows, cols };
}

/** Wall seconds and CPU seconds (user + system) of fn: on a shared machine CPU time is the fairer figure. */
function time(fn) {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const r = fn();
  const c = process.cpuUsage(c0);
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (c.user + c.system) / 1e6, r };
}

export default async function run(args) {
  const mb = Number(args.find((a) => a.startsWith('--mb='))?.slice(5) ?? 200);
  const reps = Number(args.find((a) => a.startsWith('--reps='))?.slice(7) ?? 1);
  const dir = mkdtempSync(join(tmpdir(), 'ensemblekit-bench-csv-'));
  const path = join(dir, 'numeric.csv');
  try {
    writeFile(path, mb, 20);
    const bytes = statSync(path).size;
    const peer = await startPeer('python', systemPython, [peerScript]);
    const best = { ours: Infinity, js: Infinity, loadtxt: Infinity, csv: Infinity };
    const cpu = { ours: Infinity, js: Infinity, loadtxt: Infinity, csv: Infinity };
    let shape = '';
    for (let i = 0; i < reps; i++) {
      const o = time(() => readCSV(path));
      best.ours = Math.min(best.ours, o.seconds);
      cpu.ours = Math.min(cpu.ours, o.cpu);
      shape = `${o.r.X.rows} x ${o.r.X.cols}`;
      const j = time(() => naiveJs(path));
      best.js = Math.min(best.js, j.seconds);
      cpu.js = Math.min(cpu.js, j.cpu);
      if (peer) {
        for (const method of ['loadtxt', 'csv']) {
          const r = await peer.request({ path, method });
          best[method] = Math.min(best[method], r.seconds);
          cpu[method] = Math.min(cpu[method], r.cpu);
        }
      }
    }
    peer?.close();
    const rate = (s) => (Number.isFinite(s) ? (bytes / 1e6 / s).toFixed(0) : '-');
    const ratio = (s) => (Number.isFinite(s) ? `${(s / best.ours).toFixed(2)}x` : '-');
    const cpuRatio = (s) => (Number.isFinite(s) ? `${(s / cpu.ours).toFixed(2)}x` : '-');
    const row = (label, k) => [label, best[k].toFixed(2), rate(best[k]), ratio(best[k]), cpu[k].toFixed(2), rate(cpu[k]), cpuRatio(cpu[k])];
    const rows = [
      row('ensemblekit readCSV (native, streaming)', 'ours'),
      row('numpy.loadtxt', 'loadtxt'),
      row('Python csv module + float()', 'csv'),
      row('naive JS (readFileSync + split + Number)', 'js'),
    ];
    return [
      `## CSV reading: ${(bytes / 1e6).toFixed(0)} MB, ${shape} numeric (best of ${reps})`,
      '',
      markdownTable(['reader', 'wall s', 'MB/s (wall)', 'wall vs ours', 'CPU s', 'MB/s (CPU)', 'CPU vs ours'], rows),
      '',
      peer ? `Peer: ${peer.info}.` : 'Peer: python skipped.',
      machineNote(buildInfo()),
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

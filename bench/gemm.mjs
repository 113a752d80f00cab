// GEMM GFLOP/s, ours vs numpy's matmul (OpenBLAS), same run, interleaved, as ratios.
// Sizes 256^2, 1024^2, 2048^2; float32 and float64; 1 and 2 threads. Target (issue: foundation):
// ours >= 0.6x OpenBLAS on 1024^2 and 2048^2, both precisions, both thread counts.
//
// OpenBLAS here: the machine sets OPENBLAS_CORETYPE=Haswell and OPENBLAS_L2_SIZE (a workaround for
// old OpenBLAS builds). The main peer runs with both unset, so OpenBLAS picks its best kernel for this
// CPU; the Haswell-pinned peer is shown too, for reference.
import { buildInfo, linalg } from '../dist/esm/lib/index.js';
import { bestOf, envWithout, machineNote, markdownTable, median, startPeer, systemPython } from './harness.mjs';
import { fileURLToPath } from 'node:url';

const peerScript = fileURLToPath(new URL('./peers/numpy_gemm.py', import.meta.url));

function operands(n, Ctor) {
  const a = new Ctor(n * n);
  const b = new Ctor(n * n);
  let s = 1;
  for (let i = 0; i < n * n; i++) {
    s = (s * 48271) % 2147483647;
    a[i] = s / 2147483647 - 0.5;
    b[i] = ((s * 7) % 1000) / 1000 - 0.5;
  }
  return { a: { data: a, rows: n, cols: n }, b: { data: b, rows: n, cols: n }, c: { data: new Ctor(n * n), rows: n, cols: n } };
}

export default async function run(args) {
  const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice(9) ?? 3);
  const sizes = (args.find((a) => a.startsWith('--sizes='))?.slice(8) ?? '256,1024,2048').split(',').map(Number);
  const info = buildInfo();
  const peers = [
    await startPeer('numpy', systemPython, [peerScript], envWithout('OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE')),
    await startPeer('numpy (Haswell-pinned)', systemPython, [peerScript], process.env),
  ].filter(Boolean);
  const rows = [];
  for (const n of sizes) {
    for (const dtype of ['float32', 'float64']) {
      const { a, b, c } = operands(n, dtype === 'float32' ? Float32Array : Float64Array);
      for (const threads of [1, 2]) {
        const reps = n <= 256 ? 50 : n <= 1024 ? 5 : 2;
        const ours = [];
        const theirs = peers.map(() => []);
        for (let r = 0; r < rounds; r++) {
          ours.push(bestOf(reps, () => linalg.gemm(a, b, c, { nThreads: threads })));
          for (let p = 0; p < peers.length; p++) {
            theirs[p].push((await peers[p].request({ n, dtype, threads, reps })).seconds);
          }
        }
        const flops = 2 * n ** 3;
        const gf = (t) => flops / t / 1e9;
        const oursGf = gf(median(ours));
        const cells = [`${n}²`, dtype, String(threads), oursGf.toFixed(1)];
        for (let p = 0; p < peers.length; p++) {
          const peerGf = gf(median(theirs[p]));
          cells.push(peerGf.toFixed(1), (oursGf / peerGf).toFixed(2));
        }
        rows.push(cells);
        console.log(cells.join('  '));
      }
    }
  }
  peers.forEach((p) => p.close());
  const header = ['size', 'dtype', 'threads', 'ours GFLOP/s'];
  for (const p of peers) header.push(`${p.label} GFLOP/s`, `ratio vs ${p.label}`);
  return [
    '# GEMM: ensemblekit vs numpy matmul',
    '',
    machineNote(info),
    ...peers.map((p) => `Peer ${p.label}: ${p.info}.`),
    `Median over ${rounds} interleaved rounds of best-of-N; ratio = ours / peer (higher is better).`,
    '',
    markdownTable(header, rows),
  ].join('\n');
}

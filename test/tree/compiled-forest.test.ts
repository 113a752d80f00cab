/**
 * The compiled forest's batch and single-row paths against a plain walk of the exported trees.
 *
 * Depth-wise trees (at most 8 deep, at least a quarter full) predict through the dense breadth-first
 * form (float32 input: thresholds rounded down to float32; float64: the double thresholds); deeper or
 * sparse trees through the node walk (from below a dense form of their top levels in batches). All must give the leaf a walk of `trees()` gives, for inputs
 * placed exactly on, just below and just above every threshold, NaN and ±Infinity, in float32 and
 * float64, on the active ISA and on the forced scalar path.
 */
import { describe, expect, it } from 'vitest';
import { GradientBoostingRegressor, RandomForestRegressor, setSimd, buildInfo } from '../../lib/index.js';
import { rng } from '../helpers.js';

interface Trees {
  nodeCounts: Int32Array;
  left: Int32Array;
  right: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  defaultLeft: Uint8Array;
  value: Float64Array;
}

/** Sum of leaf values over all trees by walking the exported arrays (x <= threshold goes left). */
function walk(t: Trees, x: ArrayLike<number>, at: number, base: number): number {
  let sum = base;
  let off = 0;
  for (let k = 0; k < t.nodeCounts.length; k++) {
    let i = 0;
    while (t.left[off + i]! >= 0) {
      const v = x[at + t.feature[off + i]!]!;
      const left = Number.isNaN(v) ? t.defaultLeft[off + i] === 1 : v <= t.threshold[off + i]!;
      i = left ? t.left[off + i]! : t.right[off + i]!;
    }
    sum += t.value[off + i]!;
    off += t.nodeCounts[k]!;
  }
  return sum;
}

/** Rows whose values sit on, just below and just above the model's thresholds, plus NaN and ±Infinity. */
function probeRows(t: Trees, cols: number, rows: number, f32: boolean, seed: number): Float64Array {
  const r = rng(seed);
  const ths = Array.from(t.threshold).filter((v, i) => t.left[i]! >= 0 && Number.isFinite(v));
  const out = new Float64Array(rows * cols);
  const round = (v: number) => (f32 ? Math.fround(v) : v);
  for (let i = 0; i < out.length; i++) {
    const u = r();
    const th = ths[Math.floor(r() * ths.length)]!;
    if (u < 0.05) out[i] = NaN;
    else if (u < 0.07) out[i] = r() < 0.5 ? Infinity : -Infinity;
    else if (u < 0.4) out[i] = round(th);
    else if (u < 0.55) out[i] = round(th * (1 - 1e-7) - 1e-9);
    else if (u < 0.7) out[i] = round(th * (1 + 1e-7) + 1e-9);
    else out[i] = round(r() * 4 - 2);
  }
  return out;
}

function data(rows: number): { X: Float64Array; y: Float64Array; cols: number } {
  const r = rng(7);
  const cols = 6;
  const X = new Float64Array(rows * cols);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) X[i * cols + j] = r() < 0.05 ? NaN : r() * 4 - 2;
    const a = X[i * cols]!;
    y[i] = (Number.isNaN(a) ? 1 : Math.sin(2 * a)) + X[i * cols + 1]! * X[i * cols + 2]! + 0.1 * r();
    if (Number.isNaN(y[i]!)) y[i] = 0;
  }
  return { X, y, cols };
}

function train(opts: Record<string, unknown>): { model: GradientBoostingRegressor; cols: number } {
  const rows = 3000;
  const { X, y, cols } = data(rows);
  const model = new GradientBoostingRegressor({ nEstimators: 30, learningRate: 0.3, minChildSamples: 5, seed: 3, ...opts });
  model.fitSync({ data: X, rows, cols }, y);
  return { model, cols };
}

const cases: [string, Record<string, unknown>, number?][] = [
  ['dense (depth-wise, depth 6)', { growPolicy: 'depthwise', maxDepth: 6, numLeaves: 64 }],
  // 200 trees of 127 nodes: beyond 256 KB, so 2048-row blocks (1024 below that); 2500 rows cross
  // two blocks, and leave tails that are not a multiple of the 8 rows walking in lockstep.
  ['dense, forest beyond L2 (2048-row blocks)', { growPolicy: 'depthwise', maxDepth: 6, numLeaves: 64, nEstimators: 200 }, 2500],
  ['dense (depth-wise, depth 8)', { growPolicy: 'depthwise', maxDepth: 8, numLeaves: 256, minChildSamples: 2 }],
  ['node walk (leaf-wise, deep)', { numLeaves: 64 }],
  // 60 trees of 255 leaves (8 KB each, 480 KB in all): 2048-row blocks walked in sweeps, each tree
  // from below its dense top (the levels most rows pass a split of, shallow leaves padded);
  // 2500 rows cross two blocks.
  ['node walk with dense tops, forest beyond L2 (2048-row blocks, sweeps)', { numLeaves: 255, nEstimators: 60 }, 2500],
];

describe('compiled forest: batch and single-row predictions equal a walk of the exported trees', () => {
  const initial = buildInfo().isa;
  const isas = initial === 'scalar' ? (['scalar'] as const) : (['scalar', 'avx2'] as const);
  for (const [name, opts, probe] of cases) {
    it(name, () => {
      const { model, cols } = train(opts);
      const t = model.trees() as unknown as Trees;
      // The base score, read from the fitted state (sums then run in the same order as the native ones).
      const base = (model as unknown as { state_: { model: { info(): { baseScore: Float64Array } } } }).state_.model.info().baseScore[0]!;
      try {
        for (const isa of isas) {
          setSimd(isa);
          for (const f32 of [true, false]) {
            const rows = probe ?? 700;  // not a multiple of the 8-row lockstep groups: tails included
            const x = probeRows(t, cols, rows, f32, f32 ? 11 : 12);
            const data = f32 ? Float32Array.from(x) : x;
            const got = model.predictRaw({ data, rows, cols }).data;
            for (let i = 0; i < rows; i++) {
              const want = walk(t, x, i * cols, base);
              if (got[i] !== want) expect.fail(`${name}, ${isa}, ${f32 ? 'float32' : 'float64'}: row ${i} gives ${got[i]}, the walk ${want}`);
            }
            for (let i = 0; i < rows; i += 7) {
              const row = data.subarray(i * cols, (i + 1) * cols);
              expect(model.predictOneRaw(row)).toBe(got[i]);
            }
          }
        }
      } finally {
        setSimd(initial);
      }
    });
  }
});

describe('compiled forest: a forest of large trees (one block per thread)', () => {
  it('predicts every row as a walk of its trees, whatever the thread count', () => {
    // Full-depth trees on 4000 rows: ~8000 nodes (128 KB) each, so batches go in one block per
    // thread (compiled_forest.h block_rows) and rows walk with lane refill, each from below its
    // tree's dense top.
    const rows = 4000;
    const { X, y, cols } = data(rows);
    const model = new RandomForestRegressor({ nEstimators: 5, maxFeatures: 1, seed: 5 });
    model.fitSync({ data: X, rows, cols }, y);
    const t = (model as unknown as { nativeTrees(): Trees }).nativeTrees();
    expect(t.nodeCounts[0]! * 16).toBeGreaterThan(64 * 1024);
    const scale = 1 / t.nodeCounts.length;
    const scaled = { ...t, value: t.value.map((v) => v * scale) };
    const n = 20000;
    const initial = buildInfo().isa;
    const isas = initial === 'scalar' ? (['scalar'] as const) : (['scalar', 'avx2'] as const);
    try {
      for (const isa of isas) {
        setSimd(isa);
        for (const f32 of [false, true]) {
          const x = probeRows(t, cols, n, f32, 13);
          const data = f32 ? Float32Array.from(x) : x;
          for (const threads of [1, 2]) {
            model.setParams({ nThreads: threads });
            const got = model.predict({ data, rows: n, cols });
            for (let i = 0; i < n; i++) {
              const want = walk(scaled, x, i * cols, 0);
              if (got[i] !== want) expect.fail(`${isa}, ${f32 ? 'float32' : 'float64'}, ${threads} threads: row ${i} gives ${got[i]}, the walk ${want}`);
            }
          }
        }
      }
    } finally {
      setSimd(initial);
    }
  });
});

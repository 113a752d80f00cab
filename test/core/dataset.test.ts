import { describe, expect, it } from 'vitest';
import { AbortError, Dataset, InvalidInputError, InvalidParameterError, loadIris } from '../../lib/index.js';
import { availableIsas, rng, threadCounts, withIsa } from '../helpers.js';

function uniformMatrix(rows: number, cols: number, seed: number, nanRate = 0) {
  const r = rng(seed);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = r() < nanRate ? Number.NaN : r() * 100 - 50;
  return { data, rows, cols };
}

describe('Dataset binning', () => {
  it('gives every distinct value its own bin when there are few (exact splits)', () => {
    const { X } = loadIris();
    const ds = Dataset.buildSync(X);
    for (let f = 0; f < 4; f++) {
      const distinct = Array.from(new Set(X.column(f))).sort((a, b) => a - b);
      expect(ds.numBins(f)).toBe(distinct.length);
      const bounds = ds.binUpperBounds(f);
      expect(bounds.length).toBe(distinct.length);
      for (let i = 0; i + 1 < distinct.length; i++) expect(bounds[i]).toBeCloseTo((distinct[i]! + distinct[i + 1]!) / 2, 12);
      expect(bounds[distinct.length - 1]).toBe(Infinity);
      // each row's bin is the rank of its value
      const bins = ds.bins();
      for (let r = 0; r < X.rows; r++) expect(bins[r * 4 + f]).toBe(distinct.indexOf(X.get(r, f)));
    }
  });

  it('makes near equal-count quantile bins on continuous data', () => {
    const m = uniformMatrix(20000, 1, 3);
    const ds = Dataset.buildSync(m, { maxBin: 16 });
    expect(ds.numBins(0)).toBe(16);
    const counts = new Array(17).fill(0);
    for (const b of ds.bins()) counts[b]++;
    for (let b = 0; b < 16; b++) expect(Math.abs(counts[b] - 20000 / 16)).toBeLessThan(20000 / 16 * 0.1);
    expect(counts[16]).toBe(0);
  });

  it('routes NaN to the missing bin and keeps x <= bound[b] iff bin(x) <= b', () => {
    const m = uniformMatrix(5000, 3, 4, 0.05);
    const ds = Dataset.buildSync(m, { maxBin: 32 });
    const bins = ds.bins();
    for (let f = 0; f < 3; f++) {
      const bounds = ds.binUpperBounds(f);
      for (let r = 0; r < m.rows; r++) {
        const v = m.data[r * 3 + f]!;
        const b = bins[r * 3 + f]!;
        if (Number.isNaN(v)) {
          expect(b).toBe(ds.missingBin(f));
          continue;
        }
        expect(v <= bounds[b]!).toBe(true);
        if (b > 0) expect(v > bounds[b - 1]!).toBe(true);
      }
    }
  });

  it('bins on a seeded sample above sampleRows, deterministically', () => {
    const m = uniformMatrix(30000, 2, 5);
    const a = Dataset.buildSync(m, { sampleRows: 1000, seed: 7, maxBin: 64 });
    const b = Dataset.buildSync(m, { sampleRows: 1000, seed: 7, maxBin: 64 });
    const c = Dataset.buildSync(m, { sampleRows: 1000, seed: 8, maxBin: 64 });
    expect(Array.from(a.binUpperBounds(0))).toEqual(Array.from(b.binUpperBounds(0)));
    expect(Array.from(a.binUpperBounds(0))).not.toEqual(Array.from(c.binUpperBounds(0)));
  });

  it('gives the same bins for every thread count and SIMD path, float32 and float64', () => {
    const m = uniformMatrix(20011, 7, 6, 0.02);
    const f32 = { data: Float32Array.from(m.data), rows: m.rows, cols: m.cols };
    for (const input of [m, f32]) {
      const reference = Buffer.from(Dataset.buildSync(input, { nThreads: 1 }).bins());
      for (const isa of availableIsas()) {
        for (const nThreads of threadCounts()) {
          const bins = withIsa(isa, () => Dataset.buildSync(input, { nThreads }).bins());
          expect(Buffer.from(bins).equals(reference), `${isa} threads=${nThreads}`).toBe(true);
        }
      }
    }
  });

  it('marks constant features trivial and maps categories by frequency', () => {
    const rows = 1000;
    const data = new Float64Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      data[r * 2] = 4;
      data[r * 2 + 1] = r % 10 === 0 ? Number.NaN : r % 3 === 0 ? 7 : r % 3 === 1 ? 2 : 11 + (r % 2);
    }
    const ds = Dataset.buildSync({ data, rows, cols: 2 }, { categoricalFeatures: [1] });
    expect(ds.isTrivial(0)).toBe(true);
    expect(ds.handle.isCategorical(1)).toBe(true);
    const categories = Array.from(ds.binCategories(1));
    expect(new Set(categories)).toEqual(new Set([7, 2, 11, 12]));
    // most frequent first: 7 and 2 (~300 each) before 11 and 12 (~150 each)
    expect(new Set(categories.slice(0, 2))).toEqual(new Set([7, 2]));
    const bins = ds.bins();
    for (let r = 0; r < rows; r++) {
      const v = data[r * 2 + 1]!;
      expect(bins[r * 2 + 1]).toBe(Number.isNaN(v) ? ds.missingBin(1) : categories.indexOf(v));
    }
    const unseen = ds.transform([[4, 99]]);
    expect(unseen[1]).toBe(ds.missingBin(1));
  });

  it('rejects bad categories, shapes and options with typed errors', () => {
    const bad = { data: new Float64Array([1, 0, 2, 1.5]), rows: 2, cols: 2 };
    expect(() => Dataset.buildSync(bad, { categoricalFeatures: [1] })).toThrow(InvalidInputError);
    expect(() => Dataset.buildSync(bad, { categoricalFeatures: [1] })).toThrow(/row 1/);
    expect(() => Dataset.buildSync(bad, { categoricalFeatures: [5] })).toThrow(/column 5/);
    expect(() => Dataset.buildSync(bad, { maxBin: 256 })).toThrow(InvalidParameterError);
    expect(() => Dataset.buildSync(bad, { maxBins: 10 } as never)).toThrow(/Did you mean 'maxBin'/);
    const ds = Dataset.buildSync({ data: new Float64Array([1, 2, 3, 4]), rows: 2, cols: 2 });
    expect(() => ds.transform([[1, 2, 3]])).toThrow(/Expected 2 columns/);
  });

  it('reports native memory and frees it on dispose', () => {
    const ds = Dataset.buildSync(uniformMatrix(10000, 10, 9));
    expect(ds.memoryBytes).toBeGreaterThanOrEqual(10000 * 10);
    ds.dispose();
    expect(ds.disposed).toBe(true);
    expect(ds.memoryBytes).toBe(0);
    expect(() => ds.bins()).toThrow(/disposed/);
    expect(() => ds.dispose()).not.toThrow();
  });

  it('builds off the event loop with progress, and stops on abort', async () => {
    const m = { data: new Float32Array(2_000_000 * 28), rows: 2_000_000, cols: 28 };
    const r = rng(10);
    for (let i = 0; i < m.data.length; i++) m.data[i] = r();
    const seen: number[] = [];
    const ds = await Dataset.build(m, { onProgress: (f) => seen.push(f) });
    expect(ds.rows).toBe(2_000_000);
    expect(seen.length).toBeGreaterThan(1);
    const sync = Dataset.buildSync(m);
    expect(Buffer.from(ds.bins()).equals(Buffer.from(sync.bins()))).toBe(true);

    const controller = new AbortController();
    const pending = Dataset.build(m, { signal: controller.signal, nThreads: 1 });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toBeInstanceOf(AbortError);
  });
});

/**
 * Persistence and the single-row / async paths: toBuffer/fromBuffer and save/load round trips
 * (trained and imported models, ensembles through saveModel/loadModel), malformed buffers
 * (every truncation, bit flips, huge counts and structural defects behind a valid checksum) refused
 * with ModelFormatError, predictOne equal to predict without allocation, predictAsync equal to predict.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  ModelFormatError,
  Ridge,
  VotingRegressor,
  estimatorFromJSON,
  gradientBoostingFromBuffer,
  importLightGBM,
  importXGBoost,
  loadGradientBoosting,
  loadModel,
  saveModel,
} from '../../lib/index.js';
import { rng } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ek-persist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const shared = new URL('./fixtures/shared/', import.meta.url);

function data(rows: number, cols: number, seed: number) {
  const r = rng(seed);
  const X = new Float64Array(rows * cols);
  const yc = new Float64Array(rows);
  const yr = new Float64Array(rows);
  const y3 = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) X[i * cols + j] = r() < 0.05 ? NaN : r() * 2 - 1;
    X[i * cols] = Math.floor(r() * 6); // a categorical column
    const s = (X[i * cols + 1]! || 0) + ([1, 3].includes(X[i * cols]!) ? 0.8 : -0.2) + 0.3 * (r() - 0.5);
    yc[i] = s > 0.2 ? 1 : 0;
    yr[i] = s * 3;
    y3[i] = s < -0.2 ? 0 : s < 0.6 ? 1 : 2;
  }
  return { X: { data: X, rows, cols }, yc, yr, y3 };
}

const d = data(400, 5, 1);
const opts = { nEstimators: 15, numLeaves: 8, categoricalFeatures: [0], minDataPerGroup: 5, catSmooth: 1, seed: 3 };

async function models() {
  return {
    binary: await new GradientBoostingClassifier(opts).fit(d.X, d.yc),
    multi: await new GradientBoostingClassifier(opts).fit(d.X, d.y3),
    regressor: await new GradientBoostingRegressor({ ...opts, objective: 'poisson' }).fit(d.X, d.yr.map((v) => Math.exp(v / 3))),
    lightgbm: importLightGBM(readFileSync(new URL('lightgbm/regression_zero_as_missing.txt', shared), 'utf8')),
    categorical: importLightGBM(readFileSync(new URL('lightgbm/binary_categorical.txt', shared), 'utf8')),
  };
}

function inputsFor(nFeatures: number, seed: number) {
  const r = rng(seed);
  const rows = 64;
  const X = new Float64Array(rows * nFeatures);
  for (let i = 0; i < X.length; i++) X[i] = r() < 0.1 ? NaN : r() < 0.1 ? 0 : r() < 0.5 ? Math.floor(r() * 8) : r() * 4 - 2;
  return { data: X, rows, cols: nFeatures };
}

describe('binary form round trips', () => {
  it('toBuffer/fromBuffer and save/load keep every prediction bit-identical', async () => {
    for (const [name, m] of Object.entries(await models())) {
      const X = inputsFor(m.nFeaturesIn, 5);
      const before = m.predictRaw(X).data;
      const buf = m.toBuffer();
      const back = gradientBoostingFromBuffer(buf);
      expect(back.constructor, name).toBe(m.constructor);
      expect(back.predictRaw(X).data, name).toEqual(before);
      expect(back.getParams()).toEqual(m.getParams());
      if (m instanceof GradientBoostingClassifier) expect((back as GradientBoostingClassifier).classes).toEqual(m.classes);
      expect(back.featureNames).toEqual(m.featureNames);
      const path = join(dir, `${name}.ekm`);
      m.save(path);
      expect(loadGradientBoosting(path).predictRaw(X).data, name).toEqual(before);
      expect((loadModel(path) as GradientBoostingRegressor).predictRaw(X).data, name).toEqual(before);
      // the binary form is smaller than the JSON form
      expect(buf.length, name).toBeLessThan(JSON.stringify(m.toJSON()).length);
    }
  });

  it('a +Infinity threshold (the trainer splitting NaN from every value) round trips', async () => {
    // Column 1 is NaN in a third of the rows and the label depends on it: the trainer splits NaN from
    // every value with threshold +Infinity. The loader used to refuse that (found by fuzz/ seeds).
    const rows = 240;
    const X = new Float64Array(rows * 2);
    const y = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      X[i * 2] = (i * 7) % 12;
      X[i * 2 + 1] = i % 3 === 0 ? NaN : (i % 5) - 2;
      y[i] = i % 3 === 0 || X[i * 2]! > 8 ? 1 : 0;
    }
    const m = await new GradientBoostingClassifier({ nEstimators: 3, numLeaves: 4, minChildSamples: 5, seed: 1 }).fit({ data: X, rows, cols: 2 }, y);
    const thresholds = (m as unknown as { state_: { model: { exportTrees(): { threshold: Float64Array; left: Int32Array } } } }).state_.model.exportTrees();
    expect(Array.from(thresholds.threshold).filter((t, i) => thresholds.left[i]! >= 0 && t === Infinity).length).toBeGreaterThan(0);
    const probe = inputsFor(2, 9);
    probe.data[0] = NaN;
    expect(gradientBoostingFromBuffer(m.toBuffer()).predictRaw(probe).data).toEqual(m.predictRaw(probe).data);
    // and through the JSON form (+Infinity is no JSON number; it was written as null and refused)
    const back = estimatorFromJSON(JSON.parse(JSON.stringify(m.toJSON()))) as unknown as GradientBoostingClassifier;
    expect(back.predictRaw(probe).data).toEqual(m.predictRaw(probe).data);
  });

  it('nodes that no split reaches are refused, not written past the rebuilt tree (JSON form)', async () => {
    // One split (3 nodes) declared as 5 nodes: two orphan leaves. Found by fuzz/fuzz_tree_arrays.cc
    // as a heap overflow in tree_from_nodes.
    const m = await new GradientBoostingRegressor({ nEstimators: 1, numLeaves: 2, minChildSamples: 5 }).fit(d.X, d.yr);
    const json = JSON.parse(JSON.stringify(m.toJSON()));
    const t = json.state.trees as Record<string, unknown[]>;
    expect(t.nodeCounts).toEqual([3]);
    for (const k of Object.keys(t)) if (k !== 'nodeCounts' && Array.isArray(t[k]) && t[k]!.length === 3) t[k]!.push(t[k]![2], t[k]![2]);
    t.nodeCounts = [5];
    expect(() => estimatorFromJSON(json)).toThrow(ModelFormatError);
    expect(() => estimatorFromJSON(json)).toThrow(/2 of 5 nodes are not reached from the root/);
  });

  it('ensembles save and load whole through saveModel / loadModel', async () => {
    const v = await new VotingRegressor({
      estimators: [
        ['gbdt', new GradientBoostingRegressor({ nEstimators: 10, numLeaves: 6 })],
        ['ridge', new Ridge({ alpha: 1 })],
      ],
    });
    const X = { ...d.X, data: d.X.data.map((x) => (Number.isNaN(x) ? 0 : x)) };
    await v.fit(X, d.yr);
    const path = join(dir, 'voting.json');
    saveModel(v, path);
    const back = loadModel(path) as VotingRegressor;
    expect(back.predict(X)).toEqual(v.predict(X));
  });
});

// The native blob's checksum, as native/core/io/model_io.cc computes it.
function checksum(p: Uint8Array): bigint {
  const M = (1n << 64n) - 1n;
  const n = p.length;
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  let h = 0x9e3779b97f4a7c15n ^ BigInt(n);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    h = ((h ^ dv.getBigUint64(i, true)) * 0xbf58476d1ce4e5b9n) & M;
    h ^= h >> 31n;
  }
  let w = 0n;
  for (let k = n - 1; k >= i; k--) w = (w << 8n) | BigInt(p[k]!);
  h = ((h ^ w ^ (BigInt(n - i) << 56n)) * 0x94d049bb133111ebn) & M;
  return h ^ (h >> 29n);
}

/** Edits the native payload of a container and re-seals it with a valid checksum. */
function patched(buf: Buffer, edit: (payload: DataView) => void): Buffer {
  const out = Buffer.from(buf);
  const blob = 12 + out.readUInt32LE(8);
  const start = blob + 16;
  const end = out.length - 8;
  edit(new DataView(out.buffer, out.byteOffset + start, end - start));
  out.writeBigUInt64LE(checksum(out.subarray(start, end)), end);
  return out;
}

describe('malformed buffers are refused with ModelFormatError', () => {
  const refused = (b: Uint8Array, what: string) => {
    try {
      gradientBoostingFromBuffer(b);
    } catch (e) {
      if (!(e instanceof ModelFormatError)) throw new Error(`${what}: ${String(e)}`);
      return;
    }
    throw new Error(`${what}: accepted`);
  };

  it('every truncation and extension', async () => {
    const buf = (await models()).categorical.toBuffer();
    for (let n = 0; n < buf.length; n += n < 200 ? 1 : 97) refused(buf.subarray(0, n), `truncated to ${n}`);
    refused(Buffer.concat([buf, Buffer.from([0])]), 'one extra byte');
  });

  it('bit flips anywhere', async () => {
    const buf = (await models()).binary.toBuffer();
    const r = rng(9);
    let accepted = 0;
    for (let k = 0; k < 400; k++) {
      const b = Buffer.from(buf);
      const at = k < 64 ? k : Math.floor(r() * b.length);
      b[at]! ^= 1 << Math.floor(r() * 8);
      try {
        gradientBoostingFromBuffer(b);
        accepted++; // only possible for a flip inside the JSON params that still parses
      } catch (e) {
        expect(e).toBeInstanceOf(ModelFormatError);
      }
    }
    expect(accepted).toBeLessThan(40);
  });

  it('structural defects behind a valid checksum', async () => {
    // an all-numerical model whose first tree's root and node 1 are splits
    const buf = (await models()).lightgbm.toBuffer();
    const tree0 = 17 + 8; // after the header fields and one base score
    const node = (i: number) => tree0 + 8 + i * 53; // internal records: 1 + 3 * 4 + 2 * 8 + 3 * 8 bytes
    const cases: [string, (p: DataView) => void][] = [
      ['huge tree count', (p) => p.setUint32(13, 0xffffffff, true)],
      ['huge node count', (p) => p.setUint32(tree0, 0x7fffffff, true)],
      ['huge category set count', (p) => p.setUint32(tree0 + 4, 0x7fffffff, true)],
      ['zero features', (p) => p.setInt32(0, 0, true)],
      ['huge output count', (p) => p.setInt32(4, 1 << 30, true)],
      ['unknown transform', (p) => p.setUint8(8, 9)],
      ['child out of range', (p) => p.setInt32(node(0) + 1, 1 << 20, true)],
      ['cycle to the root', (p) => p.setInt32(node(1) + 1, 0, true)],
      ['shared subtree', (p) => p.setInt32(node(1) + 1, 1, true)],
      ['feature beyond the count', (p) => p.setInt32(node(0) + 5, 10, true)],
      ['negative feature', (p) => p.setInt32(node(0) + 5, -3, true)],
      ['NaN threshold', (p) => p.setFloat64(node(0) + 13, NaN, true)],
      ['NaN node value', (p) => p.setFloat64(node(0) + 29, NaN, true)],
      ['unknown flags', (p) => p.setUint8(node(0), 0x80)],
      ['categorical without a set', (p) => p.setUint8(node(0), 1)],
      ['infinite base score', (p) => p.setFloat64(17, Infinity, true)],
    ];
    for (const [what, edit] of cases) {
      refused(patched(buf, edit), what);
      expect(() => gradientBoostingFromBuffer(patched(buf, edit)), what).not.toThrow(/checksum/);
    }
    // wrong versions and magic
    const v = Buffer.from(buf);
    v.writeUInt32LE(99, 4);
    refused(v, 'container version');
    const nv = Buffer.from(buf);
    nv.writeUInt32LE(7, 12 + nv.readUInt32LE(8) + 4);
    refused(nv, 'native version');
    refused(Buffer.from('EKIT\u0001\u0000\u0000\u0000\u00ff\u00ff\u00ff\u00ff'), 'huge header length');
    expect(() => loadModel(join(dir, 'missing-file'))).toThrow();
    refused(Buffer.from('garbage'), 'garbage');
  });
});

describe('predictOne and predictAsync', () => {
  it('predictOne equals predict row by row (float64, float32, plain arrays, multi-output)', async () => {
    const all = await models();
    for (const [name, m] of Object.entries(all)) {
      const X = inputsFor(m.nFeaturesIn, 11);
      const k = m.predictRaw(X).cols;
      const raw = m.predictRaw(X).data;
      const pred = m instanceof GradientBoostingRegressor ? m.predict(X) : (m as GradientBoostingClassifier).predictProba(X).data;
      const out = new Float64Array(k);
      for (let i = 0; i < X.rows; i++) {
        const row = X.data.subarray(i * X.cols, (i + 1) * X.cols);
        if (k === 1) {
          expect(m.predictOneRaw(row), name).toBe(raw[i]);
          expect(m.predictOneRaw(Float32Array.from(row)), name).toBe(m.predictRaw({ data: Float32Array.from(row), rows: 1, cols: X.cols }).data[0]);
          expect(m.predictOneRaw(Array.from(row)), name).toBe(raw[i]);
          const p = m.predictOne(row);
          expect(p, name).toBe(m instanceof GradientBoostingRegressor ? pred[i] : pred[2 * i + 1]);
        } else {
          expect(m.predictOneRaw(row, out), name).toBe(out);
          expect(Array.from(out)).toEqual(Array.from(raw.subarray(i * k, (i + 1) * k)));
          m.predictOne(row, out);
          expect(Array.from(out)).toEqual(Array.from(pred.subarray(i * k, (i + 1) * k)));
        }
      }
      expect(() => m.predictOne(new Float64Array(m.nFeaturesIn + 1))).toThrow(/values/);
    }
    expect(() => all.multi.predictOne(new Float64Array(5))).toThrow(/out/);
    expect(() => new GradientBoostingRegressor().predictOne([1])).toThrow(/not fitted/);
  });

  it('predictAsync equals predict', async () => {
    const all = await models();
    const X = inputsFor(5, 13);
    expect(await all.regressor.predictAsync(X)).toEqual(all.regressor.predict(X));
    expect(await all.multi.predictAsync(X)).toEqual(all.multi.predict(X));
    expect((await all.multi.predictProbaAsync(X)).data).toEqual(all.multi.predictProba(X).data);
    const xgb = importXGBoost(readFileSync(new URL('xgboost/binary_logistic_d4.json', shared), 'utf8'));
    const Xb = inputsFor(30, 17);
    expect((await xgb.predictAsync(Xb))).toEqual(xgb.predict(Xb));
    const ac = new AbortController();
    ac.abort();
    await expect(all.regressor.predictAsync(X, { signal: ac.signal })).rejects.toThrow(/abort/i);
  });
});

#!/usr/bin/env node
// Writes the libFuzzer seed corpora of this repo's own harnesses (fuzz/fuzz_model_binary.cc,
// fuzz/fuzz_tree_arrays.cc) into fuzz/corpus/<name>/, from real models: small GBDTs trained on the
// bundled data sets (regression, binary, multiclass, categorical, Poisson, one-tree), random forests,
// and the XGBoost / LightGBM fixtures of test/io/fixtures through the importers. Models are kept
// small (a few trees) so libFuzzer's mutations stay fast; the seeds still hold every node kind.
//
//   npm run build:ts && node scripts/make-fuzz-corpus.mjs
// (needs a loadable addon: the usual build, or ENSEMBLEKIT_ADDON=<path to a .node>)
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ek = await import(join(root, 'dist/esm/lib/index.js'));
const { native } = await import(join(root, 'dist/esm/lib/native.js'));

// ---- encoders (the layouts the harnesses read; see the comment at the top of each harness) -------

class Out {
  constructor() { this.parts = []; }
  u8(v) { const b = Buffer.alloc(1); b.writeUInt8(v); this.parts.push(b); }
  u16(v) { const b = Buffer.alloc(2); b.writeUInt16LE(v); this.parts.push(b); }
  i32(v) { const b = Buffer.alloc(4); b.writeInt32LE(v); this.parts.push(b); }
  u32(v) { const b = Buffer.alloc(4); b.writeUInt32LE(v); this.parts.push(b); }
  f64(v) { const b = Buffer.alloc(8); b.writeDoubleLE(v); this.parts.push(b); }
  i64(v) { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(Math.trunc(v))); this.parts.push(b); }
  bytes() { return Buffer.concat(this.parts); }
}

const transforms = { identity: 0, sigmoid: 1, softmax: 2, exp: 3 };

/** fuzz_tree_arrays input of a native GBDT model (exportTrees() + info()), its first `maxTrees` trees. */
function gbdtArrays(model, maxTrees) {
  const info = model.info();
  const t = model.exportTrees();
  const numTrees = Math.min(t.nodeCounts.length, Math.max(info.numOutputs, maxTrees - (maxTrees % info.numOutputs)));
  const o = new Out();
  o.u8(0);
  o.i32(info.numFeatures);
  o.i32(info.numOutputs);
  o.u8(transforms[info.transform]);
  o.i32(Math.min(info.bestIteration, numTrees / info.numOutputs - 1));
  o.u16(numTrees);
  let k = 0;
  for (let tree = 0; tree < numTrees; tree++) {
    const n = t.nodeCounts[tree];
    // Sets used by this tree, renumbered from 0 as the addon does.
    const used = [];
    const local = new Map();
    for (let i = k; i < k + n; i++) {
      if (t.splitType[i] === 1 && t.left[i] >= 0 && !local.has(t.categorySet[i])) {
        local.set(t.categorySet[i], used.length);
        used.push(t.categorySets[t.categorySet[i]]);
      }
    }
    o.u16(n);
    o.u16(used.length);
    for (let i = k; i < k + n; i++) {
      o.i32(t.left[i]); o.i32(t.right[i]); o.i32(t.feature[i]); o.i32(t.thresholdBin[i]); o.f64(t.threshold[i]);
      o.u8(t.defaultLeft[i]); o.u8(t.splitType[i]); o.u8(t.missingRule?.[i] ?? 0); o.u8(t.categoryRule?.[i] ?? 0);
      o.i32(t.splitType[i] === 1 && t.left[i] >= 0 ? local.get(t.categorySet[i]) : -1);
      o.f64(t.value[i]); o.f64(t.gain[i]); o.f64(t.sumHess[i]); o.i64(t.count[i]);
    }
    for (const s of used) {
      o.u16(s.categories.length);
      for (const w of s.categories) o.u32(w);
      o.u16(s.bins.length / 2);
      for (let w = 0; w + 1 < s.bins.length; w += 2) { o.u32(s.bins[w]); o.u32(s.bins[w + 1]); }
    }
    k += n;
  }
  for (const b of info.baseScore) o.f64(b);
  return o.bytes();
}

/** fuzz_tree_arrays input of a native forest model, its first `maxTrees` trees. */
function forestArrays(model, maxTrees) {
  const info = model.info();
  const t = model.exportTrees();
  const numTrees = Math.min(t.nodeCounts.length, maxTrees);
  const c = info.numClasses;
  const o = new Out();
  o.u8(1); o.i32(info.numFeatures); o.i32(c); o.u8(0); o.i32(-1); o.u16(numTrees);
  let k = 0;
  for (let tree = 0; tree < numTrees; tree++) {
    const n = t.nodeCounts[tree];
    o.u16(n); o.u16(0);
    for (let i = k; i < k + n; i++) {
      o.i32(t.left[i]); o.i32(t.right[i]); o.i32(t.feature[i]); o.i32(t.thresholdBin[i]); o.f64(t.threshold[i]);
      o.u8(t.defaultLeft[i]); o.u8(0); o.u8(0); o.u8(0); o.i32(-1);
      o.f64(t.value[i]); o.f64(t.gain[i]); o.f64(t.weight[i]); o.i64(t.count[i]);
    }
    if (c >= 2) for (let i = k * c; i < (k + n) * c; i++) o.f64(t.distribution[i]);
    k += n;
  }
  return o.bytes();
}

/** fuzz_model_binary inputs of a native GBDT model: mode 0 + the whole buffer, mode 1 + the payload alone. */
function binaryInputs(model) {
  const buf = Buffer.from(model.toBuffer());
  const payloadBytes = Number(buf.readBigUInt64LE(8));
  return [Buffer.concat([Buffer.from([0]), buf]), Buffer.concat([Buffer.from([1]), buf.subarray(16, 16 + payloadBytes)])];
}

// ---- models -------------------------------------------------------------------------------------

const gbdts = [];   // [name, native model]
const forests = [];
const nativeOf = (est) => est.state_.model;

const diabetes = ek.datasets.loadDiabetes();
const iris = ek.datasets.loadIris();
const cancer = ek.datasets.loadBreastCancer();
const small = { nEstimators: 3, numLeaves: 6, seed: 1, nThreads: 1 };
gbdts.push(['reg', nativeOf(new ek.GradientBoostingRegressor(small).fitSync(diabetes.X, diabetes.y))]);
gbdts.push(['reg_depthwise', nativeOf(new ek.GradientBoostingRegressor({ ...small, growPolicy: 'depthwise', maxDepth: 3 }).fitSync(diabetes.X, diabetes.y))]);
gbdts.push(['poisson', nativeOf(new ek.GradientBoostingRegressor({ ...small, objective: 'poisson' }).fitSync(diabetes.X, diabetes.y.map((v) => Math.round(v / 50))))]);
gbdts.push(['binary', nativeOf(new ek.GradientBoostingClassifier(small).fitSync(cancer.X, cancer.y))]);
gbdts.push(['multiclass', nativeOf(new ek.GradientBoostingClassifier({ ...small, nEstimators: 2 }).fitSync(iris.X, iris.y))]);
gbdts.push(['stump', nativeOf(new ek.GradientBoostingRegressor({ nEstimators: 1, numLeaves: 2, nThreads: 1 }).fitSync(diabetes.X, diabetes.y))]);
{
  // Categorical splits: column 0 holds category ids 0..11 that drive the label.
  const rows = 240;
  const X = new Float64Array(rows * 2);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const c = (i * 7) % 12;
    X[i * 2] = c;
    X[i * 2 + 1] = (i % 5) - 2 + (i % 3 === 0 ? NaN : 0);
    y[i] = [1, 5, 7, 11].includes(c) ? 1 : 0;
  }
  const m = new ek.GradientBoostingClassifier({ ...small, categoricalFeatures: [0], minChildSamples: 5 }).fitSync(new ek.Matrix(X, rows, 2), y);
  gbdts.push(['categorical', nativeOf(m)]);
}
for (const dir of ['test/io/fixtures', 'test/io/fixtures/shared/xgboost']) {
  for (const f of readdirSync(join(root, dir)).filter((f) => f.endsWith('.json'))) {
    gbdts.push([`xgb_${f.replace(/\.json$/, '')}`, nativeOf(ek.importXGBoost(readFileSync(join(root, dir, f), 'utf8')))]);
  }
}
for (const f of readdirSync(join(root, 'test/io/fixtures/shared/lightgbm')).filter((f) => f.endsWith('.txt'))) {
  gbdts.push([`lgb_${f.replace(/\.txt$/, '')}`, nativeOf(ek.importLightGBM(readFileSync(join(root, 'test/io/fixtures/shared/lightgbm', f), 'utf8')))]);
}
const forestSmall = { nEstimators: 2, maxDepth: 4, seed: 1, nThreads: 1 };
forests.push(['rf_reg', nativeOf(new ek.RandomForestRegressor(forestSmall).fitSync(diabetes.X, diabetes.y))]);
forests.push(['rf_binary', nativeOf(new ek.RandomForestClassifier(forestSmall).fitSync(cancer.X, cancer.y))]);
forests.push(['rf_multiclass', nativeOf(new ek.RandomForestClassifier(forestSmall).fitSync(iris.X, iris.y))]);

// ---- write ----------------------------------------------------------------------------------------

function writeCorpus(name, inputs) {
  const dir = join(root, 'fuzz/corpus', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [label, bytes] of inputs) {
    const id = createHash('sha1').update(bytes).digest('hex').slice(0, 12);
    writeFileSync(join(dir, `${label}-${id}`), bytes);
  }
  console.log(`fuzz/corpus/${name}: ${inputs.length} seeds, ${inputs.reduce((s, [, b]) => s + b.length, 0)} bytes`);
}

const MAX_TREES = 4;
const binary = [];
const arrays = [];
for (const [name, model] of gbdts) {
  arrays.push([name, gbdtArrays(model, MAX_TREES)]);
  // The binary seeds come from the truncated model too (rebuilt from its arrays), so they stay small.
  const t = model.exportTrees();
  const info = model.info();
  const keep = Math.min(t.nodeCounts.length, Math.max(info.numOutputs, MAX_TREES - (MAX_TREES % info.numOutputs)));
  const nodes = t.nodeCounts.slice(0, keep).reduce((a, b) => a + b, 0);
  const cut = (a) => a.slice(0, nodes);
  const truncated = native.gbdt.modelFromTrees({
    numFeatures: info.numFeatures, numOutputs: info.numOutputs, baseScore: info.baseScore, transform: info.transform,
    bestIteration: Math.min(info.bestIteration, keep / info.numOutputs - 1),
    nodeCounts: t.nodeCounts.slice(0, keep), left: cut(t.left), right: cut(t.right), feature: cut(t.feature),
    threshold: cut(t.threshold), thresholdBin: cut(t.thresholdBin), defaultLeft: cut(t.defaultLeft), splitType: cut(t.splitType),
    categorySet: cut(t.categorySet), missingRule: cut(t.missingRule), categoryRule: cut(t.categoryRule), value: cut(t.value),
    gain: cut(t.gain), sumHess: cut(t.sumHess), count: cut(t.count), categorySets: t.categorySets,
  });
  const [whole, payload] = binaryInputs(truncated);
  binary.push([`${name}-whole`, whole], [`${name}-payload`, payload]);
}
for (const [name, model] of forests) arrays.push([name, forestArrays(model, MAX_TREES)]);
writeCorpus('model_binary', binary);
writeCorpus('tree_arrays', arrays);

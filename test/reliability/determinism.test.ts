/**
 * Determinism (issue 8): same data, params and seed give byte-identical saved models (the bytes of
 * `modelToBuffer`, which `saveModel` writes) across two runs and across nThreads 1 and 2, for every
 * trainer; predictions are identical between the default SIMD path and the forced scalar path (a
 * child process with ENSEMBLEKIT_SIMD=scalar; also =avx2 when the default is AVX-512) for tree
 * models, within 1e-12 relative for linear models and MLPs.
 *
 * nThreads is itself a parameter and the saved form records parameters, so a model fitted with
 * nThreads 2 is compared after `setParams({ nThreads: 1 })` (which changes nothing fitted); the
 * members of an AdaBoost keep the nThreads they were fitted with, so for the 1-vs-2 comparison
 * every "nThreads" entry of a JSON-form model is set to 1 (all other bytes must match).
 */
import { describe, expect, it } from 'vitest';
import {
  AdaBoostClassifier,
  AdaBoostRegressor,
  buildInfo,
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  ExtraTreesClassifier,
  ExtraTreesRegressor,
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  LogisticRegression,
  MLPClassifier,
  MLPRegressor,
  modelToBuffer,
  RandomForestClassifier,
  RandomForestRegressor,
  Ridge,
  type Estimator,
} from '../../lib/index.js';
import { decodeModelBytes, encodeModelBytes } from '../../lib/core/model-bytes.js';
import { rng } from '../helpers.js';
import { runChild, scriptFile } from './child.js';

const rows = 3000;
const cols = 8;

function makeData(seed: number) {
  const r = rng(seed);
  const X = new Float64Array(rows * cols);
  const yc = new Float64Array(rows);
  const y3 = new Float64Array(rows);
  const yr = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) X[i * cols + j] = r() * 4 - 2;
    const s = X[i * cols]! - 0.7 * X[i * cols + 1]! + 0.3 * X[i * cols + 2]! * X[i * cols + 3]! + 0.3 * (r() - 0.5);
    yc[i] = s > 0 ? 1 : 0;
    y3[i] = s < -0.7 ? 0 : s < 0.7 ? 1 : 2;
    yr[i] = s + Math.sin(3 * X[i * cols + 4]!);
  }
  return { X: { data: X, rows, cols }, yc, y3, yr };
}

const d = makeData(42);

type Target = 'yc' | 'y3' | 'yr';
interface Trainer {
  name: string;
  make: (nThreads: number) => Estimator;
  y: Target;
  /** 'tree': predictions identical across ISAs; 'linear': within 1e-12 relative. */
  family: 'tree' | 'linear';
  /** How nThreads reaches the model: its own parameter, or the base estimator's. */
  threadsParam: string;
}

// The constructors' arguments are plain literals so the child process can build the same models.
const specs: { name: string; cls: string; params: Record<string, unknown>; y: Target; family: 'tree' | 'linear'; base?: { cls: string; params: Record<string, unknown> } }[] = [
  { name: 'GBDT classifier (binary)', cls: 'GradientBoostingClassifier', params: { nEstimators: 15, numLeaves: 15, subsample: 0.8, colsampleBytree: 0.8, seed: 7 }, y: 'yc', family: 'tree' },
  { name: 'GBDT classifier (3 classes)', cls: 'GradientBoostingClassifier', params: { nEstimators: 8, colsampleBynode: 0.7, seed: 7 }, y: 'y3', family: 'tree' },
  { name: 'GBDT regressor', cls: 'GradientBoostingRegressor', params: { nEstimators: 15, growPolicy: 'depthwise', maxDepth: 4, subsample: 0.7, seed: 3 }, y: 'yr', family: 'tree' },
  { name: 'random forest classifier', cls: 'RandomForestClassifier', params: { nEstimators: 8, maxDepth: 8, seed: 5 }, y: 'y3', family: 'tree' },
  { name: 'random forest regressor', cls: 'RandomForestRegressor', params: { nEstimators: 8, maxFeatures: 0.5, seed: 5 }, y: 'yr', family: 'tree' },
  { name: 'extra trees classifier', cls: 'ExtraTreesClassifier', params: { nEstimators: 8, seed: 9 }, y: 'yc', family: 'tree' },
  { name: 'extra trees regressor', cls: 'ExtraTreesRegressor', params: { nEstimators: 8, maxDepth: 10, seed: 9 }, y: 'yr', family: 'tree' },
  { name: 'decision tree classifier', cls: 'DecisionTreeClassifier', params: { maxDepth: 6, maxFeatures: 'sqrt', seed: 1 }, y: 'y3', family: 'tree' },
  { name: 'decision tree regressor', cls: 'DecisionTreeRegressor', params: { maxLeafNodes: 40, seed: 1 }, y: 'yr', family: 'tree' },
  { name: 'AdaBoost classifier', cls: 'AdaBoostClassifier', params: { nEstimators: 10, seed: 2 }, y: 'y3', family: 'tree', base: { cls: 'DecisionTreeClassifier', params: { maxDepth: 2 } } },
  { name: 'AdaBoost regressor', cls: 'AdaBoostRegressor', params: { nEstimators: 10, seed: 2 }, y: 'yr', family: 'tree', base: { cls: 'DecisionTreeRegressor', params: { maxDepth: 3 } } },
  { name: 'logistic regression', cls: 'LogisticRegression', params: { C: 0.5 }, y: 'y3', family: 'linear' },
  { name: 'ridge', cls: 'Ridge', params: { alpha: 0.3 }, y: 'yr', family: 'linear' },
  { name: 'MLP classifier', cls: 'MLPClassifier', params: { hiddenLayerSizes: [16], maxIter: 15, seed: 4 }, y: 'yc', family: 'linear' },
  { name: 'MLP regressor', cls: 'MLPRegressor', params: { hiddenLayerSizes: [12, 6], maxIter: 15, solver: 'sgd', seed: 4 }, y: 'yr', family: 'linear' },
];

const classes: Record<string, new (p: Record<string, unknown>) => Estimator> = {
  GradientBoostingClassifier, GradientBoostingRegressor, RandomForestClassifier, RandomForestRegressor, ExtraTreesClassifier, ExtraTreesRegressor,
  DecisionTreeClassifier, DecisionTreeRegressor, AdaBoostClassifier, AdaBoostRegressor, LogisticRegression, Ridge, MLPClassifier, MLPRegressor,
} as never;

const trainers: Trainer[] = specs.map((s) => ({
  name: s.name,
  y: s.y,
  family: s.family,
  threadsParam: s.base ? 'estimator__nThreads' : 'nThreads',
  make: (nThreads) =>
    s.base
      ? new classes[s.cls]!({ ...s.params, estimator: new classes[s.base.cls]!({ ...s.base.params, nThreads }) })
      : new classes[s.cls]!({ ...s.params, nThreads }),
}));

async function saved(t: Trainer, nThreads: number): Promise<Buffer> {
  const m = t.make(nThreads);
  await m.fit(d.X, d[t.y]);
  m.setParams({ [t.threadsParam]: 1 });
  return modelToBuffer(m);
}

/** The saved bytes with every "nThreads" parameter set to 1 (JSON form in the model-bytes container; the GBDT form has it in setParams). */
function threadsAsOne(b: Buffer): Buffer {
  if (b.subarray(0, 4).toString('latin1') === 'EKIT') return b;
  return encodeModelBytes(JSON.parse(JSON.stringify(decodeModelBytes(b)), (k, v: unknown) => (k === 'nThreads' ? 1 : v)));
}

describe('determinism: byte-identical saved models', () => {
  it.each(trainers.map((t) => [t.name, t] as const))('%s: two runs, nThreads 1 and 2', async (_n, t) => {
    const a = await saved(t, 1);
    const b = await saved(t, 1);
    const c = await saved(t, 2);
    const e = await saved(t, 2);
    expect(a.length).toBeGreaterThan(100);
    expect(a.equals(b), 'two runs with nThreads 1 differ').toBe(true);
    expect(c.equals(e), 'two runs with nThreads 2 differ').toBe(true);
    expect(threadsAsOne(a).equals(threadsAsOne(c)), 'nThreads 1 and 2 differ').toBe(true);
  });
});

const b64 = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const fromB64 = (s: string) => {
  const b = Buffer.from(s, 'base64');
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

function outputs(m: Estimator, X: typeof d.X): Float64Array {
  const p = m as unknown as { predictProba?: (X: unknown) => { data: Float64Array } };
  return typeof p.predictProba === 'function' ? p.predictProba(X).data : (m.predict(X) as Float64Array);
}

describe('determinism: SIMD paths', () => {
  it('the forced scalar path predicts the same models as the default path, and trains the same trees', async () => {
    // Models fitted here (default ISA) are saved and handed to a child with ENSEMBLEKIT_SIMD=scalar,
    // which predicts them and also refits the tree models from scratch.
    const models: Record<string, string> = {};
    const mine: Record<string, Float64Array> = {};
    for (const t of trainers) {
      const m = t.make(1);
      await m.fit(d.X, d[t.y]);
      models[t.name] = modelToBuffer(m).toString('base64');
      mine[t.name] = outputs(m, d.X);
    }
    const input = scriptFile('determinism-input.json', JSON.stringify({ X: b64(d.X.data), rows, cols, y: { yc: b64(d.yc), y3: b64(d.y3), yr: b64(d.yr) }, specs, models }));
    const file = scriptFile(
      'determinism-child.mjs',
      `
import { readFileSync } from 'node:fs';
const ek = await import(process.env.EK_LIB);
const input = JSON.parse(readFileSync(${JSON.stringify(input)}, 'utf8'));
const f64 = (s) => { const b = Buffer.from(s, 'base64'); return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };
const b64 = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const X = { data: f64(input.X), rows: input.rows, cols: input.cols };
const outputs = (m) => (typeof m.predictProba === 'function' ? m.predictProba(X).data : m.predict(X));
const out = { isa: ek.buildInfo().isa, preds: {}, refit: {} };
for (const s of input.specs) {
  out.preds[s.name] = b64(outputs(ek.modelFromBuffer(Buffer.from(input.models[s.name], 'base64'))));
  if (s.family !== 'tree') continue;
  const params = s.base ? { ...s.params, estimator: new ek[s.base.cls]({ ...s.base.params, nThreads: 1 }) } : { ...s.params, nThreads: 1 };
  const m = new ek[s.cls](params);
  await m.fit(X, f64(input.y[s.y]));
  out.refit[s.name] = ek.modelToBuffer(m).toString('base64');
}
console.log(JSON.stringify(out));
`,
    );
    // Scalar always; AVX2 too when this machine's default is above it (AVX-512 here, for instance).
    const isas = ['scalar', ...(buildInfo().isa === 'avx512' ? ['avx2'] : [])];
    for (const isa of isas) {
      const child = await runChild(file, { env: { ENSEMBLEKIT_SIMD: isa }, timeoutMs: 240_000 });
      expect(child.code, child.stderr).toBe(0);
      const res = child.result as { isa: string; preds: Record<string, string>; refit: Record<string, string> };
      expect(res.isa).toBe(isa);
      console.log(`determinism: this process predicts with ${buildInfo().isa}, the child with ${res.isa}`);
      for (const t of trainers) {
        const a = mine[t.name]!;
        const b = fromB64(res.preds[t.name]!);
        expect(b.length, t.name).toBe(a.length);
        if (t.family === 'tree') {
          expect(b64(a) === b64(b), `${t.name}: ${isa} and ${buildInfo().isa} predictions differ`).toBe(true);
          expect(res.refit[t.name] === models[t.name], `${t.name}: the model trained on the ${isa} path differs`).toBe(true);
        } else {
          let worst = 0;
          for (let i = 0; i < a.length; i++) {
            const diff = Math.abs(a[i]! - b[i]!);
            if (diff > 0) worst = Math.max(worst, diff / Math.max(Math.abs(a[i]!), Math.abs(b[i]!)));
          }
          console.log(`determinism: ${t.name}: largest relative difference ${isa} vs ${buildInfo().isa} ${worst}`);
          expect(worst, `${t.name}: relative difference ${worst}`).toBeLessThanOrEqual(1e-12);
        }
      }
    }
  }, 360_000);
});

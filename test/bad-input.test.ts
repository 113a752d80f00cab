/**
 * Bad input never crashes, always explains (issue 8). One table of cases across every public
 * estimator, ensemble and loader: each row calls the library with something wrong and names the error
 * class, its `code`, and what the message must mention (the culprit: argument, parameter, row,
 * column). The process survives all of them (this file runs in one process; a crash fails it).
 *
 * Add a row: push `{ name, run, error, code, culprit }` onto `cases` (or a generator below). `run` may
 * be sync or async; `culprit` is a list of substrings or regexps that must all appear in the message.
 *
 * Documented choices tested at the end:
 * - SharedArrayBuffer-backed and resizable-buffer-backed Float32Array/Float64Array are accepted (a
 *   SharedArrayBuffer cannot be detached; sync calls read it in place).
 * - Async calls (fit, predictAsync, Dataset.build) copy a caller's typed array before the Promise is
 *   returned, so transferring, resizing or writing it while the job runs cannot crash the process or
 *   change the result.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main as cliMain, UsageError } from '../lib/cli/main.js';
import {
  AdaBoostClassifier,
  AdaBoostRegressor,
  BaggingClassifier,
  BaggingRegressor,
  BlendingClassifier,
  Dataset,
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  EnsembleError,
  EnsembleSelection,
  ExtraTreesClassifier,
  ExtraTreesRegressor,
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  importLightGBM,
  linalg,
  importXGBoost,
  InvalidInputError,
  InvalidParameterError,
  LinearRegression,
  loadModel,
  LogisticRegression,
  MinMaxScaler,
  MLPClassifier,
  MLPRegressor,
  ModelFormatError,
  modelFromBuffer,
  modelToBuffer,
  NotFittedError,
  Pipeline,
  RandomForestClassifier,
  RandomForestRegressor,
  Ridge,
  SimpleImputer,
  StackingClassifier,
  StandardScaler,
  VotingClassifier,
  VotingRegressor,
} from '../lib/index.js';
import { rng } from './helpers.js';

type ErrorClass = abstract new (...args: never[]) => Error;

interface Case {
  name: string;
  run: () => unknown;
  error: ErrorClass;
  code: string;
  /** Substrings (case-sensitive) or patterns that must all appear in the message. */
  culprit: (string | RegExp)[];
}

// ---- data ------------------------------------------------------------------------------------

function data(rows: number, cols: number, seed: number): { X: number[][]; yc: number[]; yr: number[] } {
  const r = rng(seed);
  const X: number[][] = [];
  const yc: number[] = [];
  const yr: number[] = [];
  for (let i = 0; i < rows; i++) {
    const row = Array.from({ length: cols }, () => r() * 2 - 1);
    X.push(row);
    yc.push(row[0]! + 0.5 * row[1]! > 0 ? 1 : 0);
    yr.push(row[0]! * 2 - row[1]! + 0.1 * r());
  }
  return { X, yc, yr };
}

const { X, yc, yr } = data(60, 3, 1);
const ragged = [[1, 2, 3], [4, 5], [6, 7, 8]];

// ---- estimators ------------------------------------------------------------------------------

interface Model {
  fit(X: unknown, y?: unknown, opts?: unknown): Promise<unknown>;
  predict(X: unknown): unknown;
}

interface Subject {
  /** Class name, as it appears in messages. */
  name: string;
  make: (params?: Record<string, unknown>) => Model;
  kind: 'classifier' | 'regressor' | 'transformer';
  /** Rejects NaN in X at fit (linear models, MLP, scalers do not: scalers ignore NaN). */
  rejectsNaN: boolean;
  /** A parameter name and a value out of its range, with the words the message must hold. */
  badParam?: [string, unknown];
  /** A parameter name and a value of the wrong type. */
  wrongType?: [string, unknown];
}

const small = { nEstimators: 3 };
const quickMlp = { hiddenLayerSizes: [4], maxIter: 5 };
const tree = () => new DecisionTreeClassifier({ maxDepth: 2 });

const subjects: Subject[] = [
  { name: 'GradientBoostingClassifier', make: (p) => new GradientBoostingClassifier({ ...small, ...p }) as Model, kind: 'classifier', rejectsNaN: false, badParam: ['learningRate', -0.1], wrongType: ['numLeaves', '31'] },
  { name: 'GradientBoostingRegressor', make: (p) => new GradientBoostingRegressor({ ...small, ...p }) as Model, kind: 'regressor', rejectsNaN: false, badParam: ['subsample', 1.5], wrongType: ['growPolicy', 7] },
  { name: 'RandomForestClassifier', make: (p) => new RandomForestClassifier({ ...small, ...p }) as Model, kind: 'classifier', rejectsNaN: false, badParam: ['minSamplesSplit', 1], wrongType: ['bootstrap', 'yes'] },
  { name: 'RandomForestRegressor', make: (p) => new RandomForestRegressor({ ...small, ...p }) as Model, kind: 'regressor', rejectsNaN: false, badParam: ['nEstimators', 0], wrongType: ['criterion', 3] },
  { name: 'ExtraTreesClassifier', make: (p) => new ExtraTreesClassifier({ ...small, ...p }) as Model, kind: 'classifier', rejectsNaN: false, badParam: ['maxBins', 1000], wrongType: ['seed', 1.5] },
  { name: 'ExtraTreesRegressor', make: (p) => new ExtraTreesRegressor({ ...small, ...p }) as Model, kind: 'regressor', rejectsNaN: false, badParam: ['minSamplesLeaf', 0], wrongType: ['maxDepth', '3'] },
  { name: 'DecisionTreeClassifier', make: (p) => new DecisionTreeClassifier({ ...p }) as Model, kind: 'classifier', rejectsNaN: false, badParam: ['maxDepth', 0], wrongType: ['criterion', null] },
  { name: 'DecisionTreeRegressor', make: (p) => new DecisionTreeRegressor({ ...p }) as Model, kind: 'regressor', rejectsNaN: false, badParam: ['minImpurityDecrease', -1], wrongType: ['maxLeafNodes', 2.5] },
  { name: 'AdaBoostClassifier', make: (p) => new AdaBoostClassifier({ ...small, ...p }) as Model, kind: 'classifier', rejectsNaN: false, badParam: ['learningRate', 0], wrongType: ['algorithm', 'SAMME.R'] },
  { name: 'AdaBoostRegressor', make: (p) => new AdaBoostRegressor({ ...small, ...p }) as Model, kind: 'regressor', rejectsNaN: false, badParam: ['nEstimators', 2_000_000], wrongType: ['loss', 'huber'] },
  { name: 'LogisticRegression', make: (p) => new LogisticRegression({ ...p }) as Model, kind: 'classifier', rejectsNaN: true, badParam: ['C', 0], wrongType: ['fitIntercept', 1] },
  { name: 'LinearRegression', make: (p) => new LinearRegression({ ...p }) as Model, kind: 'regressor', rejectsNaN: true, wrongType: ['fitIntercept', 'no'] },
  { name: 'Ridge', make: (p) => new Ridge({ ...p }) as Model, kind: 'regressor', rejectsNaN: true, badParam: ['alpha', -1], wrongType: ['alpha', '1'] },
  { name: 'MLPClassifier', make: (p) => new MLPClassifier({ ...quickMlp, ...p }) as Model, kind: 'classifier', rejectsNaN: true, badParam: ['hiddenLayerSizes', [4, 0]], wrongType: ['solver', 'newton'] },
  { name: 'MLPRegressor', make: (p) => new MLPRegressor({ ...quickMlp, ...p }) as Model, kind: 'regressor', rejectsNaN: true, badParam: ['beta1', 1], wrongType: ['batchSize', 'big'] },
  { name: 'StandardScaler', make: (p) => new StandardScaler({ ...p }) as unknown as Model, kind: 'transformer', rejectsNaN: false, wrongType: ['withMean', 0] },
  { name: 'MinMaxScaler', make: (p) => new MinMaxScaler({ ...p }) as unknown as Model, kind: 'transformer', rejectsNaN: false, wrongType: ['clip', 'no'] },
  { name: 'SimpleImputer', make: (p) => new SimpleImputer({ ...p }) as unknown as Model, kind: 'transformer', rejectsNaN: false, wrongType: ['strategy', 'mode'] },
  {
    name: 'VotingClassifier',
    make: (p) => new VotingClassifier({ estimators: [['a', tree()], ['b', new LogisticRegression()]], ...p }) as Model,
    kind: 'classifier',
    rejectsNaN: true,
    wrongType: ['voting', 'majority'],
  },
  {
    name: 'VotingRegressor',
    make: (p) => new VotingRegressor({ estimators: [['a', new DecisionTreeRegressor({ maxDepth: 2 })], ['b', new Ridge()]], ...p }) as Model,
    kind: 'regressor',
    rejectsNaN: true,
    wrongType: ['nJobs', 'all'],
  },
  {
    name: 'StackingClassifier',
    make: (p) => new StackingClassifier({ estimators: [['a', tree()], ['b', new LogisticRegression()]], cv: 2, ...p }) as Model,
    kind: 'classifier',
    rejectsNaN: true,
    wrongType: ['stackMethod', 'proba'],
  },
  {
    name: 'BaggingClassifier',
    make: (p) => new BaggingClassifier({ nEstimators: 3, ...p }) as Model,
    kind: 'classifier',
    rejectsNaN: false,
    badParam: ['maxSamples', 0],
    wrongType: ['bootstrap', 'true'],
  },
  {
    name: 'BaggingRegressor',
    make: (p) => new BaggingRegressor({ nEstimators: 3, ...p }) as Model,
    kind: 'regressor',
    rejectsNaN: false,
    badParam: ['nEstimators', -5],
  },
  {
    name: 'BlendingClassifier',
    make: (p) => new BlendingClassifier({ estimators: [['a', tree()], ['b', new LogisticRegression()]], ...p }) as Model,
    kind: 'classifier',
    rejectsNaN: true,
    badParam: ['holdoutSize', 0],
  },
  {
    name: 'Pipeline',
    make: (p) => new Pipeline({ steps: [['scale', new StandardScaler()], ['model', new LogisticRegression()]], ...p }) as Model,
    kind: 'classifier',
    rejectsNaN: true,
  },
];

const cases: Case[] = [];

/** Fits `m` on (X, y) (y omitted for transformers). */
function fitOn(s: Subject, m: Model, Xin: unknown, y: unknown = s.kind === 'regressor' ? yr : yc): Promise<unknown> {
  return s.kind === 'transformer' ? m.fit(Xin) : m.fit(Xin, y);
}
/** Predicts (or transforms) with a fitted model. */
function apply(s: Subject, m: Model, Xin: unknown): unknown {
  return s.kind === 'transformer' ? (m as unknown as { transform(X: unknown): unknown }).transform(Xin) : m.predict(Xin);
}

const ERR_INPUT = { error: InvalidInputError, code: 'ERR_INVALID_INPUT' } as const;
const ERR_PARAM = { error: InvalidParameterError, code: 'ERR_INVALID_PARAMETER' } as const;

for (const s of subjects) {
  cases.push(
    { name: `${s.name}.fit: ragged X`, run: () => fitOn(s, s.make(), ragged, [0, 1, 0]), ...ERR_INPUT, culprit: ['row 1', 'X'] },
    { name: `${s.name}.fit: empty X`, run: () => fitOn(s, s.make(), [], []), ...ERR_INPUT, culprit: ['X', 'empty'] },
    {
      name: `${s.name}.fit: a string in X`,
      run: () => fitOn(s, s.make(), X.map((r, i) => (i === 4 ? [r[0], 'a', r[2]] : r))),
      ...ERR_INPUT,
      culprit: ['row 4, column 1', 'X', '"a"'],
    },
    { name: `${s.name}.fit: unknown parameter`, run: () => fitOn(s, s.make({ nEstimatorz: 3 }), X), ...ERR_PARAM, culprit: ["'nEstimatorz'", s.name] },
    { name: `${s.name}.predict before fit`, run: () => apply(s, s.make(), X), error: NotFittedError, code: 'ERR_NOT_FITTED', culprit: [s.name, 'fit()'] },
  );
  if (s.kind !== 'transformer') {
    cases.push(
      { name: `${s.name}.fit: y of the wrong length`, run: () => fitOn(s, s.make(), X, (s.kind === 'regressor' ? yr : yc).slice(1)), ...ERR_INPUT, culprit: ['y', '60', '59'] },
      { name: `${s.name}.fit: undefined in y`, run: () => fitOn(s, s.make(), X, yc.map((v, i) => (i === 7 ? undefined : v))), ...ERR_INPUT, culprit: ['y[7]'] },
    );
  }
  if (s.kind === 'classifier') {
    cases.push({ name: `${s.name}.fit: one class only`, run: () => fitOn(s, s.make(), X, X.map(() => 3)), ...ERR_INPUT, culprit: ['2 classes', 'y'] });
  } else if (s.kind === 'regressor') {
    cases.push({ name: `${s.name}.fit: Infinity in y`, run: () => fitOn(s, s.make(), X, yr.map((v, i) => (i === 9 ? Infinity : v))), ...ERR_INPUT, culprit: ['y[9]', 'Infinity'] });
  }
  if (s.rejectsNaN) {
    cases.push({
      name: `${s.name}.fit: NaN in X`,
      run: () => fitOn(s, s.make(), X.map((r, i) => (i === 5 ? [r[0], r[1], NaN] : r))),
      ...ERR_INPUT,
      culprit: ['NaN', 'row 5, column 2'],
    });
  }
  if (s.rejectsNaN || s.kind === 'transformer') {
    // Trees take ±Infinity as ordinary (extreme) values (tested below); linear models and MLPs reject them.
    cases.push({
      name: `${s.name}.fit: -Infinity in X`,
      run: () => fitOn(s, s.make(), X.map((r, i) => (i === 6 ? [-Infinity, r[1], r[2]] : r))),
      ...ERR_INPUT,
      culprit: ['-Infinity', 'row 6, column 0'],
    });
  }
  cases.push({
    name: `${s.name}: wrong column count at predict`,
    run: async () => {
      const m = s.make();
      await fitOn(s, m, X);
      return apply(s, m, X.map((r) => [...r, 1]));
    },
    ...ERR_INPUT,
    culprit: ['3 columns', 'X', '4'],
  });
  if (s.badParam) {
    const [p, v] = s.badParam;
    cases.push({ name: `${s.name}: ${p} out of range (${JSON.stringify(v)})`, run: () => fitOn(s, s.make({ [p]: v }), X), ...ERR_PARAM, culprit: [`'${p}'`, String(Array.isArray(v) ? v[v.length - 1] : v)] });
  }
  if (s.wrongType) {
    const [p, v] = s.wrongType;
    cases.push({ name: `${s.name}: ${p} of the wrong type (${JSON.stringify(v)})`, run: () => fitOn(s, s.make({ [p]: v }), X), ...ERR_PARAM, culprit: [`'${p}'`] });
  }
}

// ---- matrices in their typed form, absurd sizes -------------------------------------------------

const typed = (data: Float64Array | Float32Array, rows: number, cols: number) => ({ data, rows, cols });

cases.push(
  {
    name: 'GBDT.fit: rows * cols does not match data.length',
    run: () => new GradientBoostingRegressor(small).fit(typed(new Float64Array(10), 3, 3), [1, 2, 3]),
    ...ERR_INPUT,
    culprit: ['X.data', 'rows * cols = 9', '10'],
  },
  {
    name: 'RandomForest.fit: 2^31 rows declared over a small array',
    run: () => new RandomForestRegressor(small).fit(typed(new Float64Array(8), 2 ** 31, 1), [1]),
    ...ERR_INPUT,
    culprit: ['X.data', String(2 ** 31)],
  },
  {
    name: 'LogisticRegression.fit: 2^31 x 2^31 overflows',
    run: () => new LogisticRegression().fit(typed(new Float64Array(4), 2 ** 31, 2 ** 31), [0, 1]),
    ...ERR_INPUT,
    culprit: ['X', 'too large'],
  },
  {
    name: 'GBDT.fit: negative rows',
    run: () => new GradientBoostingClassifier(small).fit(typed(new Float64Array(4), -2, -2), [0, 1]),
    ...ERR_INPUT,
    culprit: ['X.rows', '-2'],
  },
  {
    name: 'GBDT.fit: fractional cols',
    run: () => new GradientBoostingClassifier(small).fit(typed(new Float64Array(4), 2, 2.5), [0, 1]),
    ...ERR_INPUT,
    culprit: ['X.cols', '2.5'],
  },
  {
    name: 'GBDT.fit: X.data an Int32Array',
    run: () => new GradientBoostingClassifier(small).fit({ data: new Int32Array(4), rows: 2, cols: 2 } as never, [0, 1]),
    ...ERR_INPUT,
    culprit: ['X.data', 'Int32Array'],
  },
  {
    name: 'GBDT: 10^9 leaves',
    run: () => new GradientBoostingRegressor({ ...small, numLeaves: 1e9 }).fit(X, yr),
    ...ERR_PARAM,
    culprit: ["'numLeaves'", '1000000000'],
  },
  {
    name: 'GBDT: nEstimators 2^31',
    run: () => new GradientBoostingRegressor({ nEstimators: 2 ** 31 }).fit(X, yr),
    ...ERR_PARAM,
    culprit: ["'nEstimators'", String(2 ** 31)],
  },
  {
    name: 'MLP: a hidden layer of 2^31 units',
    run: () => new MLPRegressor({ hiddenLayerSizes: [2 ** 31] }).fit(X, yr),
    ...ERR_PARAM,
    culprit: ["'hiddenLayerSizes'", String(2 ** 31)],
  },
  {
    name: 'GBDT: nThreads 2^40',
    run: () => new GradientBoostingRegressor({ ...small, nThreads: 2 ** 40 }).fit(X, yr),
    ...ERR_PARAM,
    culprit: ["'nThreads'", String(2 ** 40)],
  },
  {
    name: 'GBDT: categoricalFeatures names a column that does not exist',
    run: () => new GradientBoostingRegressor({ ...small, categoricalFeatures: [7] }).fit(X, yr),
    ...ERR_PARAM,
    culprit: ['categoricalFeatures', '7'],
  },
  {
    name: 'GBDT: monotoneConstraints of the wrong length',
    run: () => new GradientBoostingRegressor({ ...small, monotoneConstraints: [1] }).fit(X, yr),
    ...ERR_PARAM,
    culprit: ['monotoneConstraints', '3'],
  },
  {
    name: 'GBDT: evalSet labels with a class not seen at fit',
    run: () => new GradientBoostingClassifier(small).fit(X, yc, { evalSet: [[X.slice(0, 3), [0, 1, 5]]] }),
    ...ERR_INPUT,
    culprit: ['evalSet[0].y[2]', '5'],
  },
  {
    name: 'MLPClassifier warmStart: more classes at the second fit',
    run: async () => {
      const m = new MLPClassifier({ ...quickMlp, warmStart: true });
      await m.fit(X, yc);
      await m.fit(X, yc.map((v, i) => (i < 3 ? 2 : v)));
    },
    ...ERR_INPUT,
    culprit: ['MLPClassifier', '2'],
  },
  {
    name: 'GBDT: sampleWeight of the wrong length',
    run: () => new GradientBoostingClassifier(small).fit(X, yc, { sampleWeight: [1, 2] }),
    ...ERR_INPUT,
    culprit: ['sampleWeight', '60', '2'],
  },
  {
    name: 'RandomForest: negative sampleWeight',
    run: () => new RandomForestClassifier(small).fit(X, yc, { sampleWeight: X.map((_, i) => (i === 3 ? -1 : 1)) }),
    ...ERR_INPUT,
    culprit: ['sampleWeight[3]', '-1'],
  },
  {
    name: 'LogisticRegression: labels mixing numbers and strings',
    run: () => new LogisticRegression().fit(X.slice(0, 3), ['a', 1, 'b'] as never),
    ...ERR_INPUT,
    culprit: ['y[1]'],
  },
  {
    name: 'GBDT.predictOne: row of the wrong length',
    run: async () => {
      const m = await new GradientBoostingRegressor(small).fit(X, yr);
      return m.predictOne([1, 2]);
    },
    ...ERR_INPUT,
    culprit: ["'row'", '3', '2'],
  },
  {
    name: 'GBDT.predictOne: a Float64Array row of the wrong length',
    run: async () => {
      const m = await new GradientBoostingRegressor(small).fit(X, yr);
      return m.predictOne(new Float64Array(2));
    },
    ...ERR_INPUT,
    culprit: ['row', '3', '2'],
  },
  {
    name: 'GBDT.predictOne before fit',
    run: () => new GradientBoostingClassifier().predictOne([1, 2, 3]),
    error: NotFittedError,
    code: 'ERR_NOT_FITTED',
    culprit: ['GradientBoostingClassifier', 'predictOne()'],
  },
  {
    name: 'GBDT.predict: numIteration 0',
    run: async () => {
      const m = await new GradientBoostingRegressor(small).fit(X, yr);
      return m.predict(X, { numIteration: 0 });
    },
    ...ERR_PARAM,
    culprit: ['numIteration', '0'],
  },
  {
    name: 'setParams: unknown name with a hint',
    run: () => new RandomForestClassifier().setParams({ n_estimators: 5 }),
    ...ERR_PARAM,
    culprit: ["'n_estimators'", 'RandomForestClassifier'],
  },
  {
    name: 'setParams: nested parameter of a member that does not exist',
    run: () => new BaggingClassifier({ estimator: tree() }).setParams({ estimator__maxDeth: 3 }),
    ...ERR_PARAM,
    culprit: ['maxDeth'],
  },
  {
    name: 'VotingClassifier: estimators not [name, estimator] pairs',
    run: () => new VotingClassifier({ estimators: [tree() as never] }).fit(X, yc),
    ...ERR_PARAM,
    culprit: ['estimators'],
  },
  {
    name: 'EnsembleSelection: no members',
    run: () => new EnsembleSelection({ estimators: [] }).fit(X, yc),
    ...ERR_PARAM,
    culprit: ['estimators'],
  },
);

// ---- loaders ---------------------------------------------------------------------------------

let gbdtBytes: Buffer | undefined;
async function savedGbdt(): Promise<Buffer> {
  gbdtBytes ??= modelToBuffer(await new GradientBoostingClassifier(small).fit(X, yc));
  return gbdtBytes;
}

const ERR_FORMAT = { error: ModelFormatError, code: 'ERR_MODEL_FORMAT' } as const;

cases.push(
  { name: 'modelFromBuffer: random bytes', run: () => modelFromBuffer(Uint8Array.from([1, 2, 3, 250, 251])), ...ERR_FORMAT, culprit: ['model'] },
  { name: 'modelFromBuffer: empty', run: () => modelFromBuffer(new Uint8Array(0)), ...ERR_FORMAT, culprit: ['model'] },
  { name: 'modelFromBuffer: a string instead of bytes', run: () => modelFromBuffer('{"type":"Ridge"}' as never), ...ERR_FORMAT, culprit: ['Buffer', 'string'] },
  { name: 'modelFromBuffer: null', run: () => modelFromBuffer(null as never), ...ERR_FORMAT, culprit: ['Buffer', 'null'] },
  { name: 'modelFromBuffer: JSON of an unknown type', run: () => modelFromBuffer(Buffer.from('{"type":"Nope","version":1,"params":{}}')), ...ERR_FORMAT, culprit: ["'Nope'"] },
  {
    name: 'modelFromBuffer: JSON state of the wrong shape',
    run: () => modelFromBuffer(Buffer.from('{"type":"GradientBoostingRegressor","version":1,"params":{},"state":{"nFeatures":-1}}')),
    ...ERR_FORMAT,
    culprit: ['nFeatures'],
  },
  { name: 'modelFromBuffer: binary model cut in half', run: async () => modelFromBuffer((await savedGbdt()).subarray(0, (await savedGbdt()).length >> 1)), ...ERR_FORMAT, culprit: ['model'] },
  { name: 'modelFromBuffer: binary model header cut', run: async () => modelFromBuffer((await savedGbdt()).subarray(0, 10)), ...ERR_FORMAT, culprit: ['header'] },
  {
    name: 'modelFromBuffer: one byte flipped in the native part',
    run: async () => {
      const b = Buffer.from(await savedGbdt());
      b[b.length - 20] = b[b.length - 20]! ^ 0xff;
      return modelFromBuffer(b);
    },
    ...ERR_FORMAT,
    culprit: [/checksum|corrupt|invalid/i],
  },
  {
    name: 'modelFromBuffer: header declares more bytes than follow',
    run: async () => {
      const b = Buffer.from(await savedGbdt());
      b.writeUInt32LE(0x7fffffff, 8);
      return modelFromBuffer(b);
    },
    ...ERR_FORMAT,
    culprit: ['header', String(0x7fffffff)],
  },
  {
    name: 'loadModel: a file that does not exist',
    run: () => loadModel('/nonexistent/ensemblekit-model.bin'),
    error: Error,
    code: 'ENOENT',
    culprit: ['/nonexistent/ensemblekit-model.bin'],
  },
  { name: 'importXGBoost: not JSON', run: () => importXGBoost('{ learner: '), ...ERR_FORMAT, culprit: ['XGBoost', 'JSON'] },
  { name: 'importXGBoost: JSON without a learner', run: () => importXGBoost({}), ...ERR_FORMAT, culprit: ['learner'] },
  { name: 'importXGBoost: a number', run: () => importXGBoost(42 as never), ...ERR_FORMAT, culprit: ['XGBoost', 'number'] },
  {
    name: 'importXGBoost: a tree with an out-of-range child index',
    run: () =>
      importXGBoost({
        learner: {
          attributes: {},
          feature_names: [],
          gradient_booster: {
            model: {
              gbtree_model_param: { num_trees: '1' },
              tree_info: [0],
              trees: [
                {
                  base_weights: [0, 0, 0],
                  default_left: [0, 0, 0],
                  id: 0,
                  left_children: [1, 99, -1],
                  right_children: [2, -1, -1],
                  split_conditions: [0.5, 1, 2],
                  split_indices: [0, 0, 0],
                  split_type: [0, 0, 0],
                  categories: [],
                  categories_nodes: [],
                  categories_segments: [],
                  categories_sizes: [],
                  loss_changes: [0, 0, 0],
                  sum_hessian: [1, 1, 1],
                  parents: [2147483647, 0, 0],
                  tree_param: { num_deleted: '0', num_feature: '1', num_nodes: '3', size_leaf_vector: '0' },
                },
              ],
            },
            name: 'gbtree',
          },
          learner_model_param: { base_score: '5E-1', num_class: '0', num_feature: '1', num_target: '1' },
          objective: { name: 'reg:squarederror', reg_loss_param: { scale_pos_weight: '1' } },
        },
        version: [1, 7, 4],
      }),
    ...ERR_FORMAT,
    culprit: ['99'],
  },
  { name: 'importLightGBM: garbage text', run: () => importLightGBM('hello world'), ...ERR_FORMAT, culprit: ['LightGBM'] },
  { name: 'importLightGBM: an object', run: () => importLightGBM({} as never), ...ERR_FORMAT, culprit: ['LightGBM', 'object'] },
  {
    name: 'importLightGBM: num_leaves far beyond the arrays',
    run: () =>
      importLightGBM(
        [
          'tree',
          'version=v3',
          'num_class=1',
          'num_tree_per_iteration=1',
          'label_index=0',
          'max_feature_idx=0',
          'objective=regression',
          'feature_names=f0',
          'feature_infos=[0:1]',
          'tree_sizes=100',
          '',
          'Tree=0',
          'num_leaves=1000000000',
          'num_cat=0',
          'split_feature=0',
          'split_gain=1',
          'threshold=0.5',
          'decision_type=2',
          'left_child=-1',
          'right_child=-2',
          'leaf_value=0 1',
          'leaf_weight=1 1',
          'leaf_count=1 1',
          'internal_value=0',
          'internal_weight=1',
          'internal_count=2',
          'is_linear=0',
          'shrinkage=1',
          '',
          'end of trees',
        ].join('\n'),
      ),
    ...ERR_FORMAT,
    culprit: ['Tree=0', '1000000000'],
  },
  { name: 'Dataset.buildSync: ragged X', run: () => Dataset.buildSync(ragged), ...ERR_INPUT, culprit: ['row 1', 'X'] },
  { name: 'Dataset.buildSync: maxBin out of range', run: () => Dataset.buildSync(X, { maxBin: 1000 }), ...ERR_PARAM, culprit: ["'maxBin'", '1000'] },
  { name: 'Dataset.buildSync: unknown option', run: () => Dataset.buildSync(X, { maxBins: 10 } as never), ...ERR_PARAM, culprit: ["'maxBins'", "'maxBin'"] },
  { name: 'Dataset.build: categoricalFeatures out of range', run: () => Dataset.build(X, { categoricalFeatures: [9] }), ...ERR_PARAM, culprit: ['categoricalFeatures', '9'] },
  {
    name: 'GBDT.fit on a disposed Dataset',
    run: () => {
      const d = Dataset.buildSync(X);
      d.dispose();
      return new GradientBoostingRegressor(small).fit(d, yr);
    },
    ...ERR_INPUT,
    culprit: ['Dataset', 'disposed'],
  },
  {
    name: 'Dataset.transform: wrong column count',
    run: () => Dataset.buildSync(X).transform([[1, 2]]),
    ...ERR_INPUT,
    culprit: ['3 columns', '2'],
  },
  {
    name: 'GBDT.fit: y of the wrong length for a Dataset',
    run: () => new GradientBoostingRegressor(small).fit(Dataset.buildSync(X), yr.slice(0, 10)),
    ...ERR_INPUT,
    culprit: ['y', '60', '10'],
  },
);

// ---- detached buffers --------------------------------------------------------------------------

function detached(n: number): Float64Array {
  const a = new Float64Array(n);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

cases.push(
  {
    name: 'GBDT.fit: X.data on a detached ArrayBuffer',
    run: () => new GradientBoostingRegressor(small).fit(typed(detached(6), 3, 2), [1, 2, 3]),
    ...ERR_INPUT,
    culprit: ['X.data', 'detached'],
  },
  {
    name: 'LogisticRegression.predict: X.data on a detached ArrayBuffer',
    run: async () => {
      const m = await new LogisticRegression().fit(X, yc);
      return m.predict(typed(detached(3), 1, 3));
    },
    ...ERR_INPUT,
    culprit: ['X.data', 'detached'],
  },
  {
    name: 'GBDT.predictOne: a row on a detached ArrayBuffer',
    run: async () => {
      const m = await new GradientBoostingRegressor(small).fit(X, yr);
      return m.predictOne(detached(3));
    },
    ...ERR_INPUT,
    culprit: ['row', 'detached'],
  },
  {
    name: 'GBDT.fit: labels on a detached ArrayBuffer',
    run: () => new GradientBoostingRegressor(small).fit(X, detached(60)),
    ...ERR_INPUT,
    culprit: ['y', 'detached'],
  },
);

// ---- the table -------------------------------------------------------------------------------

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---- the CLI --------------------------------------------------------------------------------
// Each row runs `ensemblekit ARGS --json` in process (lib/cli/main.ts's main, as bin/ensemblekit.mjs
// does) in a scratch directory and turns its JSON error back into the error it reports: a usage
// mistake (exit code 2, UsageError, code ERR_USAGE) or a library error (exit code 1, its class and code).

const cliDir = mkdtempSync(join(tmpdir(), 'ensemblekit-bad-cli-'));
writeFileSync(join(cliDir, 'ragged.csv'), 'a,b,target\n1,2,0\n3,4\n5,6,1\n');
writeFileSync(join(cliDir, 'quoted.csv'), 'a,b,target\n1,"2,0\n');
writeFileSync(join(cliDir, 'garbage.ek'), 'not a model');
writeFileSync(join(cliDir, 'garbage.json'), '{"learner": 5}');
writeFileSync(join(cliDir, 'wrongcols.csv'), 'x,y,z,target\n1,2,3,0\n');
afterAll(() => rmSync(cliDir, { recursive: true, force: true }));
const errorClasses: Record<string, ErrorClass> = { InvalidInputError, InvalidParameterError, ModelFormatError, NotFittedError, EnsembleError };

async function cliCase(args: string[], setup?: string[]): Promise<void> {
  const cwd = process.cwd();
  process.chdir(cliDir);
  try {
    const quiet = { stdout: () => true, stderr: () => true };
    if (setup !== undefined && (await cliMain([...setup, '--quiet'], quiet)) !== 0) throw new Error(`setup ${setup.join(' ')} failed`);
    let out = '';
    const code = await cliMain([...args, '--json'], { stdout: (s: string) => (out += s, true), stderr: () => true });
    if (code === 0) return;
    const { error } = JSON.parse(out) as { error: { message: string; code: string; name: string } };
    if (error.code === 'ERR_USAGE') {
      if (code !== 2) throw new Error(`usage error with exit code ${code}: ${error.message}`);
      throw new UsageError(error.message);
    }
    if (code !== 1) throw new Error(`error with exit code ${code}: ${error.message}`);
    const Cls = errorClasses[error.name];
    if (Cls === undefined) throw new Error(`unexpected ${error.name} (${error.code}): ${error.message}`);
    throw new (Cls as unknown as new (m: string) => Error)(error.message);
  } finally {
    process.chdir(cwd);
  }
}

const ERR_USAGE = { error: UsageError as ErrorClass, code: 'ERR_USAGE' } as const;
cases.push(
  { name: 'cli: no command arguments for train', run: () => cliCase(['train']), ...ERR_USAGE, culprit: ['Missing the data'] },
  { name: 'cli: unknown --dataset', run: () => cliCase(['train', '--dataset', 'nosuch']), ...ERR_USAGE, culprit: ["'nosuch'", 'iris'] },
  { name: 'cli: unknown --model', run: () => cliCase(['train', '--dataset', 'iris', '--model', 'nosuch']), ...ERR_USAGE, culprit: ["--model 'nosuch'"] },
  { name: 'cli: --params not JSON', run: () => cliCase(['train', '--dataset', 'iris', '--params', '{bad json']), ...ERR_USAGE, culprit: ['--params'] },
  { name: 'cli: --params out of range', run: () => cliCase(['train', '--dataset', 'iris', '--params', '{"nEstimators": -1}']), ...ERR_PARAM, culprit: ["'nEstimators'", '-1'] },
  { name: 'cli: --params unknown option', run: () => cliCase(['train', '--dataset', 'iris', '--params', '{"noSuchOption": 1}']), ...ERR_PARAM, culprit: ["'noSuchOption'"] },
  { name: 'cli: --valid-fraction outside (0, 1)', run: () => cliCase(['train', '--dataset', 'iris', '--valid-fraction', '2']), ...ERR_USAGE, culprit: ['--valid-fraction', "'2'"] },
  { name: 'cli: --target not the bundled set\'s target', run: () => cliCase(['train', '--dataset', 'iris', '--target', 'nosuchcol']), ...ERR_USAGE, culprit: ["'nosuchcol'", "'target'"] },
  { name: 'cli: unknown flag', run: () => cliCase(['train', '--dataset', 'iris', '--bogus']), ...ERR_USAGE, culprit: ['--bogus'] },
  { name: 'cli: data file missing', run: () => cliCase(['train', 'missing.csv', '--target', 'y']), ...ERR_INPUT, culprit: ['missing.csv'] },
  { name: 'cli: ragged CSV names the line', run: () => cliCase(['train', 'ragged.csv', '--target', 'target']), ...ERR_INPUT, culprit: ['ragged.csv', 'line 3'] },
  { name: 'cli: unterminated quote in CSV', run: () => cliCase(['train', 'quoted.csv', '--target', 'target']), ...ERR_INPUT, culprit: ['quoted.csv'] },
  { name: 'cli: --target names no column', run: () => cliCase(['train', 'ragged.csv', '--target', 'nope']), ...ERR_PARAM, culprit: ["'nope'", 'target'] },
  { name: 'cli: model file missing', run: () => cliCase(['predict', 'nosuch.ek', 'ragged.csv']), ...ERR_INPUT, culprit: ['nosuch.ek'] },
  { name: 'cli: model file not a model', run: () => cliCase(['predict', 'garbage.ek', 'ragged.csv']), ...ERR_FORMAT, culprit: ['Not an ensemblekit model'] },
  { name: 'cli: import of a malformed XGBoost file', run: () => cliCase(['import', 'garbage.json', '--out', 'x.ek']), ...ERR_FORMAT, culprit: ['learner'] },
  { name: 'cli: import without --out', run: () => cliCase(['import', 'garbage.json']), ...ERR_USAGE, culprit: ['--out'] },
  { name: 'cli: --folds below 2', run: () => cliCase(['cv', '--dataset', 'iris', '--folds', '1']), ...ERR_USAGE, culprit: ['--folds', "'1'"] },
  { name: 'cli: info without a model', run: () => cliCase(['info']), ...ERR_USAGE, culprit: ["'info'"] },
  {
    name: 'cli: evaluate with the wrong column count',
    run: () => cliCase(['evaluate', 'iris.ek', 'wrongcols.csv'], ['train', '--dataset', 'iris', '--out', 'iris.ek']),
    ...ERR_INPUT,
    culprit: ['wrongcols.csv', '4 feature columns', '3'],
  },
  { name: 'cli: report of a file that is not a model', run: () => cliCase(['report', 'garbage.ek']), ...ERR_FORMAT, culprit: ['Not an ensemblekit model'] },
);

describe('bad input: every case rejects with the documented class, code and culprit', () => {
  it('has at least 60 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    let caught: unknown;
    try {
      await c.run();
    } catch (e) {
      caught = e;
    }
    expect(caught, 'no error was thrown').toBeDefined();
    if (!(caught instanceof c.error)) throw new Error(`expected ${c.error.name} but got ${(caught as Error)?.constructor?.name}: ${messageOf(caught)}`);
    expect((caught as { code?: unknown }).code).toBe(c.code);
    const msg = messageOf(caught);
    for (const part of c.culprit) {
      if (typeof part === 'string') expect(msg, `message: ${msg}`).toContain(part);
      else expect(msg, `message: ${msg}`).toMatch(part);
    }
    if (c.error !== Error && c.error !== (UsageError as ErrorClass)) expect(caught).toBeInstanceOf(EnsembleError);
  });
});

// ---- accepted on purpose -----------------------------------------------------------------------

function sharedCopy(a: readonly number[][]): Float64Array {
  const out = new Float64Array(new SharedArrayBuffer(a.length * a[0]!.length * 8));
  out.set(a.flat());
  return out;
}

function sameBytes(a: Float64Array | string[], b: Float64Array | string[]): boolean {
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** A resizable ArrayBuffer (ES2024; Node 20 has it, the TS lib here predates it). */
function resizable(bytes: number, maxByteLength: number): ArrayBuffer & { resize(n: number): void } {
  const Ctor = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer & { resize(n: number): void };
  return new Ctor(bytes, { maxByteLength });
}

describe('documented acceptances', () => {
  it('tree models take ±Infinity in X as extreme values', async () => {
    const Xi = X.map((r, i) => (i === 6 ? [-Infinity, r[1]!, Infinity] : r));
    for (const m of [new GradientBoostingRegressor(small), new RandomForestRegressor(small), new DecisionTreeRegressor()]) {
      await m.fit(Xi, yr);
      const p = m.predict(Xi);
      expect(p.every((v) => Number.isFinite(v))).toBe(true);
    }
  });

  it('a maxLeafNodes of 10^9 is bounded by the rows, not allocated', async () => {
    // Best-first growth either way: a limit above the row count cannot bind, so 10^9 and 1000 agree.
    const m = await new RandomForestRegressor({ nEstimators: 2, maxLeafNodes: 1e9, seed: 1 }).fit(X, yr);
    const ref = await new RandomForestRegressor({ nEstimators: 2, maxLeafNodes: 1000, seed: 1 }).fit(X, yr);
    expect(sameBytes(m.predict(X), ref.predict(X))).toBe(true);
  });

  it('SharedArrayBuffer-backed X gives the same model as an ordinary array (sync and async)', async () => {
    const shared = { data: sharedCopy(X), rows: X.length, cols: 3 };
    const plain = { data: Float64Array.from(X.flat()), rows: X.length, cols: 3 };
    const a = await new GradientBoostingRegressor({ ...small, seed: 3 }).fit(shared, yr);
    const b = new GradientBoostingRegressor({ ...small, seed: 3 }).fitSync(plain, yr);
    expect(sameBytes(a.predict(shared), b.predict(plain))).toBe(true);
    expect(sameBytes(await a.predictAsync(shared), b.predict(plain))).toBe(true);
    expect(a.toBuffer().equals(b.toBuffer())).toBe(true);
    const l1 = await new LogisticRegression().fit(shared, yc);
    const l2 = await new LogisticRegression().fit(plain, yc);
    expect(sameBytes(l1.predictProba(shared).data, l2.predictProba(plain).data)).toBe(true);
    // The native fits read the shared buffer directly (sync) or copy it (async).
    const c = new GradientBoostingRegressor({ ...small, seed: 3 }).fitSync(shared, yr);
    expect(c.toBuffer().equals(b.toBuffer())).toBe(true);
    const f1 = await new RandomForestRegressor({ ...small, seed: 2 }).fit(shared, yr);
    const f2 = new RandomForestRegressor({ ...small, seed: 2 }).fitSync(shared, yr);
    const f3 = new RandomForestRegressor({ ...small, seed: 2 }).fitSync(plain, yr);
    expect(sameBytes(f1.predict(plain), f3.predict(plain))).toBe(true);
    expect(sameBytes(f2.predict(plain), f3.predict(plain))).toBe(true);
  });

  it('a resizable-buffer-backed X is accepted', async () => {
    const buf = resizable(X.length * 3 * 8, X.length * 3 * 8 * 2);
    const data = new Float64Array(buf);
    data.set(X.flat());
    const m = await new RandomForestRegressor({ ...small, seed: 2 }).fit({ data, rows: X.length, cols: 3 }, yr);
    const ref = await new RandomForestRegressor({ ...small, seed: 2 }).fit(X, yr);
    expect(sameBytes(m.predict(X), ref.predict(X))).toBe(true);
  });

  // A real collection, so a backing store the caller dropped is freed while the job runs (without
  // the copy that async calls make, the raw native job segfaults here: see the report of issue 8).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;

  async function churn(): Promise<void> {
    // Give a freed backing store a chance to be reused (and a use-after-free a chance to show).
    for (let i = 0; i < 20; i++) new Float64Array(1 << 16).fill(i);
    gc();
    await new Promise((r) => setTimeout(r, 1));
  }

  const big = data(4000, 8, 11);
  const bigFlat = () => Float64Array.from(big.X.flat());

  it.each([
    ['GradientBoostingRegressor', () => new GradientBoostingRegressor({ nEstimators: 20, seed: 1 })],
    ['RandomForestRegressor', () => new RandomForestRegressor({ nEstimators: 10, seed: 1 })],
    ['Ridge', () => new Ridge()],
    ['MLPRegressor', () => new MLPRegressor({ hiddenLayerSizes: [8], maxIter: 20, seed: 1 })],
  ] as const)('%s: X transferred away while the async fit runs: same model, no crash', async (_n, make) => {
    const ref = await make().fit({ data: bigFlat(), rows: 4000, cols: 8 }, big.yr);
    const data = bigFlat();
    const pending = make().fit({ data, rows: 4000, cols: 8 }, big.yr);
    // The caller moves the buffer elsewhere, drops it and allocates: the job must not read it.
    let moved: ArrayBuffer | undefined = structuredClone(data.buffer, { transfer: [data.buffer] });
    new Float64Array(moved).fill(NaN);
    expect(data.length).toBe(0);
    moved = undefined;
    await churn();
    const m = await pending;
    expect(sameBytes(m.predict(big.X) as Float64Array, ref.predict(big.X) as Float64Array)).toBe(true);
  });

  it('X resized to nothing while an async fit runs: same model, no crash', async () => {
    const ref = await new GradientBoostingRegressor({ nEstimators: 20, seed: 1 }).fit(big.X, big.yr);
    const buf = resizable(4000 * 8 * 8, 4000 * 8 * 8);
    const data = new Float64Array(buf);
    data.set(big.X.flat());
    const pending = new GradientBoostingRegressor({ nEstimators: 20, seed: 1 }).fit({ data, rows: 4000, cols: 8 }, big.yr);
    buf.resize(0);
    await churn();
    const m = await pending;
    expect(sameBytes(m.predict(big.X), ref.predict(big.X))).toBe(true);
  });

  it('X transferred away while predictAsync runs: same predictions', async () => {
    const m = await new GradientBoostingRegressor({ nEstimators: 20, seed: 1 }).fit(big.X, big.yr);
    const ref = m.predict(big.X);
    const data = bigFlat();
    const pending = m.predictAsync({ data, rows: 4000, cols: 8 });
    structuredClone(data.buffer, { transfer: [data.buffer] });
    await churn();
    expect(sameBytes(await pending, ref)).toBe(true);
  });

  it('linalg.gemmAsync: operands transferred away while the product runs: same result, no crash', async () => {
    const n = 300;
    const mk = (seed: number) => Float64Array.from({ length: n * n }, (_, i) => ((i * 7919 + seed) % 101) / 101 - 0.5);
    const ref = { data: new Float64Array(n * n), rows: n, cols: n };
    linalg.gemm({ data: mk(1), rows: n, cols: n }, { data: mk(2), rows: n, cols: n }, ref);
    const a = { data: mk(1), rows: n, cols: n };
    const b = { data: mk(2), rows: n, cols: n };
    const c = { data: new Float64Array(n * n), rows: n, cols: n };
    const pending = linalg.gemmAsync(a, b, c);
    structuredClone(a.data.buffer, { transfer: [a.data.buffer] });
    structuredClone(b.data.buffer, { transfer: [b.data.buffer] });
    await churn();
    await pending;
    expect(sameBytes(c.data, ref.data)).toBe(true);
    // c itself transferred away: the job completes and nothing is written anywhere.
    const c2 = { data: new Float64Array(n * n), rows: n, cols: n };
    const pending2 = linalg.gemmAsync({ data: mk(1), rows: n, cols: n }, { data: mk(2), rows: n, cols: n }, c2);
    structuredClone(c2.data.buffer, { transfer: [c2.data.buffer] });
    await churn();
    await expect(pending2).resolves.toBeUndefined();
  });

  it('Dataset.build: X transferred away while binning runs', async () => {
    const ref = Dataset.buildSync(big.X);
    const data = bigFlat();
    const pending = Dataset.build({ data, rows: 4000, cols: 8 });
    structuredClone(data.buffer, { transfer: [data.buffer] });
    await churn();
    const d = await pending;
    expect(Buffer.from(d.bins()).equals(Buffer.from(ref.bins()))).toBe(true);
  });
});

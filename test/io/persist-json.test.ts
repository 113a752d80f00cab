/**
 * The JSON form of the tree models (gradient boosting, random forests, extra trees, decision trees,
 * AdaBoost of trees) loads completely validated (lib/tree/tree-state.ts, the version check of
 * BaseEstimator.restore): every malformed state is refused with ModelFormatError naming the defect,
 * through estimatorFromJSON (the parsed JSON, and the in-memory object where NaN can be passed) and
 * through loadModel on a JSON file; never another error class, never a silent wrong load (a value
 * wrapped by a typed array, a node reached twice). The unmodified JSON loads and predicts
 * bit-identically, so none of this refuses a valid model.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdaBoostClassifier,
  DecisionTreeClassifier,
  ExtraTreesRegressor,
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  ModelFormatError,
  RandomForestClassifier,
  Ridge,
  estimatorFromJSON,
  gradientBoostingFromBuffer,
  importXGBoost,
  loadModel,
  type Estimator,
} from '../../lib/index.js';
import { rng } from '../helpers.js';

/** The JSON as parsed, edited freely (as a hand-edited file would be). */
type Json = Record<string, any>;

const dir = mkdtempSync(join(tmpdir(), 'ek-persist-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const nFeatures = 4;

function data(rows: number, seed: number) {
  const r = rng(seed);
  const X = new Float64Array(rows * nFeatures);
  const yc = new Float64Array(rows);
  const y3 = new Float64Array(rows);
  const yr = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < nFeatures; j++) X[i * nFeatures + j] = r() < 0.05 ? NaN : r() * 4 - 2;
    const s = (X[i * nFeatures] || 0) + 0.7 * (X[i * nFeatures + 1] || 0) - 0.4 * (X[i * nFeatures + 2] || 0) + 0.3 * (r() - 0.5);
    yc[i] = s > 0 ? 1 : 0;
    y3[i] = s < -0.7 ? 0 : s < 0.7 ? 1 : 2;
    yr[i] = 3 * s + (X[i * nFeatures + 3] || 0) ** 2;
  }
  return { X: { data: X, rows, cols: nFeatures }, yc, y3, yr };
}

const train = data(300, 1);
const probe = data(80, 2).X;

interface ModelCase {
  name: string;
  fit: () => Promise<Estimator>;
  /** The tree state a mutation edits: the model's own, or (AdaBoost) its first member's. */
  trees: (json: Json) => Json;
}

const modelCases: ModelCase[] = [
  {
    name: 'GradientBoostingClassifier',
    fit: () => new GradientBoostingClassifier({ nEstimators: 3, numLeaves: 4, minChildSamples: 5, seed: 1 }).fit(train.X, train.yc),
    trees: (j) => j.state.trees,
  },
  {
    name: 'GradientBoostingRegressor',
    fit: () => new GradientBoostingRegressor({ nEstimators: 3, numLeaves: 4, minChildSamples: 5, seed: 1 }).fit(train.X, train.yr),
    trees: (j) => j.state.trees,
  },
  {
    name: 'RandomForestClassifier',
    fit: () => new RandomForestClassifier({ nEstimators: 3, maxDepth: 3, seed: 1 }).fit(train.X, train.y3),
    trees: (j) => j.state.trees,
  },
  {
    name: 'ExtraTreesRegressor',
    fit: () => new ExtraTreesRegressor({ nEstimators: 3, maxDepth: 3, seed: 1 }).fit(train.X, train.yr),
    trees: (j) => j.state.trees,
  },
  {
    name: 'DecisionTreeClassifier',
    fit: () => new DecisionTreeClassifier({ maxDepth: 3 }).fit(train.X, train.y3),
    trees: (j) => j.state.trees,
  },
  {
    name: 'AdaBoostClassifier',
    fit: () => new AdaBoostClassifier({ nEstimators: 3, estimator: new DecisionTreeClassifier({ maxDepth: 2 }) }).fit(train.X, train.yc),
    trees: (j) => j.state.members[0].est.state.trees,
  },
];

/** Node ids in tree 0 (which starts at index 0 of every array). */
function nodesOf(t: Json) {
  const n = t.nodeCounts[0] as number;
  const left = t.left as number[];
  const ids = Array.from({ length: n }, (_, i) => i);
  const leaf = ids.find((i) => left[i] === -1);
  // A child of the root that is itself split, and its sibling.
  const inner = [left[0]!, left[0]! + 1].find((i) => left[i]! >= 0);
  if (leaf === undefined || inner === undefined || left[0]! < 0) throw new Error('tree 0 must have depth >= 2 for these tests');
  const sibling = inner === left[0] ? inner + 1 : inner - 1;
  return { n, leaf, inner, sibling };
}

interface Mutation {
  name: string;
  edit: (t: Json, json: Json) => void;
  message: RegExp;
  /** Holds a value JSON cannot carry (NaN): only the in-memory path, not a file. */
  inMemory?: boolean;
}

const mutations: Mutation[] = [
  {
    name: 'child index out of range',
    edit: (t) => {
      t.left[0] = t.nodeCounts[0] + 10;
      t.right[0] = t.left[0] + 1;
    },
    message: /tree 0, node 0: .*trees\.left\[0\].*child out of range/,
  },
  {
    name: 'a cycle: a child pointing back to the root',
    edit: (t) => {
      const { inner } = nodesOf(t);
      t.left[inner] = 0;
      t.right[inner] = 1;
    },
    message: /tree 0: node \d+ has its ancestor node 0 as a child \(a cycle\)/,
  },
  {
    name: 'a node reached twice (two nodes sharing children)',
    edit: (t) => {
      const { inner, sibling } = nodesOf(t);
      for (const k of ['left', 'right', 'feature', 'threshold', 'splitType', 'categorySet']) if (t[k] !== undefined) t[k][sibling] = t[k][inner];
    },
    message: /tree 0: node \d+ is reached twice/,
  },
  {
    name: 'feature index >= the number of features',
    edit: (t) => (t.feature[0] = nFeatures),
    message: /expected a feature index in \[0, 4\) for trees\.feature\[0\] but received 4/,
  },
  {
    name: 'negative feature on an internal node',
    edit: (t) => (t.feature[0] = -1),
    message: /expected a feature index in \[0, 4\) for trees\.feature\[0\] but received -1/,
  },
  {
    name: 'non-integer child ids',
    edit: (t) => {
      t.left[0] = 1.5;
      t.right[0] = 2.5;
    },
    message: /expected an integer in \[-2147483648, 2147483647\] for trees\.left\[0\] but received 1\.5/,
  },
  {
    name: 'feature 2**32 (wrapped to 0 by Int32Array)',
    edit: (t) => (t.feature[0] = 2 ** 32),
    message: /for trees\.feature\[0\] but received 4294967296/,
  },
  {
    name: 'nodeCounts beyond int32 (wrapped by Int32Array)',
    edit: (t) => (t.nodeCounts[0] += 2 ** 32),
    message: /for trees\.nodeCounts\[0\] but received \d{10}/,
  },
  {
    name: 'a fractional count',
    edit: (t) => (t.count[0] += 0.5),
    message: /for trees\.count\[0\] but received \d+\.5/,
  },
  {
    name: 'defaultLeft 256 (wrapped to 0 by Uint8Array)',
    edit: (t) => (t.defaultLeft[0] = 256),
    message: /expected an integer in \[0, 1\] for trees\.defaultLeft\[0\] but received 256/,
  },
  {
    name: 'threshold null',
    edit: (t) => (t.threshold[0] = null),
    message: /"-Infinity" for trees\.threshold\[0\] but received null/,
  },
  {
    name: 'threshold "NaN"',
    edit: (t) => (t.threshold[0] = 'NaN'),
    message: /for trees\.threshold\[0\] but received "NaN"/,
  },
  {
    name: 'threshold a numeric string',
    edit: (t) => (t.threshold[0] = '0.5'),
    message: /for trees\.threshold\[0\] but received "0\.5"/,
  },
  {
    name: 'value null',
    edit: (t) => (t.value[nodesOf(t).leaf] = null),
    message: /expected a finite number for trees\.value\[\d+\] but received null/,
  },
  {
    name: 'in memory: a NaN threshold on a leaf',
    edit: (t) => (t.threshold[nodesOf(t).leaf] = NaN),
    message: /for trees\.threshold\[\d+\] but received NaN/,
    inMemory: true,
  },
  {
    name: 'in memory: a NaN threshold on the root split',
    edit: (t) => (t.threshold[0] = NaN),
    message: /for trees\.threshold\[0\] but received NaN/,
    inMemory: true,
  },
  {
    name: 'in memory: a NaN gain',
    edit: (t) => (t.gain[0] = NaN),
    message: /expected a finite number for trees\.gain\[0\] but received NaN/,
    inMemory: true,
  },
  {
    name: 'in memory: an infinite leaf value',
    edit: (t) => (t.value[nodesOf(t).leaf] = Infinity),
    message: /expected a finite number for trees\.value\[\d+\] but received Infinity/,
    inMemory: true,
  },
  {
    name: 'a shortened array (left.pop())',
    edit: (t) => t.left.pop(),
    message: /expected (\d+) values in trees\.left \(one per node: the sum of trees\.nodeCounts\) but received \d+/,
  },
  {
    name: 'a shortened float array (gain.pop())',
    edit: (t) => t.gain.pop(),
    message: /values in trees\.gain \(one per node/,
  },
  {
    name: 'nodeCounts not matching the array lengths',
    edit: (t) => (t.nodeCounts[0] += 2),
    message: /values in trees\.left \(one per node: the sum of trees\.nodeCounts\)/,
  },
  {
    name: 'an even node count (a leaf appended to tree 0)',
    edit: (t) => {
      const n = t.nodeCounts[0] as number;
      const total = t.left.length as number;
      const per = (t.distribution?.length ?? 0) / total;
      t.nodeCounts[0] = n + 1;
      for (const k of Object.keys(t)) {
        if (k !== 'nodeCounts' && k !== 'categorySets' && k !== 'distribution' && Array.isArray(t[k]) && t[k].length === total) {
          t[k].splice(n, 0, ['left', 'right', 'feature', 'categorySet'].includes(k) ? -1 : 0);
        }
      }
      if (per > 0) t.distribution.splice(n * per, 0, ...new Array(per).fill(0));
    },
    message: /expected an odd number of nodes per tree \(every split adds two\) but trees\.nodeCounts\[0\] is \d+/,
  },
  {
    name: 'a missing field (trees.gain)',
    edit: (t) => delete t.gain,
    message: /for trees\.gain but received undefined/,
  },
  {
    name: 'a missing field (trees)',
    edit: (_t, j) => delete (j.state.members?.[0].est.state ?? j.state).trees,
    message: /expected an object for trees but received undefined/,
  },
  {
    name: 'a missing field (nFeatures)',
    edit: (_t, j) => delete (j.state.members?.[0].est.state ?? j.state).nFeatures,
    message: /for nFeatures but received undefined/,
  },
  {
    name: 'a version newer than supported',
    edit: (_t, j) => (j.version = 99),
    message: /version 99 was written by a newer ensemblekit \(this one reads versions 1 to 1\)/,
  },
  {
    name: 'a version that is not a positive integer',
    edit: (_t, j) => (j.version = 0.5),
    message: /expected a positive integer for 'version' but received 0\.5/,
  },
  {
    name: 'a missing version',
    edit: (_t, j) => delete j.version,
    message: /expected a positive integer for 'version' but received none/,
  },
];

function predictions(m: Estimator): Float64Array {
  const p = m as Estimator & { predictProba?: (X: unknown) => { data: Float64Array } };
  return typeof p.predictProba === 'function' ? p.predictProba(probe).data : (m.predict(probe) as Float64Array);
}

/** The loader's error, or a test failure naming what it did instead. */
function refusal(load: () => unknown): Error {
  try {
    load();
  } catch (e) {
    return e as Error;
  }
  throw new Error('accepted');
}

let file = 0;
function loadFromFile(json: Json): Estimator {
  const path = join(dir, `model-${file++}.json`);
  writeFileSync(path, JSON.stringify(json));
  return loadModel(path);
}

describe.each(modelCases)('$name: JSON state', (mc) => {
  let model: Estimator;
  let json: Json;
  beforeAll(async () => {
    model = await mc.fit();
    json = JSON.parse(JSON.stringify(model.toJSON())) as Json;
  });

  it('round trip: the unmodified JSON (parsed, in memory, and as a file) loads and predicts bit-identically', () => {
    const before = predictions(model);
    expect(predictions(estimatorFromJSON(structuredClone(json)))).toEqual(before);
    expect(predictions(estimatorFromJSON(model.toJSON()))).toEqual(before);
    expect(predictions(loadFromFile(json))).toEqual(before);
    // the mutations below edit a tree of depth >= 2
    expect(() => nodesOf(mc.trees(json))).not.toThrow();
  });

  it.each(mutations)('refuses $name with ModelFormatError', (mu) => {
    const bad = structuredClone(json);
    mu.edit(mc.trees(bad), bad);
    const e = refusal(() => estimatorFromJSON(bad));
    expect(e, e.message).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(mu.message);
    if (!mu.inMemory) {
      const f = refusal(() => loadFromFile(bad));
      expect(f, f.message).toBeInstanceOf(ModelFormatError);
      expect(f.message).toMatch(mu.message);
    }
  });
});

describe('JSON state: model-specific checks', () => {
  it('forest classifiers: a shortened class distribution, a class count not matching', async () => {
    const json = JSON.parse(JSON.stringify((await new RandomForestClassifier({ nEstimators: 2, maxDepth: 2 }).fit(train.X, train.y3)).toJSON())) as Json;
    const short = structuredClone(json);
    short.state.trees.distribution.pop();
    let e = refusal(() => estimatorFromJSON(short));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/expected \d+ values in trees\.distribution \(3 class frequencies per node\)/);
    const classes = structuredClone(json);
    classes.state.numClasses = 2;
    e = refusal(() => estimatorFromJSON(classes));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/expected numClasses \(2\) labels in classes but received 3/);
    const unsorted = structuredClone(json);
    unsorted.state.classes = [2, 1, 0];
    e = refusal(() => estimatorFromJSON(unsorted));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/classes sorted and distinct/);
  });

  it('a decision tree holds exactly one tree (a forest state would load as an average)', async () => {
    const forest = JSON.parse(JSON.stringify((await new RandomForestClassifier({ nEstimators: 3, maxDepth: 2 }).fit(train.X, train.y3)).toJSON())) as Json;
    const asTree = { type: 'DecisionTreeClassifier', version: 1, params: {}, state: forest.state };
    const e = refusal(() => estimatorFromJSON(asTree));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/expected 1 tree in trees\.nodeCounts \(a single decision tree\) but received 3/);
  });

  it('gradient boosting with categorical splits: set index, split type, category words', async () => {
    const X = new Float64Array(train.X.data);
    for (let i = 0; i < train.X.rows; i++) X[i * nFeatures] = Math.floor(i / 7) % 6;
    const y = Float64Array.from({ length: train.X.rows }, (_, i) => ([1, 3, 4].includes(X[i * nFeatures]!) ? 1 : 0) ^ (i % 11 === 0 ? 1 : 0));
    const m = await new GradientBoostingClassifier({ nEstimators: 4, numLeaves: 4, minChildSamples: 5, categoricalFeatures: [0], minDataPerGroup: 5, catSmooth: 1, maxCatToOnehot: 1 }).fit({ data: X, rows: train.X.rows, cols: nFeatures }, y);
    const json = JSON.parse(JSON.stringify(m.toJSON())) as Json;
    const t = json.state.trees;
    const cat = (t.splitType as number[]).findIndex((s, i) => s === 1 && t.left[i] >= 0);
    expect(cat, 'a categorical split').toBeGreaterThanOrEqual(0);
    expect(predictions(estimatorFromJSON(structuredClone(json)))).toEqual(predictions(m));
    const cases: [string, (t: Json) => void, RegExp][] = [
      ['set index out of range', (t) => (t.categorySet[cat] = t.categorySets.length), /expected a category set index in \[0, \d+\) for trees\.categorySet\[\d+\]/],
      ['a set index on a numerical node', (t) => (t.categorySet[t.left.findIndex((l: number) => l === -1)] = 0), /expected -1 \(not a categorical split\) for trees\.categorySet\[\d+\] but received 0/],
      ['split type 2', (t) => (t.splitType[cat] = 2), /expected an integer in \[0, 1\] for trees\.splitType\[\d+\] but received 2/],
      ['split type 257 (wrapped to 1 by Uint8Array)', (t) => (t.splitType[0] = 257), /for trees\.splitType\[0\] but received 257/],
      ['a category word of 2**32 (wrapped to 0 by Uint32Array)', (t) => (t.categorySets[0].categories[0] = 2 ** 32), /for trees\.categorySets\[0\]\.categories\[0\] but received 4294967296/],
      ['an odd number of bin words', (t) => t.categorySets[0].bins.pop(), /an even number of values in trees\.categorySets\[0\]\.bins/],
      ['only one of the reading rules', (t) => {
        t.missingRule = t.left.map(() => 0);
        delete t.categoryRule;
      }, /for trees\.categoryRule but received undefined/],
    ];
    for (const [what, edit, message] of cases) {
      const bad = structuredClone(json);
      edit(bad.state.trees);
      const e = refusal(() => estimatorFromJSON(bad));
      expect(e, what).toBeInstanceOf(ModelFormatError);
      expect(e.message, what).toMatch(message);
    }
  });

  it('gradient boosting: base scores, tree count per output, evalsResult', async () => {
    const json = JSON.parse(JSON.stringify((await new GradientBoostingClassifier({ nEstimators: 2, numLeaves: 3 }).fit(train.X, train.y3)).toJSON())) as Json;
    const cases: [string, (s: Json) => void, RegExp][] = [
      ['a base score per output', (s) => s.baseScore.pop(), /expected 3 values in baseScore \(one per output\) but received 2/],
      ['a null base score', (s) => (s.baseScore[0] = null), /expected a finite number for baseScore\[0\] but received null/],
      ['trees not a multiple of the outputs', (s) => {
        const t = s.trees;
        const total = t.left.length;
        const n = t.nodeCounts.pop();
        for (const k of Object.keys(t)) if (Array.isArray(t[k]) && t[k].length === total && k !== 'categorySets') t[k].splice(total - n, n);
      }, /expected a multiple of 3 trees \(one per output per round\) in trees\.nodeCounts but received 5/],
      ['a fractional bestIteration', (s) => (s.bestIteration = 0.5), /for bestIteration but received 0\.5/],
      ['an evalsResult metric of strings', (s) => (s.evalsResult = { validation_0: { logloss: ['0.5'] } }), /for evalsResult\.validation_0\.logloss\[0\] but received "0\.5"/],
      ['no classes on a classifier', (s) => (s.classes = undefined), /expected an array of at least 2 class labels for classes but received undefined/],
    ];
    for (const [what, edit, message] of cases) {
      const bad = structuredClone(json);
      edit(bad.state);
      const e = refusal(() => estimatorFromJSON(bad));
      expect(e, what).toBeInstanceOf(ModelFormatError);
      expect(e.message, what).toMatch(message);
    }
    const reg = JSON.parse(JSON.stringify((await new GradientBoostingRegressor({ nEstimators: 2, numLeaves: 3 }).fit(train.X, train.yr)).toJSON())) as Json;
    reg.state.classes = [0, 1];
    const e = refusal(() => estimatorFromJSON(reg));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/expected no classes for a regressor/);
  });

  it('AdaBoost: members are loaded with their own checks, must be fitted, and the version of each is checked', async () => {
    const m = await new AdaBoostClassifier({ nEstimators: 3, estimator: new DecisionTreeClassifier({ maxDepth: 2 }) }).fit(train.X, train.yc);
    const json = JSON.parse(JSON.stringify(m.toJSON())) as Json;
    const cases: [string, (j: Json) => void, RegExp][] = [
      ['a member of a newer version', (j) => (j.state.members[0].est.version = 2), /members\[0\]\.est: Invalid DecisionTreeClassifier JSON: version 2 was written by a newer ensemblekit/],
      ['an unfitted member', (j) => delete j.state.members[0].est.state, /members\[0\]\.est is not fitted/],
      ['a member on other features', (j) => {
        const s = j.state.members[0].est.state;
        s.nFeatures = 5;
      }, /members\[0\]\.est takes 5 features but nFeatures is 4/],
      ['a fractional seed', (j) => (j.state.members[0].seed = 0.5), /for members\[0\]\.seed but received 0\.5/],
      ['a null weight', (j) => (j.state.weights[0] = null), /expected a finite number for weights\[0\] but received null/],
      ['a member predicting other classes', (j) => {
        j.state.members[0].est.state.classes = [0, 7];
      }, /members\[0\]\.est predicts classes \[0,7\], not all among \[0,1\]/],
    ];
    for (const [what, edit, message] of cases) {
      const bad = structuredClone(json);
      edit(bad);
      const e = refusal(() => estimatorFromJSON(bad));
      expect(e, what).toBeInstanceOf(ModelFormatError);
      expect(e.message, what).toMatch(message);
    }
    // the member's own error is kept as the cause
    const bad = structuredClone(json);
    bad.state.members[0].est.state.trees.left.pop();
    const e = refusal(() => estimatorFromJSON(bad));
    expect(e.message).toMatch(/^Invalid AdaBoostClassifier state: members\[0\]\.est: Invalid DecisionTreeClassifier state: expected \d+ values in trees\.left/);
    expect(e.cause).toBeInstanceOf(ModelFormatError);
  });
});

describe('state versions', () => {
  it('every estimator checks its JSON version (fitted or not): Ridge, an unfitted forest', async () => {
    const ridge = JSON.parse(JSON.stringify((await new Ridge({ alpha: 1 }).fit({ ...train.X, data: train.X.data.map((x) => x || 0) }, train.yr)).toJSON())) as Json;
    expect(() => estimatorFromJSON(ridge)).not.toThrow();
    for (const [version, message] of [
      [2, /Invalid Ridge JSON: version 2 was written by a newer ensemblekit/],
      ['1', /Invalid Ridge JSON: expected a positive integer for 'version' but received "1"/],
      [-1, /expected a positive integer for 'version' but received -1/],
    ] as [unknown, RegExp][]) {
      const e = refusal(() => estimatorFromJSON({ ...ridge, version }));
      expect(e).toBeInstanceOf(ModelFormatError);
      expect(e.message).toMatch(message);
    }
    const unfitted = new RandomForestClassifier({ nEstimators: 2 }).toJSON();
    expect(() => estimatorFromJSON(unfitted)).not.toThrow();
    const e = refusal(() => estimatorFromJSON({ ...unfitted, version: 3 }));
    expect(e).toBeInstanceOf(ModelFormatError);
    expect(e.message).toMatch(/newer ensemblekit/);
  });

  it('gradientBoostingFromBuffer checks the version in its JSON header', async () => {
    const m = await new GradientBoostingRegressor({ nEstimators: 2, numLeaves: 3 }).fit(train.X, train.yr);
    const buf = m.toBuffer();
    const headerBytes = buf.readUInt32LE(8);
    const header = JSON.parse(buf.subarray(12, 12 + headerBytes).toString('utf8')) as Json;
    const withHeader = (h: Json) => {
      const text = Buffer.from(JSON.stringify(h), 'utf8');
      const out = Buffer.concat([buf.subarray(0, 12), text, buf.subarray(12 + headerBytes)]);
      out.writeUInt32LE(text.length, 8);
      return out;
    };
    expect(gradientBoostingFromBuffer(withHeader(header)).predict(probe)).toEqual(m.predict(probe));
    for (const [version, message] of [
      [99, /Invalid model buffer: version 99 was written by a newer ensemblekit/],
      [0, /Invalid model buffer: expected a positive integer for 'version' but received 0/],
      [undefined, /Invalid model buffer: expected a positive integer for 'version' but received none/],
    ] as [unknown, RegExp][]) {
      const e = refusal(() => gradientBoostingFromBuffer(withHeader({ ...header, version })));
      expect(e).toBeInstanceOf(ModelFormatError);
      expect(e.message).toMatch(message);
    }
  });
});

describe('gradient boosting: outputs and link must fit the estimator kind', () => {
  const fixture = new URL('./fixtures/import_coverage_xgboost/', import.meta.url);

  it('a two-class multi:softprob model (two softmax outputs) imports, predicts as XGBoost and round-trips', () => {
    const m = importXGBoost(readFileSync(new URL('import_coverage_softprob2.json', fixture), 'utf8')) as GradientBoostingClassifier;
    const lines = readFileSync(new URL('import_coverage_softprob2.expected.csv', fixture), 'utf8').trim().split('\n').slice(1);
    const X = { data: Float64Array.from(lines.flatMap((l) => l.split(',').slice(0, 4).map(Number))), rows: lines.length, cols: 4 };
    const want = lines.flatMap((l) => l.split(',').slice(4).map(Number));
    const got = m.predictProba(X).data;
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-6);
    const fromJson = estimatorFromJSON(JSON.parse(JSON.stringify(m.toJSON()))) as unknown as GradientBoostingClassifier;
    expect(fromJson.predictProba(X).data).toEqual(got);
    const fromBuffer = gradientBoostingFromBuffer(m.toBuffer()) as GradientBoostingClassifier;
    expect(fromBuffer.predictProba(X).data).toEqual(got);
  });

  it('refuses a regressor with a softmax and a classifier whose outputs or link do not fit its classes', async () => {
    const r = new rngData();
    const reg = await new GradientBoostingRegressor({ nEstimators: 3 }).fit(r.X, r.yr);
    const j = JSON.parse(JSON.stringify(reg.toJSON()));
    j.state.transform = 'softmax';
    expect(() => estimatorFromJSON(j)).toThrow(ModelFormatError);
    expect(() => estimatorFromJSON(j)).toThrow(/regressor cannot have the softmax/);
    const clf = await new GradientBoostingClassifier({ nEstimators: 3 }).fit(r.X, r.yc);
    for (const transform of ['identity', 'exp', 'softmax']) {
      const c = JSON.parse(JSON.stringify(clf.toJSON()));
      c.state.transform = transform;
      expect(() => estimatorFromJSON(c), transform).toThrow(/1 output with transform/);
    }
    const three = await new GradientBoostingClassifier({ nEstimators: 2 }).fit(r.X, r.y3);
    const t = JSON.parse(JSON.stringify(three.toJSON()));
    t.state.transform = 'identity';
    expect(() => estimatorFromJSON(t)).toThrow(/transform 'identity' for 3 class outputs/);
    // The binary form checks the same rule.
    const bytes = Buffer.from(clf.toBuffer());
    const len = bytes.readUInt32LE(8);
    const header = JSON.parse(bytes.subarray(12, 12 + len).toString('utf8'));
    header.type = 'GradientBoostingRegressor';
    delete header.state.classes;
    const h = Buffer.from(JSON.stringify(header), 'utf8');
    const swapped = Buffer.concat([bytes.subarray(0, 8), Buffer.alloc(4), h, bytes.subarray(12 + len)]);
    swapped.writeUInt32LE(h.length, 8);
    // A regressor with a sigmoid (XGBoost's reg:logistic) is valid: the swap must load.
    expect(() => gradientBoostingFromBuffer(swapped)).not.toThrow();
  });

  it('evalsResult sets and metrics named "__proto__" stay entries', async () => {
    const r = new rngData();
    const m = await new GradientBoostingRegressor({ nEstimators: 3 }).fit(r.X, r.yr);
    const j = JSON.parse(JSON.stringify(m.toJSON()));
    j.state.evalsResult = JSON.parse('{"__proto__": {"__proto__": [1, 2, 3]}, "valid": {"rmse": [0.5, null]}}');
    const back = estimatorFromJSON(j) as unknown as GradientBoostingRegressor;
    expect(Object.keys(back.evalsResult)).toEqual(['__proto__', 'valid']);
    expect(Object.getOwnPropertyDescriptor(back.evalsResult, '__proto__')?.value).toEqual(JSON.parse('{"__proto__": [1, 2, 3]}'));
    expect(back.evalsResult.valid!.rmse).toEqual([0.5, NaN]);
  });
});

// Small data for the checks above: features, a regression target, 2- and 3-class labels.
class rngData {
  readonly X: { data: Float64Array; rows: number; cols: number };
  readonly yr: Float64Array;
  readonly yc: number[];
  readonly y3: number[];
  constructor() {
    const r = rng(3);
    const rows = 200;
    this.X = { data: Float64Array.from({ length: rows * 3 }, () => r() * 2 - 1), rows, cols: 3 };
    this.yr = Float64Array.from({ length: rows }, (_, i) => this.X.data[3 * i]! + 0.1 * r());
    this.yc = Array.from(this.yr, (v) => (v > 0 ? 1 : 0));
    this.y3 = Array.from(this.yr, (v) => (v > 0.3 ? 2 : v > -0.3 ? 1 : 0));
  }
}

/**
 * The binary container every estimator without a native form of its own saves in
 * (lib/core/model-bytes.ts): it must give back exactly the JSON value it packed, so every model
 * reloads and predicts bit-identically; it must be smaller than the JSON; and every malformed byte
 * string (truncations, flipped bits, defects behind a valid checksum) must be a ModelFormatError.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AdaBoostClassifier,
  DecisionTreeRegressor,
  ExtraTreesRegressor,
  GradientBoostingClassifier,
  LogisticRegression,
  ModelFormatError,
  RandomForestClassifier,
  StackingClassifier,
  StandardScaler,
  Pipeline,
  loadDiabetes,
  loadIris,
  loadModel,
  modelFromBuffer,
  modelToBuffer,
  saveModel,
  type Estimator,
} from '../../lib/index.js';
import { decodeModelBytes, encodeModelBytes, isModelBytes } from '../../lib/core/model-bytes.js';

const dir = mkdtempSync(join(tmpdir(), 'ek-model-bytes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const iris = loadIris();
const diabetes = loadDiabetes();

type Predictor = Estimator & { predict(X: unknown): ArrayLike<number | string>; predictProba?(X: unknown): { data: Float64Array } };

function outputs(m: Predictor, X: unknown): number[] {
  const p = m.predictProba ? m.predictProba(X).data : m.predict(X);
  return Array.from(p as ArrayLike<number>);
}

// Re-seals bytes after an edit, so the parser behind the checksum is reached.
function reseal(b: Buffer): Buffer {
  const out = Buffer.from(b);
  const end = out.length - 32;
  createHash('sha256').update(out.subarray(0, end)).digest().copy(out, end);
  return out;
}

// The bytes with a new header JSON in place of the old (same room, so section offsets stay valid).
function withHeader(b: Buffer, edit: (h: { sections: number[][]; json: unknown }) => void): Buffer {
  const len = b.readUInt32LE(8);
  const h = JSON.parse(b.subarray(12, 12 + len).toString('utf8'));
  edit(h);
  const text = Buffer.from(JSON.stringify(h), 'utf8');
  // The header may grow into its space padding, up to the first section.
  const firstSection = Math.min(...JSON.parse(b.subarray(12, 12 + len).toString('utf8')).sections.map((x: number[]) => x[1]!), b.length - 32);
  if (12 + text.length > firstSection) throw new Error('edited header does not fit');
  const out = Buffer.from(b);
  out.fill(0x20, 12, firstSection);
  text.copy(out, 12);
  out.writeUInt32LE(text.length, 8);
  return reseal(out);
}

describe('model bytes: exact round trips', () => {
  const cases: [string, () => Predictor, unknown, unknown][] = [
    ['RandomForestClassifier', () => new RandomForestClassifier({ nEstimators: 12, seed: 3 }).fitSync(iris.X, iris.y) as Predictor, iris.X, iris.y],
    ['ExtraTreesRegressor', () => new ExtraTreesRegressor({ nEstimators: 8, seed: 5 }).fitSync(diabetes.X, diabetes.y) as Predictor, diabetes.X, diabetes.y],
    ['DecisionTreeRegressor', () => new DecisionTreeRegressor({ maxDepth: 6 }).fitSync(diabetes.X, diabetes.y) as Predictor, diabetes.X, diabetes.y],
    ['AdaBoostClassifier', () => new AdaBoostClassifier({ nEstimators: 20, seed: 1 }).fitSync(iris.X, iris.y) as Predictor, iris.X, iris.y],
    ['LogisticRegression', () => new LogisticRegression({ maxIter: 500 }).fitSync(iris.X, iris.y) as Predictor, iris.X, iris.y],
    [
      'Pipeline(StandardScaler, LogisticRegression)',
      () => new Pipeline({ steps: [['scale', new StandardScaler()], ['lr', new LogisticRegression({ maxIter: 500 })]] }).fitSync(iris.X, iris.y) as unknown as Predictor,
      iris.X,
      iris.y,
    ],
    [
      'StackingClassifier(LR, RF -> LR)',
      () =>
        new StackingClassifier({
          estimators: [['lr', new LogisticRegression({ maxIter: 500 })], ['rf', new RandomForestClassifier({ nEstimators: 10, seed: 2 })]],
          finalEstimator: new LogisticRegression(),
          cv: 3,
        }).fitSync(iris.X, iris.y) as unknown as Predictor,
      iris.X,
      iris.y,
    ],
  ];
  for (const [name, make, X] of cases) {
    it(`${name}: saves in the container and reloads bit-identically`, () => {
      const m = make();
      const bytes = modelToBuffer(m);
      expect(isModelBytes(bytes)).toBe(true);
      // Decoding gives back exactly the JSON value (what a JSON file would hold).
      expect(decodeModelBytes(bytes)).toEqual(JSON.parse(JSON.stringify(m.toJSON())));
      const back = modelFromBuffer(bytes) as Predictor;
      expect(back.constructor).toBe(m.constructor);
      expect(outputs(back, X)).toEqual(outputs(m, X));
      // The estimator's own toBuffer / save write the same bytes; both file routes reload.
      expect((m as unknown as { toBuffer(): Buffer }).toBuffer().equals(bytes)).toBe(true);
      const path = join(dir, `${name.replace(/\W+/g, '_')}.ekm`);
      saveModel(m, path);
      expect(outputs(loadModel(path) as Predictor, X)).toEqual(outputs(m, X));
      (m as unknown as { save(p: string): void }).save(`${path}2`);
      expect(readFileSync(`${path}2`).equals(bytes)).toBe(true);
    });
  }

  it('packs a forest\'s node arrays: the header keeps only the small fields', () => {
    const m = new RandomForestClassifier({ nEstimators: 20, seed: 4 }).fitSync(diabetes.X, Array.from(diabetes.y as ArrayLike<number>, (v) => (v > 140 ? 1 : 0)));
    const bytes = modelToBuffer(m);
    expect(bytes.readUInt32LE(8)).toBeLessThan(2000);
    const header = JSON.parse(bytes.subarray(12, 12 + bytes.readUInt32LE(8)).toString('utf8'));
    // left, right, feature, thresholdBin, defaultLeft, count: integers; value, threshold, ...: float64.
    const kinds = (header.sections as number[][]).map((s) => s[0]);
    expect(kinds).toContain(0);
    expect(kinds).toContain(1);
    expect(kinds).toContain(2);
  });

  it('keeps every value exactly: int32 bounds, uint8, float64 edge values, short and mixed arrays', () => {
    const long = (f: (i: number) => unknown) => Array.from({ length: 40 }, (_, i) => f(i));
    const value = {
      u8: long((i) => (i * 7) % 256),
      i32: long((i) => (i % 2 ? -2147483648 : 2147483647) - (i % 3)),
      big: long((i) => 2147483648 + i), // beyond int32: float64
      f64: long((i) => [Number.MIN_VALUE, -Number.MAX_VALUE, 0.1 + 0.2, -1e-300, 5e-324][i % 5]),
      negZero: long((i) => (i % 2 ? -0 : 1.5)), // JSON writes -0 as 0
      withNaN: long((i) => (i === 3 ? NaN : i)), // not packed: JSON turns NaN into null
      strings: long((i) => String(i)),
      short: [1, 2, 3],
      nested: { deep: [long((i) => i / 3)], empty: [], nil: null, flag: true, text: 'x' },
      '__proto__': long((i) => i),
    };
    const bytes = encodeModelBytes(JSON.parse(JSON.stringify(value)));
    expect(decodeModelBytes(bytes)).toEqual(JSON.parse(JSON.stringify(value)));
    const direct = encodeModelBytes(value);
    expect(decodeModelBytes(direct)).toEqual(JSON.parse(JSON.stringify(value)));
    const back = decodeModelBytes(direct) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });

  it('keys of the value named like its markers stay data ($ekb, $ekb_obj, nested, with packed arrays)', () => {
    const long = Array.from({ length: 20 }, (_, i) => i * 1.5);
    const value = {
      a: { $ekb: 2 },
      b: { $ekb: 0, other: 1 },
      c: { $ekb_obj: { $ekb: long }, d: [{ $ekb: 'x' }] },
      e: { $ekb: long, f: { $ekb_obj: 3 } },
      g: long,
    };
    expect(decodeModelBytes(encodeModelBytes(value))).toEqual(value);
    // A fitted model whose user-chosen keys are markers: class weights keyed by a class named "$ekb".
    const X = { data: Float64Array.from({ length: 80 }, (_, i) => (i * 37) % 11), rows: 40, cols: 2 };
    const y = Array.from({ length: 40 }, (_, i) => (i % 2 ? '$ekb' : 'b'));
    const m = new RandomForestClassifier({ nEstimators: 3, seed: 1, classWeight: { $ekb: 2, b: 1 } }).fitSync(X, y) as Predictor;
    expect(outputs(modelFromBuffer(modelToBuffer(m)) as Predictor, X)).toEqual(outputs(m, X));
  });

  it('loadModel still reads plain JSON files', () => {
    const m = new RandomForestClassifier({ nEstimators: 5, seed: 9 }).fitSync(iris.X, iris.y) as Predictor;
    const path = join(dir, 'plain.json');
    writeFileSync(path, JSON.stringify(m.toJSON()));
    expect(outputs(loadModel(path) as Predictor, iris.X)).toEqual(outputs(m, iris.X));
  });

  it('an unfitted estimator round-trips its parameters', () => {
    const m = new ExtraTreesRegressor({ nEstimators: 7, maxDepth: 3, seed: 11 });
    const back = modelFromBuffer(modelToBuffer(m));
    expect((back as unknown as { isFitted: boolean }).isFitted).toBe(false);
    expect(back.getParams()).toEqual(m.getParams());
    // Gradient boosting too (its native form needs a fitted model).
    const g = new GradientBoostingClassifier({ nEstimators: 9, learningRate: 0.2 });
    const path = join(dir, 'unfitted-gbdt.ekm');
    g.save(path);
    const gb = loadModel(path);
    expect((gb as unknown as { isFitted: boolean }).isFitted).toBe(false);
    expect(gb.getParams()).toEqual(g.getParams());
  });
});

describe('model bytes: malformed input is a ModelFormatError', () => {
  const m = new RandomForestClassifier({ nEstimators: 6, seed: 7 }).fitSync(iris.X, iris.y);
  const good = modelToBuffer(m);
  const refuse = (b: Uint8Array, fragment: RegExp) => {
    let err: unknown;
    try {
      modelFromBuffer(b);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModelFormatError);
    expect(String((err as Error).message)).toMatch(fragment);
  };

  it('every truncation', () => {
    const step = Math.max(1, Math.floor(good.length / 300));
    for (let n = 4; n < good.length; n += step) refuse(good.subarray(0, n), /Invalid model bytes/);
    refuse(good.subarray(0, good.length - 1), /checksum|truncated/);
  });

  it('flipped bits anywhere (the checksum)', () => {
    for (let at = 4; at < good.length; at += Math.max(1, Math.floor(good.length / 200))) {
      const b = Buffer.from(good);
      b[at]! ^= 0x10;
      refuse(b, /Invalid model bytes/);
    }
  });

  it('another format version', () => {
    const b = Buffer.from(good);
    b.writeUInt32LE(2, 4);
    refuse(reseal(b), /format version 2/);
  });

  it('a header length past the end', () => {
    const b = Buffer.from(good);
    b.writeUInt32LE(b.length, 8);
    refuse(reseal(b), /header declares/);
  });

  it('defects behind a valid checksum: sections and references', () => {
    refuse(withHeader(good, (h) => (h.sections[0]![1] = good.length)), /outside the data/);
    refuse(withHeader(good, (h) => (h.sections[0]![1] = 8)), /outside the data/);
    refuse(withHeader(good, (h) => (h.sections[0]![1]! += 4)), /outside the data/);
    refuse(withHeader(good, (h) => (h.sections[0]![0] = 7)), /unknown kind/);
    refuse(withHeader(good, (h) => (h.sections[0]![2] = 1e9)), /outside the data/);
    refuse(withHeader(good, (h) => (h.sections[0] = [1, 2] as never)), /must be \[kind, offset, count\]/);
    refuse(
      withHeader(good, (h) => {
        const last = h.sections[h.sections.length - 1]!;
        h.sections.push([0, Math.ceil((last[1]! + last[2]! * [1, 4, 8][last[0]!]!) / 8) * 8, 0]);
      }),
      /never referenced/,
    );
    refuse(
      withHeader(good, (h) => {
        const t = (h.json as { state: { trees: Record<string, unknown> } }).state.trees;
        t.right = t.left; // the same section twice
      }),
      /referenced twice/,
    );
    refuse(
      withHeader(good, (h) => {
        (h.json as { state: { trees: Record<string, unknown> } }).state.trees.left = { $ekb: 999 };
      }),
      /bad section reference/,
    );
  });

  it('overlapping or out-of-order sections (one byte range decoded many times): refused', () => {
    refuse(withHeader(good, (h) => (h.sections[1]![1] = h.sections[0]![1]!)), /overlaps/);
    refuse(
      withHeader(good, (h) => {
        const [a, b] = [h.sections[0]!, h.sections[1]!];
        h.sections[0] = b;
        h.sections[1] = a;
      }),
      /overlaps/,
    );
  });

  it('nesting deeper than the decoder allows: refused, not a stack overflow', () => {
    const text = Buffer.from(`{"sections":[],"json":${'['.repeat(5000)}1${']'.repeat(5000)}}`, 'utf8');
    const b = Buffer.alloc(12 + text.length + 32);
    b.write('EKJB', 0, 'latin1');
    b.writeUInt32LE(1, 4);
    b.writeUInt32LE(text.length, 8);
    text.copy(b, 12);
    refuse(reseal(b), /nesting deeper/);
  });

  it('a float64 section holding NaN (JSON cannot): refused', () => {
    const h = JSON.parse(good.subarray(12, 12 + good.readUInt32LE(8)).toString('utf8'));
    const f64 = (h.sections as number[][]).find((s) => s[0] === 2)!;
    const b = Buffer.from(good);
    b.writeDoubleLE(NaN, f64[1]!);
    refuse(reseal(b), /non-finite/);
  });

  it('a structural defect in the packed trees reaches the estimator loader', () => {
    const b = withHeader(good, () => {});
    const h = JSON.parse(b.subarray(12, 12 + b.readUInt32LE(8)).toString('utf8'));
    const leftRef = (h.json as { state: { trees: { left: { $ekb: number } } } }).state.trees.left.$ekb;
    const [kind, offset] = h.sections[leftRef] as number[];
    const c = Buffer.from(b);
    // The root's left child pointing at the root: a cycle.
    if (kind === 0) c[offset!] = 0;
    else c.writeInt32LE(0, offset!);
    refuse(reseal(c), /RandomForestClassifier|tree|child/i);
  });
});

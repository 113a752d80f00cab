import { describe, expect, it } from 'vitest';
import { GroupKFold, KFold, RepeatedStratifiedKFold, ShuffleSplit, StratifiedKFold, StratifiedShuffleSplit, loadIris, loadWine, trainTestSplit, InvalidInputError } from '../../lib/index.js';
import { skEns } from '../ensemble/fixtures.js';

const F = skEns.folds;
const tests = (splits: [Int32Array, Int32Array][]) => splits.map(([, te]) => Array.from(te));

describe('splitters vs scikit-learn (exact, no shuffle)', () => {
  it('KFold and StratifiedKFold give scikit-learn folds', () => {
    expect(tests(new KFold({ nSplits: 5 }).split(23))).toEqual(F.kfold_23_5);
    expect(tests(new StratifiedKFold({ nSplits: 5 }).split(loadIris().X, loadIris().y))).toEqual(F.skf_iris_5);
    expect(tests(new StratifiedKFold({ nSplits: 3 }).split(loadWine().X, loadWine().y))).toEqual(F.skf_wine_3);
    expect(tests(new StratifiedKFold({ nSplits: 4 }).split(F.skf_unbalanced.y.length, F.skf_unbalanced.y))).toEqual(F.skf_unbalanced.folds);
  });

  it('every splitter partitions (k-folds) or samples (shuffle splits) correctly and is seeded', () => {
    const y = loadIris().y;
    for (const s of [new KFold({ nSplits: 4, shuffle: true, seed: 3 }), new StratifiedKFold({ nSplits: 5, shuffle: true, seed: 3 })]) {
      const sp = s.split(150, y);
      const all = sp.flatMap(([, te]) => Array.from(te)).sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: 150 }, (_, i) => i));
      for (const [tr, te] of sp) expect(tr.length + te.length).toBe(150);
      expect(tests(s.split(150, y))).toEqual(tests(sp));
    }
    const strat = new StratifiedKFold({ nSplits: 5, shuffle: true, seed: 1 }).split(150, y);
    for (const [, te] of strat) for (const c of [0, 1, 2]) expect(Array.from(te).filter((i) => y[i] === c).length).toBe(10);
    const rep = new RepeatedStratifiedKFold({ nSplits: 5, nRepeats: 3, seed: 0 }).split(150, y);
    expect(rep.length).toBe(15);
    expect(tests(rep.slice(0, 5))).not.toEqual(tests(rep.slice(5, 10)));
    const ss = new ShuffleSplit({ nSplits: 3, testSize: 0.2, seed: 1 }).split(150);
    for (const [tr, te] of ss) {
      expect(te.length).toBe(30);
      expect(tr.length).toBe(120);
      expect(new Set([...tr, ...te]).size).toBe(150);
    }
    const sss = new StratifiedShuffleSplit({ nSplits: 2, testSize: 0.2, seed: 1 }).split(150, y);
    for (const [, te] of sss) for (const c of [0, 1, 2]) expect(Array.from(te).filter((i) => y[i] === c).length).toBe(10);
  });

  it('GroupKFold keeps groups apart and balances sizes', () => {
    const groups = Array.from({ length: 40 }, (_, i) => i % 8);
    const sp = new GroupKFold({ nSplits: 4 }).split(40, undefined, groups);
    for (const [tr, te] of sp) {
      const gTe = new Set(Array.from(te, (i) => groups[i]));
      for (const i of tr) expect(gTe.has(groups[i]!)).toBe(false);
      expect(te.length).toBe(10);
    }
    expect(() => new GroupKFold({ nSplits: 9 }).split(40, undefined, groups)).toThrow(InvalidInputError);
  });

  it('trainTestSplit: sizes, stratification, seed', () => {
    const { X, y } = loadIris();
    const a = trainTestSplit(X, y, { testSize: 0.2, seed: 7, stratify: true });
    expect(a.XTest.rows).toBe(30);
    expect(a.XTrain.rows).toBe(120);
    for (const c of [0, 1, 2]) expect(Array.from(a.yTest as Float64Array).filter((v) => v === c).length).toBe(10);
    const b = trainTestSplit(X, y, { testSize: 0.2, seed: 7, stratify: true });
    expect(Array.from(b.testIndex)).toEqual(Array.from(a.testIndex));
    const c = trainTestSplit(X, y, { shuffle: false });
    expect(Array.from(c.testIndex)).toEqual(Array.from({ length: 38 }, (_, i) => 112 + i));
  });
});

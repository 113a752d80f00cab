import { describe, expect, it } from 'vitest';
import {
  BaggingClassifier,
  BaggingRegressor,
  BlendingClassifier,
  BlendingRegressor,
  EnsembleSelection,
  InvalidInputError,
  InvalidParameterError,
  LinearRegression,
  LogisticRegression,
  Ridge,
  StackingClassifier,
  StackingRegressor,
  StandardScaler,
  StratifiedKFold,
  VotingClassifier,
  VotingRegressor,
  crossValPredict,
  estimatorFromJSON,
  fuseLinear,
  accuracyScore,
  r2Score,
  loadBreastCancer,
  loadDiabetes,
  loadIris,
  makePipeline,
  BaseEstimator,
  type Estimator,
  type Matrix,
} from '../../lib/index.js';
import { CentroidClassifier } from './fixtures.js';

const lr = (C = 1) => makePipeline(new StandardScaler(), new LogisticRegression({ C }));

/** A final estimator that records what it was fitted on (and predicts with a LogisticRegression). */
class Recorder extends BaseEstimator<Record<string, never>> {
  static readonly params = [];
  static seen: Matrix | undefined;
  #inner = new LogisticRegression();
  async fit(X: any, y?: any) {
    Recorder.seen = X;
    this.#inner.fitSync(X, y);
    this.markFitted();
    return this;
  }
  predict(X: any) {
    return this.#inner.predict(X);
  }
  predictProba(X: any) {
    return this.#inner.predictProba(X);
  }
  get classes() {
    return this.#inner.classes;
  }
  protected stateToJSON() {
    return {};
  }
  protected stateFromJSON() {}
}

describe('exact properties', () => {
  it('soft voting = weighted mean of member probabilities; hard voting has no predictProba', async () => {
    const { X, y } = loadIris();
    const members: [string, Estimator][] = [['a', lr()], ['b', lr(0.01)], ['c', new CentroidClassifier()]];
    const v = await new VotingClassifier({ estimators: members, voting: 'soft', weights: [2, 1, 0.5] }).fit(X, y);
    const P = v.fittedEstimators.map((e) => (e as any).predictProba(X) as Matrix);
    const got = v.predictProba(X);
    for (let i = 0; i < got.data.length; i++) {
      const want = (2 * P[0]!.data[i]! + 1 * P[1]!.data[i]! + 0.5 * P[2]!.data[i]!) / 3.5;
      expect(Math.abs(got.data[i]! - want)).toBeLessThanOrEqual(1e-15);
    }
    expect((v.transform(X) as Matrix).cols).toBe(9);
    const hard = new VotingClassifier({ estimators: members });
    expect(typeof (hard as any).predictProba).toBe('undefined');
    hard.setParams({ voting: 'soft' });
    expect(typeof hard.predictProba).toBe('function');
  });

  it('voting transform(): flattened or per-member probabilities (soft), class indices (hard)', async () => {
    const { X, y } = loadIris();
    const members: [string, Estimator][] = [['a', lr()], ['c', new CentroidClassifier()]];
    const v = await new VotingClassifier({ estimators: members, voting: 'soft' }).fit(X, y);
    const P = v.fittedEstimators.map((e) => (e as any).predictProba(X) as Matrix);
    const flat = v.transform(X) as Matrix;
    expect([flat.rows, flat.cols]).toEqual([150, 6]);
    for (let i = 0; i < 150; i++) {
      for (let m = 0; m < 2; m++) {
        for (let c = 0; c < 3; c++) expect(flat.data[i * 6 + m * 3 + c]).toBe(P[m]!.data[i * 3 + c]);
      }
    }
    v.setParams({ flattenTransform: false });
    const per = v.transform(X) as Matrix[];
    expect(per.length).toBe(2);
    per.forEach((M, m) => expect(Array.from(M.data)).toEqual(Array.from(P[m]!.data)));
    const hard = await new VotingClassifier({ estimators: members }).fit(X, y);
    const votes = hard.transform(X) as Matrix;
    expect([votes.rows, votes.cols]).toEqual([150, 2]);
    const labels = hard.fittedEstimators.map((e) => (e as any).predict(X) as Float64Array);
    for (let i = 0; i < 150; i++) {
      for (let m = 0; m < 2; m++) expect(votes.data[i * 2 + m]).toBe(hard.classes.indexOf(labels[m]![i]! as never));
    }
  });

  it("voting: 'drop' members, prefit members, regressor mean", async () => {
    const { X, y } = loadIris();
    const pre = new CentroidClassifier().fitSync(X, y);
    const v = await new VotingClassifier({ estimators: [['a', lr()], ['gone', 'drop'], ['pre', pre]], voting: 'soft', prefit: ['pre'], weights: [1, 5, 1] }).fit(X, y);
    expect(v.namedEstimators.pre).toBe(pre);
    expect(pre.fitCount).toBe(1);
    expect(Object.keys(v.namedEstimators)).toEqual(['a', 'pre']);
    const d = loadDiabetes();
    const r = await new VotingRegressor({ estimators: [['r', new Ridge()], ['l', new LinearRegression()]], weights: [1, 3] }).fit(d.X, d.y);
    const a = (r.namedEstimators.r as Ridge).predict(d.X);
    const b = (r.namedEstimators.l as LinearRegression).predict(d.X);
    r.predict(d.X).forEach((v, i) => expect(Math.abs(v - (a[i]! + 3 * b[i]!) / 4)).toBeLessThan(1e-12));
  });

  it('stacking meta-features = crossValPredict of each member on the same folds (binary drop)', async () => {
    const { X, y } = loadBreastCancer();
    const members: [string, Estimator][] = [['lr', lr()], ['c', new CentroidClassifier({ temperature: 1e6 })]];
    const cv = new StratifiedKFold({ nSplits: 4, shuffle: true, seed: 5 });
    const st = await new StackingClassifier({ estimators: members, finalEstimator: new Recorder() as never, cv, passthrough: true }).fit(X, y);
    const seen = Recorder.seen!;
    expect(seen.cols).toBe(2 + X.cols);
    for (let j = 0; j < 2; j++) {
      const oof = (await crossValPredict(members[j]![1], X, y, { cv, method: 'predictProba' })) as Matrix;
      for (let i = 0; i < X.rows; i++) expect(seen.get(i, j)).toBe(oof.get(i, 1));
    }
    for (let i = 0; i < 5; i++) expect(seen.get(i, 2)).toBe(X.get(i, 0));
    expect(st.stackMethods).toEqual(['predictProba', 'predictProba']);
    expect(st.transform(X).cols).toBe(2 + X.cols);
  });

  it('a stack inside a stack; prefit stacking; stacking regressor; JSON round trip', async () => {
    const { X, y } = loadIris();
    const inner = new StackingClassifier({ estimators: [['a', lr()], ['c', new CentroidClassifier()]], cv: 3 });
    const outer = await new StackingClassifier({ estimators: [['inner', inner], ['b', lr(0.1)]], cv: 3 }).fit(X, y);
    expect(outer.transform(X).cols).toBe(6);
    expect(outer.score(X, y)).toBeGreaterThan(0.9);
    const back = estimatorFromJSON(JSON.parse(JSON.stringify(outer))) as unknown as StackingClassifier;
    expect(back.predictProba(X).data).toEqual(outer.predictProba(X).data);
    const a = lr().fitSync(X, y);
    const pre = await new StackingClassifier({ estimators: [['a', a]], cv: 'prefit' }).fit(X, y);
    expect(pre.namedEstimators.a).toBe(a);
    const d = loadDiabetes();
    const sr = await new StackingRegressor({ estimators: [['r', new Ridge()], ['l', new LinearRegression()]] }).fit(d.X, d.y);
    expect(sr.transform(d.X).cols).toBe(2);
    expect(sr.getParams().finalEstimator).toBe(null);
  });

  it('fuseLinear: fused decision function = weighted average of the decision functions', async () => {
    const { X, y } = loadIris();
    const a = new LogisticRegression({ C: 0.1 }).fitSync(X, y);
    const b = new LogisticRegression({ C: 10 }).fitSync(X, y);
    const f = fuseLinear([a, b], [1, 3]);
    const [da, db, df] = [a.decisionFunction(X), b.decisionFunction(X), f.decisionFunction(X)];
    for (let i = 0; i < df.data.length; i++) expect(Math.abs(df.data[i]! - (da.data[i]! + 3 * db.data[i]!) / 4)).toBeLessThan(1e-12);
    const d = loadDiabetes();
    const r1 = new Ridge({ alpha: 1 }).fitSync(d.X, d.y);
    const r2 = new LinearRegression().fitSync(d.X, d.y);
    const fr = fuseLinear([r1, r2]);
    const [p1, p2, pf] = [r1.predict(d.X), r2.predict(d.X), fr.predict(d.X)];
    pf.forEach((v, i) => expect(Math.abs(v - (p1[i]! + p2[i]!) / 2)).toBeLessThan(1e-9));
    const bin = new LogisticRegression().fitSync(X.toArray().slice(0, 100), Array.from(y.slice(0, 100)));
    expect(() => fuseLinear([a, bin])).toThrow(InvalidInputError);
    expect(() => fuseLinear([a, r1] as never)).toThrow(InvalidInputError);
  });

  it('a user-written TS estimator works in every ensemble', async () => {
    const { X, y } = loadIris();
    const c = () => new CentroidClassifier();
    const all: Estimator[] = [
      new VotingClassifier({ estimators: [['c', c()], ['l', lr()]], voting: 'soft' }),
      new VotingClassifier({ estimators: [['c', c()], ['l', lr()]] }),
      new StackingClassifier({ estimators: [['c', c()], ['l', lr()]], finalEstimator: c(), cv: 3 }),
      new BlendingClassifier({ estimators: [['c', c()], ['l', lr()]], blender: c(), seed: 1 }),
      new BlendingClassifier({ estimators: [['c', c()], ['l', lr()]], blender: 'optimize', seed: 1 }),
      new BaggingClassifier({ estimator: c(), nEstimators: 5, seed: 1, oobScore: true }),
      new EnsembleSelection({ estimators: [['c', c()], ['l', lr()]], prefit: false, seed: 1, ensembleSize: 10 }),
    ];
    for (const e of all) {
      await e.fit(X, y);
      const p = e.predict(X) as Float64Array;
      let hits = 0;
      p.forEach((v, i) => (hits += v === y[i] ? 1 : 0));
      expect(hits / 150, e.constructor.name).toBeGreaterThan(0.85);
      const back = estimatorFromJSON(JSON.parse(JSON.stringify(e)));
      expect(Array.from(back.predict(X) as Float64Array)).toEqual(Array.from(p));
    }
  });

  it('clone: unfitted copies with equal params; setParams name__param', async () => {
    const { X, y } = loadIris();
    const ensembles: Estimator[] = [
      new VotingClassifier({ estimators: [['c', new CentroidClassifier({ temperature: 2 })], ['l', lr()]], voting: 'soft' }),
      new StackingClassifier({ estimators: [['c', new CentroidClassifier()], ['l', lr()]], cv: 3 }),
      new BlendingRegressor({ estimators: [['r', new Ridge()]], blender: 'mean' }),
      new BaggingClassifier({ estimator: lr(), nEstimators: 3 }),
      new EnsembleSelection({ estimators: [['c', new CentroidClassifier()]] }),
    ];
    for (const e of ensembles) {
      if (e instanceof VotingClassifier || e instanceof StackingClassifier || e instanceof BaggingClassifier) await e.fit(X, y);
      const c = e.clone();
      expect((c as any).isFitted).toBe(false);
      expect(JSON.stringify(c.toJSON().params)).toEqual(JSON.stringify({ ...e.toJSON(), state: undefined }.params));
    }
    const v = ensembles[0] as VotingClassifier;
    v.setParams({ c__temperature: 5, l__logisticregression__C: 3 });
    expect(v.getParams().c__temperature).toBe(5);
    expect(v.getParams().l__logisticregression__C).toBe(3);
    expect(() => v.setParams({ nope: 1 })).toThrow(InvalidParameterError);
    const bag = ensembles[3] as BaggingClassifier;
    bag.setParams({ estimator__logisticregression__C: 0.5 });
    expect(bag.getParams().estimator__logisticregression__C).toBe(0.5);
  });
});

describe('bagging, blending, ensemble selection', () => {
  it('bagging: seeds per member, oob, warm start, nJobs does not change the result', async () => {
    const { X, y } = loadIris();
    const mk = (o: object) => new BaggingClassifier({ estimator: new CentroidClassifier(), nEstimators: 6, seed: 3, oobScore: true, maxFeatures: 0.75, ...o });
    const a = await mk({ nJobs: 1 }).fit(X, y);
    const b = await mk({ nJobs: 4 }).fit(X, y);
    expect(a.predictProba(X).data).toEqual(b.predictProba(X).data);
    expect(a.memberSeeds).toEqual(b.memberSeeds);
    expect((a.estimators[0] as CentroidClassifier).getParams().seed).toBe(a.memberSeeds[0]);
    expect(a.estimatorsFeatures[0]!.length).toBe(3);
    expect(a.oobScore).toBeGreaterThan(0.8);
    expect(a.oobDecisionFunction.rows).toBe(150);
    const w = mk({ nEstimators: 3, warmStart: true });
    await w.fit(X, y);
    const first = w.estimators[0];
    w.setParams({ nEstimators: 6 });
    await w.fit(X, y);
    expect(w.estimators[0]).toBe(first);
    expect(w.memberSeeds).toEqual(a.memberSeeds);
    expect(w.predictProba(X).data).toEqual(a.predictProba(X).data);
    // The default base estimator is a decision tree, as scikit-learn's.
    const def = new BaggingClassifier({ nEstimators: 5, seed: 2 }).fitSync(X, y);
    expect(def.estimators[0]!.constructor.name).toBe('DecisionTreeClassifier');
    expect(accuracyScore(y, def.predict(X))).toBeGreaterThan(0.95);
    const defR = await new BaggingRegressor({ nEstimators: 5, seed: 2 }).fit(loadDiabetes().X, loadDiabetes().y);
    expect(defR.estimators[0]!.constructor.name).toBe('DecisionTreeRegressor');
    expect(r2Score(loadDiabetes().y, defR.predict(loadDiabetes().X))).toBeGreaterThan(0.7);
    expect(estimatorFromJSON(JSON.parse(JSON.stringify(def.toJSON()))).predict(X)).toEqual(def.predict(X));
    const d = loadDiabetes();
    const br = await new BaggingRegressor({ estimator: new Ridge(), nEstimators: 25, seed: 0, oobScore: true }).fit(d.X, d.y);
    expect(br.oobScore).toBeGreaterThan(0.35);
    expect(br.oobPrediction.length).toBe(d.X.rows);
  });

  it("blending 'optimize' weights are on the simplex and beat each member on the holdout", async () => {
    const d = loadDiabetes();
    const bl = await new BlendingRegressor({ estimators: [['r', new Ridge({ alpha: 0.01 })], ['r2', new Ridge({ alpha: 100 })]], blender: 'optimize', seed: 0 }).fit(d.X, d.y);
    const w = bl.weights;
    expect(Math.abs(w[0]! + w[1]! - 1)).toBeLessThan(1e-12);
    expect(w.every((v) => v >= 0)).toBe(true);
    const hold = bl.holdoutIndex;
    const mse = (p: Float64Array) => Array.from(hold).reduce((s, r, i) => s + (p[i]! - d.y[r]!) ** 2, 0) / hold.length;
    const Xh = { data: Float64Array.from(Array.from(hold).flatMap((r) => Array.from(d.X.row(r)))), rows: hold.length, cols: d.X.cols };
    const mine = mse(bl.predict(Xh));
    for (const e of Object.values(bl.namedEstimators)) expect(mine).toBeLessThanOrEqual(mse((e as Ridge).predict(Xh)) + 1e-9);
    const { X, y } = loadIris();
    const bc = await new BlendingClassifier({ estimators: [['a', lr()], ['b', lr(0.01)]], refit: true, seed: 2 }).fit(X, y);
    expect(bc.predictProba(X).cols).toBe(3);
  });

  it('ensemble selection: greedy picks with replacement on validation data', async () => {
    const { X, y } = loadIris();
    const strong = lr().fitSync(X, y);
    const weak = new CentroidClassifier({ temperature: 1e4 }).fitSync(X, y);
    const es = await new EnsembleSelection({ estimators: [['weak', weak], ['strong', strong]], ensembleSize: 7, metric: 'neg_log_loss' }).fit(X, y);
    const w = es.weights;
    expect(Math.abs(w[0]! + w[1]! - 1)).toBeLessThan(1e-12);
    expect(w[1]! * 7).toBe(Math.round(w[1]! * 7));
    expect(w[1]).toBeGreaterThan(w[0]!);
    const t = es.trajectory;
    expect(t.length).toBe(7);
    const P = es.predictProba(X);
    const ps = strong.predictProba!(X);
    const pw = weak.predictProba(X);
    for (let i = 0; i < P.data.length; i++) expect(Math.abs(P.data[i]! - (w[0]! * pw.data[i]! + w[1]! * ps.data[i]!))).toBeLessThan(1e-12);
  });
});

import { describe, expect, it } from 'vitest';
import {
  GridSearchCV,
  KFold,
  LogisticRegression,
  RandomizedSearchCV,
  Ridge,
  StandardScaler,
  StratifiedKFold,
  accuracyScore,
  crossValPredict,
  crossValScore,
  crossValidate,
  estimatorFromJSON,
  loadDiabetes,
  loadIris,
  loguniform,
  makePipeline,
  type Matrix,
} from '../../lib/index.js';
import { takeRows } from '../../lib/model_selection/subset.js';

describe('cross-validation', () => {
  it('crossValScore = per-fold accuracy of clones fitted on the training folds', async () => {
    const { X, y } = loadIris();
    const est = makePipeline(new StandardScaler(), new LogisticRegression());
    const scores = await crossValScore(est, X, y, { cv: 5, nJobs: 2 });
    const splits = new StratifiedKFold({ nSplits: 5 }).split(X, y);
    for (let f = 0; f < 5; f++) {
      const [tr, te] = splits[f]!;
      const m = est.clone().fitSync(takeRows(X, tr), Array.from(tr, (i) => y[i]!));
      expect(scores[f]).toBe(accuracyScore(Array.from(te, (i) => y[i]!), m.predict(takeRows(X, te))));
    }
    expect(est.isFitted).toBe(false);
  });

  it('crossValidate: several metrics, train scores, times; crossValPredict methods', async () => {
    const { X, y } = loadIris();
    const est = makePipeline(new StandardScaler(), new LogisticRegression());
    const r = await crossValidate(est, X, y, { cv: 3, scoring: ['accuracy', 'f1_macro', 'neg_log_loss'], returnTrainScore: true, returnEstimator: true });
    expect(Object.keys(r.test)).toEqual(['accuracy', 'f1_macro', 'neg_log_loss']);
    expect(r.fitTime.length).toBe(3);
    expect(r.estimators!.length).toBe(3);
    expect(r.train!.accuracy!.every((v) => v > 0.9)).toBe(true);
    const pred = (await crossValPredict(est, X, y, { cv: 3 })) as Float64Array;
    const proba = (await crossValPredict(est, X, y, { cv: 3, method: 'predictProba' })) as Matrix;
    expect(proba.cols).toBe(3);
    for (let i = 0; i < 150; i++) {
      const row = Array.from(proba.row(i));
      expect(row.indexOf(Math.max(...row))).toBe(pred[i]);
    }
    const dec = (await crossValPredict(new LogisticRegression(), X, y, { cv: new KFold({ nSplits: 3, shuffle: true, seed: 0 }), method: 'decisionFunction' })) as Matrix;
    expect(dec.cols).toBe(3);
  });

  it('regressors get KFold and R²', async () => {
    const { X, y } = loadDiabetes();
    const s = await crossValScore(new Ridge({ alpha: 0.1 }), X, y, { cv: 5 });
    expect(s.length).toBe(5);
    const neg = await crossValScore(new Ridge({ alpha: 0.1 }), X, y, { cv: 5, scoring: 'neg_mean_squared_error' });
    expect(neg.every((v) => v < 0)).toBe(true);
  });
});

describe('hyper-parameter search', () => {
  it('GridSearchCV over step__param: cvResults, best, refit, JSON', async () => {
    const { X, y } = loadIris();
    const pipe = makePipeline(new StandardScaler(), new LogisticRegression());
    const gs = new GridSearchCV({ estimator: pipe, paramGrid: { logisticregression__C: [0.001, 0.1, 10] }, cv: 3 });
    await gs.fit(X, y);
    const r = gs.cvResults;
    expect(r.params.map((p) => p.logisticregression__C)).toEqual([0.001, 0.1, 10]);
    for (let c = 0; c < 3; c++) {
      const mean = (r.splitTestScores[0]![c]! + r.splitTestScores[1]![c]! + r.splitTestScores[2]![c]!) / 3;
      expect(r.meanTestScore[c]).toBeCloseTo(mean, 14);
    }
    expect(r.rankTestScore[gs.bestIndex]).toBe(1);
    expect(gs.bestScore).toBe(r.meanTestScore[gs.bestIndex]);
    expect(gs.bestParams.logisticregression__C).not.toBe(0.001);
    expect(gs.predict(X).length).toBe(150);
    expect(gs.getParams().estimator__logisticregression__C).toBe(1);
    const back = estimatorFromJSON(JSON.parse(JSON.stringify(gs))) as unknown as GridSearchCV;
    expect(Array.from(back.predict(X) as Float64Array)).toEqual(Array.from(gs.predict(X) as Float64Array));
    expect(gs.clone().isFitted).toBe(false);
  });

  it('RandomizedSearchCV: seeded draws from lists and distributions', async () => {
    const { X, y } = loadIris();
    const make = () => new RandomizedSearchCV({ estimator: new LogisticRegression(), paramDistributions: { C: loguniform(1e-3, 10), fitIntercept: [true, false] }, nIter: 4, seed: 3, cv: 3 });
    const a = await make().fit(X, y);
    const b = await make().fit(X, y);
    expect(a.cvResults.params).toEqual(b.cvResults.params);
    expect(a.cvResults.params.length).toBe(4);
    for (const p of a.cvResults.params) expect(p.C as number).toBeGreaterThanOrEqual(1e-3);
  });
});

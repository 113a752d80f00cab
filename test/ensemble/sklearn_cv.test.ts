/**
 * Cross-validated scores of Voting, Stacking and Bagging vs scikit-learn's on the bundled data sets
 * (test/fixtures/sklearn_ensemble.py; settings documented there), mean over 5 folds within 0.02.
 */
import { describe, expect, it } from 'vitest';
import {
  BaggingClassifier,
  BaggingRegressor,
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  LogisticRegression,
  Ridge,
  StackingClassifier,
  StackingRegressor,
  StandardScaler,
  VotingClassifier,
  VotingRegressor,
  crossValScore,
  loadBreastCancer,
  loadDiabetes,
  loadDigits,
  loadIris,
  loadWine,
  makePipeline,
} from '../../lib/index.js';
import { mean, skEns } from './fixtures.js';

const lr = (C = 1) => makePipeline(new StandardScaler(), new LogisticRegression({ C, maxIter: 1000 }));
const gb = () => new GradientBoostingClassifier({ nEstimators: 30 });
const gbr = () => new GradientBoostingRegressor({ nEstimators: 30 });
const report: string[] = [];

async function check(key: string, est: Parameters<typeof crossValScore>[0], X: any, y: any) {
  const ours = mean(await crossValScore(est, X, y, { cv: 5 }));
  const theirs = mean(skEns.cv[key]);
  report.push(`${key}: ours ${ours.toFixed(4)} sklearn ${theirs.toFixed(4)}`);
  expect(Math.abs(ours - theirs), `${key}: ours ${ours} vs sklearn ${theirs}`).toBeLessThanOrEqual(0.02);
}

describe('ensemble CV scores vs scikit-learn (within 0.02)', () => {
  for (const [name, load] of [['iris', loadIris], ['wine', loadWine], ['breast_cancer', loadBreastCancer]] as const) {
    it(`${name}: voting (soft, hard), stacking, bagging`, async () => {
      const { X, y } = load();
      await check(`${name}_voting_soft`, new VotingClassifier({ estimators: [['lr', lr()], ['gb', gb()]], voting: 'soft' }), X, y);
      await check(`${name}_voting_hard`, new VotingClassifier({ estimators: [['lr', lr()], ['lr2', lr(0.05)], ['gb', gb()]] }), X, y);
      await check(`${name}_stacking`, new StackingClassifier({ estimators: [['lr', lr()], ['gb', gb()]], finalEstimator: new LogisticRegression({ maxIter: 1000 }) }), X, y);
      await check(`${name}_bagging`, new BaggingClassifier({ estimator: lr(), nEstimators: 10, seed: 0 }), X, y);
    });
  }

  it('digits: stacking, bagging', async () => {
    const { X, y } = loadDigits();
    await check('digits_stacking', new StackingClassifier({ estimators: [['lr', lr()], ['lr2', lr(0.01)]], finalEstimator: new LogisticRegression({ maxIter: 1000 }), cv: 3 }), X, y);
    await check('digits_bagging', new BaggingClassifier({ estimator: lr(), nEstimators: 4, maxFeatures: 0.5, seed: 0 }), X, y);
  });

  it('diabetes: voting, stacking, bagging regressors', async () => {
    const { X, y } = loadDiabetes();
    await check('diabetes_voting', new VotingRegressor({ estimators: [['ridge', new Ridge()], ['gb', gbr()]] }), X, y);
    await check('diabetes_stacking', new StackingRegressor({ estimators: [['ridge', new Ridge()], ['gb', gbr()]], finalEstimator: new Ridge() }), X, y);
    await check('diabetes_bagging', new BaggingRegressor({ estimator: new Ridge(), nEstimators: 10, seed: 0 }), X, y);
    console.log(report.join('\n'));
  });
});

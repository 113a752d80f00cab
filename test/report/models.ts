/** The fitted models the report tests render, small enough to fit in a few seconds. */
import {
  BaggingRegressor,
  DecisionTreeRegressor,
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  LogisticRegression,
  Matrix,
  RandomForestClassifier,
  StackingClassifier,
  StandardScaler,
  loadBreastCancer,
  loadDiabetes,
  loadIris,
  makePipeline,
  trainTestSplit,
  type MatrixLike,
} from '../../lib/index.js';

export interface Split {
  XTrain: MatrixLike;
  XTest: MatrixLike;
  yTrain: Float64Array;
  yTest: Float64Array;
  featureNames: string[];
}

function split(ds: { X: MatrixLike; y: Float64Array; featureNames: string[] }, stratify: boolean): Split {
  const s = trainTestSplit(ds.X, ds.y, { testSize: 0.25, seed: 7, ...(stratify ? { stratify: true } : {}) });
  return { XTrain: s.XTrain, XTest: s.XTest, yTrain: s.yTrain as Float64Array, yTest: s.yTest as Float64Array, featureNames: ds.featureNames };
}

export const ROUNDS = 40;

/** Binary GBDT on breast_cancer, with the training and the test set as eval sets (log loss and error). */
export async function gbdtClassifier() {
  const d = split(loadBreastCancer(), true);
  const model = await new GradientBoostingClassifier({ nEstimators: ROUNDS, numLeaves: 8, evalMetric: ['logloss', 'error'], seed: 1 }).fit(d.XTrain, d.yTrain, {
    evalSet: [
      { X: d.XTrain, y: d.yTrain, name: 'train' },
      { X: d.XTest, y: d.yTest, name: 'valid' },
    ],
  });
  return { model, d };
}

/** GBDT regressor on diabetes, with a validation set. */
export async function gbdtRegressor() {
  const d = split(loadDiabetes(), false);
  const model = await new GradientBoostingRegressor({ nEstimators: ROUNDS, numLeaves: 8, seed: 1 }).fit(d.XTrain, d.yTrain, { evalSet: [{ X: d.XTest, y: d.yTest, name: 'valid' }] });
  return { model, d };
}

/**
 * A three-class StackingClassifier on iris's two sepal columns (the petal ones make every member
 * perfect): scaled logistic regression, a forest and a GBDT.
 */
export async function stacking() {
  const iris = loadIris();
  const X = Matrix.fromArray(Array.from({ length: iris.X.rows }, (_, i) => [iris.X.data[i * iris.X.cols]!, iris.X.data[i * iris.X.cols + 1]!]));
  const d = split({ X, y: iris.y, featureNames: iris.featureNames.slice(0, 2) }, true);
  const model = await new StackingClassifier({
    estimators: [
      ['logreg', makePipeline(new StandardScaler(), new LogisticRegression({ maxIter: 1000 }))],
      ['forest', new RandomForestClassifier({ nEstimators: 20, seed: 3 })],
      ['gbdt', new GradientBoostingClassifier({ nEstimators: 20, numLeaves: 4, minChildSamples: 5, seed: 3 })],
    ],
    cv: 3,
  }).fit(d.XTrain, d.yTrain);
  return { model, d };
}

/** Bagged trees on diabetes where each member sees 5 of the 10 columns. */
export async function bagging() {
  const d = split(loadDiabetes(), false);
  const model = await new BaggingRegressor({ estimator: new DecisionTreeRegressor({ maxDepth: 4 }), nEstimators: 4, maxFeatures: 5, seed: 5 }).fit(d.XTrain, d.yTrain);
  return { model, d };
}

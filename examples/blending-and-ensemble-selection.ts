/**
 * Two ways of weighting a few different models on held-out data, on the bundled breast-cancer set:
 *
 * - `BlendingClassifier` with the `'optimize'` blender fits the members on part of the training
 *   rows and learns non-negative weights summing to 1 that minimise the log-loss of the weighted
 *   mean of their probabilities on the rest (the holdout).
 * - `EnsembleSelection` (Caruana et al., 2004) takes a library of already fitted models and greedily
 *   adds, with replacement, whichever one most improves the validation log-loss of the average;
 *   a member's weight is how often it was picked.
 *
 * Both report test accuracy and log-loss beside their members'. Since -log is convex, the log-loss
 * of a weighted mean of probabilities is at most the weighted mean of the members' log-losses: the
 * last figure of each block shows it.
 */
import {
  BlendingClassifier,
  EnsembleSelection,
  ExtraTreesClassifier,
  GradientBoostingClassifier,
  LogisticRegression,
  RandomForestClassifier,
  StandardScaler,
  accuracyScore,
  loadBreastCancer,
  logLoss,
  makePipeline,
  trainTestSplit,
  type Classifier,
  type Estimator,
  type MatrixLike,
} from 'ensemblekit';

const { X, y } = loadBreastCancer();
const { XTrain, XTest, yTrain, yTest } = trainTestSplit(X, y, { testSize: 0.25, stratify: true, seed: 0 });
console.log(`Breast cancer: ${XTrain.rows} training rows, ${XTest.rows} test rows, ${X.cols} features`);

/** A fresh, unfitted library of four different classifiers. */
function library(): [string, Estimator][] {
  return [
    ['logreg', makePipeline(new StandardScaler(), new LogisticRegression({ C: 0.5 }))],
    ['forest', new RandomForestClassifier({ nEstimators: 100, seed: 1 })],
    ['extratrees', new ExtraTreesClassifier({ nEstimators: 100, seed: 2 })],
    ['gbdt', new GradientBoostingClassifier({ nEstimators: 100, learningRate: 0.1, numLeaves: 7, seed: 3 })],
  ];
}

function scores(model: Classifier, Xs: MatrixLike, ys: Float64Array | string[]): { accuracy: number; logLoss: number } {
  return { accuracy: accuracyScore(ys, model.predict(Xs)), logLoss: logLoss(ys, model.predictProba(Xs), { labels: model.classes }) };
}

function report(title: string, members: Record<string, Estimator>, weights: Record<string, number>, ensemble: Classifier): void {
  console.log(`\n${title}`);
  let weightedLoss = 0;
  for (const [name, est] of Object.entries(members)) {
    const s = scores(est as Classifier, XTest, yTest!);
    weightedLoss += (weights[name] ?? 0) * s.logLoss;
    console.log(`  member ${name.padEnd(10)} weight ${(weights[name] ?? 0).toFixed(4)}  test accuracy ${s.accuracy.toFixed(4)}  log-loss ${s.logLoss.toFixed(4)}`);
  }
  const s = scores(ensemble, XTest, yTest!);
  console.log(`  ensemble test accuracy ${s.accuracy.toFixed(4)}  log-loss ${s.logLoss.toFixed(4)}`);
  console.log(`  weighted mean of member log-losses ${weightedLoss.toFixed(4)} (the ensemble's is at most this)`);
  console.log(`${title} summary: ${JSON.stringify({ weights, accuracy: s.accuracy, logLoss: s.logLoss, weightedMemberLogLoss: weightedLoss })}`);
}

// Blending: members fit on 75% of the training rows, the weights are learned on the other 25%.
const blend = new BlendingClassifier({ estimators: library(), blender: 'optimize', holdoutSize: 0.25, seed: 0 });
await blend.fit(XTrain, yTrain);
const blendWeights = Object.fromEntries(Object.keys(blend.namedEstimators).map((name, i) => [name, blend.weights[i]!]));
report("BlendingClassifier (blender 'optimize')", blend.namedEstimators, blendWeights, blend);

// Ensemble selection over prefit members: fit the library on one part of the training rows, then
// select on the other (fit() receives the validation rows when prefit is true).
const { XTrain: XFit, XTest: XValid, yTrain: yFit, yTest: yValid } = trainTestSplit(XTrain, yTrain, { testSize: 0.25, stratify: true, seed: 1 });
const fitted: [string, Estimator][] = [];
for (const [name, est] of library()) fitted.push([name, await est.fit(XFit, yFit)]);
const selection = new EnsembleSelection({ estimators: fitted, ensembleSize: 25, prefit: true });
await selection.fit(XValid, yValid);
report('EnsembleSelection (25 rounds)', Object.fromEntries(fitted), selection.namedWeights, selection as unknown as Classifier);
const trajectory = selection.trajectory;
console.log(`  validation log-loss after round 1: ${(-trajectory[0]!).toFixed(4)}, after round ${trajectory.length}: ${(-trajectory[trajectory.length - 1]!).toFixed(4)}`);

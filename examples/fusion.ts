/**
 * Model fusion: one model made from the parameters of several, instead of an ensemble that runs
 * them all. Data-parallel training is the use: each worker fits on its own shard of the rows, and
 * the fused model costs one model's prediction time.
 *
 * 1. `fuseLinear` averages linear models' coefficients and intercepts. A linear model's decision
 *    function is linear in its parameters, so the fused model's decision function is exactly the
 *    average of the members' (up to rounding): the script checks it row by row.
 * 2. `fuseWeights` averages neural networks' weights ("model soup"). It works for networks that
 *    share a lineage: here one parent network is trained on all training rows, then each copy is
 *    fine-tuned on its own shard with `warmStart`. A network is not linear in its weights, so the
 *    fused output is close to, but not equal to, the average of the outputs; what holds exactly is
 *    that each fused weight is the average of the members' weights.
 *
 * Data: the bundled breast-cancer set, standardised, 75% / 25% train / test, the training rows
 * split into 4 disjoint shards.
 */
import {
  KFold,
  LogisticRegression,
  MLPClassifier,
  Matrix,
  StandardScaler,
  accuracyScore,
  estimatorFromJSON,
  fuseLinear,
  fuseWeights,
  loadBreastCancer,
  trainTestSplit,
  type MatrixLike,
} from 'ensemblekit';

const nShards = 4;

/** The rows `index` of `m` (and of the labels `y`). */
function take(m: MatrixLike, y: Float64Array, index: Int32Array): { X: Matrix; y: Float64Array } {
  const out = Matrix.zeros(index.length, m.cols);
  index.forEach((r, i) => out.data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols));
  return { X: out, y: Float64Array.from(index, (r) => y[r]!) };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** Element-wise mean of equally long arrays. */
function mean(arrays: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(arrays[0]!.length);
  for (const a of arrays) for (let i = 0; i < out.length; i++) out[i] = out[i]! + a[i]! / arrays.length;
  return out;
}

const data = loadBreastCancer();
const split = trainTestSplit(data.X, data.y, { testSize: 0.25, stratify: true, seed: 0 });
const scaler = await new StandardScaler().fit(split.XTrain);
const XTrain = scaler.transform(split.XTrain);
const XTest = scaler.transform(split.XTest);
const yTrain = split.yTrain as Float64Array;
const yTest = split.yTest as Float64Array;
// The shards are KFold's test parts: disjoint, and together all training rows.
const shards = new KFold({ nSplits: nShards, shuffle: true, seed: 0 }).split(XTrain).map(([, rows]) => take(XTrain, yTrain, rows));
console.log(`Breast cancer, standardised: ${XTrain.rows} training rows in ${nShards} shards of ${shards.map((s) => s.X.rows).join(', ')}; ${XTest.rows} test rows`);

// 1. Linear models.
const linear = await Promise.all(shards.map((s) => new LogisticRegression({ C: 1 }).fit(s.X, s.y)));
const fusedLinear = fuseLinear(linear);
const averagedDecision = mean(linear.map((m) => m.decisionFunction(XTest).data));
const linearGap = maxAbsDiff(fusedLinear.decisionFunction(XTest).data, averagedDecision);
const whole = await new LogisticRegression({ C: 1 }).fit(XTrain, yTrain);
console.log('\nfuseLinear of 4 LogisticRegressions, each fitted on one shard');
linear.forEach((m, i) => console.log(`  shard ${i} model   test accuracy ${accuracyScore(yTest, m.predict(XTest)).toFixed(4)}`));
const fusedLinearAccuracy = accuracyScore(yTest, fusedLinear.predict(XTest));
console.log(`  fused model     test accuracy ${fusedLinearAccuracy.toFixed(4)}`);
console.log(`  one model on all training rows: test accuracy ${accuracyScore(yTest, whole.predict(XTest)).toFixed(4)}`);
console.log(`  max |fused decision - mean of the members' decisions| over the test rows: ${linearGap.toExponential(2)}`);

// 2. Neural networks from one parent.
const parent = await new MLPClassifier({ hiddenLayerSizes: [32], maxIter: 30, seed: 0, learningRateInit: 0.003 }).fit(XTrain, yTrain);
const children = await Promise.all(
  shards.map(async (s, i) => {
    const child = estimatorFromJSON(parent.toJSON()) as unknown as MLPClassifier; // a fitted copy of the parent
    child.setParams({ warmStart: true, maxIter: 20, seed: i + 1 });
    return child.fit(s.X, s.y);
  }),
);
const soup = fuseWeights(children);
const weightGap = Math.max(
  ...soup.coefs.map((W, l) => maxAbsDiff(W.data, mean(children.map((c) => c.coefs[l]!.data)))),
  ...soup.intercepts.map((b, l) => maxAbsDiff(b, mean(children.map((c) => c.intercepts[l]!)))),
);
const averagedProba = mean(children.map((c) => c.predictProba(XTest).data));
const outputGap = maxAbsDiff(soup.predictProba(XTest).data, averagedProba);
console.log('\nfuseWeights of 4 MLPClassifiers (32 hidden units), fine-tuned on one shard each from one parent');
console.log(`  parent          test accuracy ${accuracyScore(yTest, parent.predict(XTest)).toFixed(4)}`);
children.forEach((m, i) => console.log(`  shard ${i} network test accuracy ${accuracyScore(yTest, m.predict(XTest)).toFixed(4)}`));
const soupAccuracy = accuracyScore(yTest, soup.predict(XTest));
const classes = soup.classes as number[];
const averagedAccuracy = accuracyScore(yTest, Float64Array.from({ length: XTest.rows }, (_, i) => classes[averagedProba[2 * i + 1]! > averagedProba[2 * i]! ? 1 : 0]!));
console.log(`  fused network   test accuracy ${soupAccuracy.toFixed(4)}`);
console.log(`  mean of the 4 outputs test accuracy ${averagedAccuracy.toFixed(4)}`);
console.log(`  max |fused weight - mean of the members' weights|: ${weightGap.toExponential(2)}`);
console.log(`  max |fused probability - mean of the members' probabilities| (not 0: a network is not linear in its weights): ${outputGap.toExponential(2)}`);
console.log(`Fusion summary: ${JSON.stringify({ linearGap, fusedLinearAccuracy, weightGap, outputGap, soupAccuracy, averagedAccuracy })}`);

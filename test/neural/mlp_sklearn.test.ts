/**
 * MLPClassifier / MLPRegressor against scikit-learn 1.2 (test/fixtures/sklearn_mlp.py): held-out
 * scores averaged over 5 seeds with the tolerances, and the objective itself (loss and
 * gradient of scikit-learn's backprop at given weights).
 */
import { describe, expect, it } from 'vitest';
import { MLPClassifier, MLPRegressor, Matrix, StandardScaler, estimatorFromJSON, loadBreastCancer, loadDiabetes, loadDigits } from '../../lib/index.js';
import { native, type NativeMlpOptions } from '../../lib/native.js';
import { mean, sk, splitScaled, take, takeRows } from './fixtures.js';

const seeds = [0, 1, 2, 3, 4];

describe('held-out scores vs scikit-learn, mean over 5 seeds', () => {
  it('digits (scaled): adam, 100 relu units, 200 epochs: accuracy within 0.015', () => {
    const ref = sk.scores.digits;
    const d = splitScaled('digits', ref);
    const acc = seeds.map((seed) => new MLPClassifier({ seed }).fitSync(d.Xtr, d.ytr).score(d.Xte, d.yte));
    expect(Math.abs(mean(acc) - ref.mean), `ours ${acc} vs ${ref.scores}`).toBeLessThanOrEqual(0.015);
  });

  it('breast cancer (scaled): same options: accuracy within 0.015', () => {
    const ref = sk.scores.breast_cancer;
    const d = splitScaled('breast_cancer', ref);
    const acc = seeds.map((seed) => new MLPClassifier({ seed }).fitSync(d.Xtr, d.ytr).score(d.Xte, d.yte));
    expect(Math.abs(mean(acc) - ref.mean), `ours ${acc} vs ${ref.scores}`).toBeLessThanOrEqual(0.015);
  });

  it('diabetes (scaled X): MLPRegressor, learningRateInit 0.01: R² within 0.03', () => {
    const ref = sk.scores.diabetes;
    const d = splitScaled('diabetes', ref);
    const r2 = seeds.map((seed) => new MLPRegressor({ seed, learningRateInit: 0.01 }).fitSync(d.Xtr, d.ytr).score(d.Xte, d.yte));
    expect(Math.abs(mean(r2) - ref.mean), `ours ${r2} vs ${ref.scores}`).toBeLessThanOrEqual(0.03);
  });

  it('breast cancer, lbfgs with 20 units: accuracy within 0.03 (a noisier configuration)', () => {
    const ref = sk.scores.breast_cancer_lbfgs;
    const d = splitScaled('breast_cancer', ref);
    const acc = seeds.map((seed) => new MLPClassifier({ seed, solver: 'lbfgs', hiddenLayerSizes: [20] }).fitSync(d.Xtr, d.ytr).score(d.Xte, d.yte));
    expect(Math.abs(mean(acc) - ref.mean), `ours ${acc} vs ${ref.scores}`).toBeLessThanOrEqual(0.03);
  });

  it('breast cancer, sgd + early stopping, 50 tanh units: accuracy within 0.03, stops early', () => {
    const ref = sk.scores.breast_cancer_sgd_early;
    const d = splitScaled('breast_cancer', ref);
    const models = seeds.map((seed) =>
      new MLPClassifier({ seed, solver: 'sgd', learningRateInit: 0.01, earlyStopping: true, hiddenLayerSizes: [50], activation: 'tanh' }).fitSync(d.Xtr, d.ytr),
    );
    const acc = models.map((m) => m.score(d.Xte, d.yte));
    expect(Math.abs(mean(acc) - ref.mean), `ours ${acc} vs ${ref.scores}`).toBeLessThanOrEqual(0.03);
    for (const m of models) {
      expect(m.nIter).toBeLessThan(200);
      expect(m.validationScores.length).toBe(m.nIter);
      expect(m.bestValidationScore).toBe(Math.max(...m.validationScores));
      expect(m.bestLoss).toBeNull();
    }
  });
});

describe("the objective is scikit-learn's", () => {
  for (const [i, ref] of (sk.objective as any[]).entries()) {
    it(`${ref.kind} [${ref.sizes}] ${ref.activation}, alpha ${ref.alpha}: loss and gradient of _backprop`, () => {
      const X = Matrix.fromArray(ref.X);
      const classification = ref.kind !== 'regression';
      const k = ref.sizes[ref.sizes.length - 1];
      const options: NativeMlpOptions = {
        sizes: ref.sizes, activation: ref.activation, output: !classification ? 'identity' : k === 1 ? 'logistic' : 'softmax',
        solver: 'lbfgs', learningRate: 'constant', learningRateInit: 1e-3, powerT: 0.5, momentum: 0.9, nesterovsMomentum: true,
        beta1: 0.9, beta2: 0.999, epsilon: 1e-8, alpha: ref.alpha, batchSize: 0, maxIter: 1, shuffle: false, seed: 0, tol: 0,
        nIterNoChange: 10, earlyStopping: false, validationFraction: 0.1, maxFun: 1, dtype: 'float64',
        nClasses: classification ? (k === 1 ? 2 : k) : 0, nThreads: 1,
      };
      const y = classification ? Int32Array.from(ref.y) : Float64Array.from(ref.y);
      const r = native.nn.lossGradient(X.data, X.rows, X.cols, y, options, Float64Array.from(ref.params));
      expect(Math.abs(r.loss - ref.loss) / Math.abs(ref.loss), `case ${i} loss`).toBeLessThan(1e-12);
      let worst = 0;
      const scale = Math.max(...ref.grad.map((g: number) => Math.abs(g)));
      ref.grad.forEach((g: number, j: number) => (worst = Math.max(worst, Math.abs(r.grad[j]! - g) / scale)));
      expect(worst, `case ${i} grad`).toBeLessThan(1e-12);
    });
  }
});

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

describe("training trajectory equals scikit-learn's from the same initial weights (no shuffling)", () => {
  const loaders = { digits: loadDigits, breast_cancer: loadBreastCancer, diabetes: loadDiabetes } as Record<string, typeof loadDigits>;
  for (const ref of sk.trajectory as any[]) {
    const opts = Object.fromEntries(Object.entries(ref.options).map(([k, v]) => [camel(k), v]));
    it(`${ref.data}, ${JSON.stringify(opts)}: loss curve and final weights`, () => {
      const { X, y } = loaders[ref.data]!();
      const idx = Array.from({ length: ref.rows }, (_, i) => i);
      const Xs = takeRows(new StandardScaler().fitSync(X).transform(X), idx);
      const ys = take(y, idx);
      const Cls = ref.classifier ? MLPClassifier : MLPRegressor;
      // A model with the reference's initial weights: fit once for the shapes, then swap the weights in.
      const shell = new Cls({ hiddenLayerSizes: ref.hidden, maxIter: 1, ...opts }).fitSync(Xs, ys).toJSON() as any;
      shell.state = { ...shell.state, params: ref.init, lossCurve: [], nIter: 0, bestLoss: null, noImprovement: 0 }; // t stays: scikit-learn's shell ran one epoch too (invscaling reads it)
      const m = estimatorFromJSON(shell) as unknown as MLPClassifier;
      m.setParams({ warmStart: true, shuffle: false, maxIter: ref.epochs, nThreads: 2 });
      m.fitSync(Xs, ys);
      m.lossCurve.forEach((v, i) => expect(Math.abs(v - ref.lossCurve[i]) / ref.lossCurve[i], `epoch ${i + 1}`).toBeLessThan(1e-9));
      const ours = m.coefs.flatMap((c, l) => [...c.data, ...m.intercepts[l]!]);
      let worst = 0;
      ours.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - ref.final[j]))));
      expect(worst).toBeLessThan(1e-8);
    });
  }
});

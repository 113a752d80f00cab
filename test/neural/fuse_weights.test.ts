/** fuseWeights (model soup) and MLPs as ensemble members. */
import { describe, expect, it } from 'vitest';
import {
  BaggingClassifier,
  InvalidInputError,
  MLPClassifier,
  MLPRegressor,
  StackingClassifier,
  VotingClassifier,
  estimatorFromJSON,
  fuseWeights,
} from '../../lib/index.js';
import { blobs, sk, splitScaled, takeRows, take } from './fixtures.js';

function accuracy(pred: ArrayLike<number | string>, y: readonly number[]): number {
  let hits = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) hits++;
  return hits / y.length;
}

describe('fuseWeights', () => {
  it('two children fine-tuned from one parent on different halves, averaged, score at least as well as the worse child', () => {
    const d = splitScaled('digits', sk.scores.digits);
    const parent = new MLPClassifier({ hiddenLayerSizes: [64], maxIter: 15, seed: 5 }).fitSync(d.Xtr, d.ytr);
    const n = d.Xtr.rows;
    const half = [Array.from({ length: n }, (_, i) => i).filter((i) => i % 2 === 0), Array.from({ length: n }, (_, i) => i).filter((i) => i % 2 === 1)];
    const children = half.map((rows, i) => {
      const child = estimatorFromJSON(parent.toJSON()) as unknown as MLPClassifier;
      child.setParams({ warmStart: true, maxIter: 20, seed: 100 + i });
      return child.fitSync(takeRows(d.Xtr, rows), take(d.ytr, rows));
    });
    const soup = fuseWeights(children);
    expect(soup).toBeInstanceOf(MLPClassifier);
    const scores = children.map((c) => c.score(d.Xte, d.yte));
    const fused = soup.score(d.Xte, d.yte);
    expect(fused, `children ${scores}, soup ${fused}`).toBeGreaterThanOrEqual(Math.min(...scores));
    // The fused parameters are the average.
    const [a, b] = children.map((c) => c.coefs[0]!.data);
    soup.coefs[0]!.data.forEach((v, j) => expect(v).toBeCloseTo((a![j]! + b![j]!) / 2, 12));
    // Weighted: all weight on one child gives that child.
    const one = fuseWeights(children, [0, 1]);
    expect(Array.from(one.predictProba(d.Xte).data)).toEqual(Array.from(children[1]!.predictProba(d.Xte).data));
  });

  it('refuses mismatched networks with InvalidInputError', () => {
    const { X, y } = blobs(200, 4, 3, 1);
    const a = new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 5 }).fitSync(X, y);
    const b = new MLPClassifier({ hiddenLayerSizes: [9], maxIter: 5 }).fitSync(X, y);
    const c = new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 5, activation: 'tanh' }).fitSync(X, y);
    const d = new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 5 }).fitSync(X, y.map((v) => v + 1));
    const r = new MLPRegressor({ hiddenLayerSizes: [8], maxIter: 5 }).fitSync(X, y);
    expect(() => fuseWeights([a, b])).toThrow(InvalidInputError);
    expect(() => fuseWeights([a, c])).toThrow(InvalidInputError);
    expect(() => fuseWeights([a, d])).toThrow(InvalidInputError);
    expect(() => fuseWeights([a, r as never])).toThrow(InvalidInputError);
    expect(() => fuseWeights([a, new MLPClassifier()])).toThrow(InvalidInputError);
    expect(() => fuseWeights([a, a], [1])).toThrow(InvalidInputError);
    expect(() => fuseWeights([a, a], [0, 0])).toThrow(InvalidInputError);
    expect(() => fuseWeights([])).toThrow(InvalidInputError);
    // Unrelated networks (different seeds) may be averaged; it is documented as usually harmful.
    const e = new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 5, seed: 9 }).fitSync(X, y);
    expect(fuseWeights([a, e]).predict(X).length).toBe(200);
  });
});

describe('MLPs in ensembles', () => {
  const { X, y } = blobs(400, 5, 3, 3);
  const base = new MLPClassifier({ hiddenLayerSizes: [16], maxIter: 40, learningRateInit: 0.01 });

  it('a seed ensemble: VotingClassifier (soft) of clones with different seeds', async () => {
    const members: [string, MLPClassifier][] = [0, 1, 2].map((s) => [`seed${s}`, base.clone().setParams({ seed: s })]);
    const vote = await new VotingClassifier({ estimators: members, voting: 'soft' }).fit(X, y);
    expect(accuracy(vote.predict(X), y)).toBeGreaterThan(0.8);
  });

  it('bagging of MLPs (each member gets its own seed) and stacking with an MLP meta-learner', async () => {
    const bag = await new BaggingClassifier({ estimator: base, nEstimators: 3, seed: 1 }).fit(X, y);
    expect(accuracy(bag.predict(X), y)).toBeGreaterThan(0.8);
    const stack = await new StackingClassifier({
      estimators: [['a', base.clone().setParams({ seed: 1 })], ['b', base.clone().setParams({ seed: 2, activation: 'tanh' })]],
      finalEstimator: new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 50, learningRateInit: 0.01 }),
      cv: 3,
    }).fit(X, y);
    expect(accuracy(stack.predict(X), y)).toBeGreaterThan(0.8);
  });
});

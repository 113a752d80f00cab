/** MLPClassifier: the estimator contract, options, determinism, async fits, warm starts, JSON. */
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  InvalidInputError,
  InvalidParameterError,
  MLPClassifier,
  Matrix,
  NotFittedError,
  Pipeline,
  SimpleImputer,
  StandardScaler,
  estimatorFromJSON,
} from '../../lib/index.js';
import { availableIsas, threadCounts, withIsa } from '../helpers.js';
import { blobs } from './fixtures.js';

const { X, y } = blobs(600, 6, 3, 7);

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function flatParams(m: MLPClassifier): number[] {
  return m.coefs.flatMap((c, l) => [...c.data, ...m.intercepts[l]!]);
}

describe('MLPClassifier', () => {
  it('fits three classes: softmax output, probabilities sum to 1, shapes as scikit-learn', () => {
    const m = new MLPClassifier({ hiddenLayerSizes: [16, 8], maxIter: 60, seed: 3 }).fitSync(X, y);
    expect(m.classes).toEqual([0, 1, 2]);
    expect(m.outActivation).toBe('softmax');
    expect(m.nLayers).toBe(4);
    expect(m.nOutputs).toBe(3);
    expect(m.coefs.map((c) => [c.rows, c.cols])).toEqual([[6, 16], [16, 8], [8, 3]]);
    expect(m.intercepts.map((b) => b.length)).toEqual([16, 8, 3]);
    expect(m.lossCurve.length).toBe(m.nIter);
    expect(m.bestLoss).toBe(Math.min(...m.lossCurve));
    expect(m.lossCurve[m.lossCurve.length - 1]!).toBeLessThan(m.lossCurve[0]!);
    const p = m.predictProba(X);
    for (let i = 0; i < p.rows; i++) expect(p.row(i).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(m.score(X, y)).toBeGreaterThan(0.8);
  });

  it('two classes: one logistic unit; string labels map back', () => {
    const labels = y.map((c) => (c === 0 ? 'no' : 'yes'));
    const m = new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 40 }).fitSync(X, labels);
    expect(m.classes).toEqual(['no', 'yes']);
    expect(m.outActivation).toBe('logistic');
    expect(m.nOutputs).toBe(1);
    const p = m.predictProba(X);
    expect(p.cols).toBe(2);
    const pred = m.predict(X) as string[];
    pred.forEach((v, i) => expect(v).toBe(p.get(i, 1) > 0.5 ? 'yes' : 'no'));
  });

  it('NaN in X is an InvalidInputError (impute in a Pipeline instead)', () => {
    const bad = X.toArray();
    bad[5]![2] = NaN;
    expect(() => new MLPClassifier().fitSync(bad, y)).toThrow(InvalidInputError);
    const pipe = new Pipeline({ steps: [['impute', new SimpleImputer()], ['scale', new StandardScaler()], ['mlp', new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 20 })]] });
    pipe.fitSync(bad, y);
    expect(pipe.predict(bad).length).toBe(600);
  });

  it('validates options and refuses sampleWeight', () => {
    expect(() => new MLPClassifier({ solver: 'newton' as never }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new MLPClassifier({ hiddenLayerSizes: [0] }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new MLPClassifier({ learningRateInit: 0 }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new MLPClassifier({ validationFraction: 1 }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new MLPClassifier({ batchSize: 'big' as never }).fitSync(X, y)).toThrow(InvalidParameterError);
    expect(() => new MLPClassifier().fitSync(X, y, { sampleWeight: new Float64Array(600).fill(1) })).toThrow(InvalidInputError);
    expect(() => new MLPClassifier().predict(X)).toThrow(NotFittedError);
    expect(() => new MLPClassifier().coefs).toThrow(NotFittedError);
  });

  it('same seed, same bits for 1 and 2 threads, on every SIMD path, float64 and float32', () => {
    const X32 = { data: Float32Array.from(X.data), rows: X.rows, cols: X.cols };
    const byIsa: number[][] = [];
    for (const isa of availableIsas()) {
      withIsa(isa, () => {
        for (const [data, dtype] of [[X, 'float64'], [X32, 'float32']] as const) {
          const fits = threadCounts().map((nThreads) => new MLPClassifier({ hiddenLayerSizes: [32, 16], maxIter: 15, seed: 11, nThreads }).fitSync(data, y));
          const ref = flatParams(fits[0]!);
          for (const f of fits.slice(1)) expect(sameBits(flatParams(f), ref), `${isa} ${dtype}`).toBe(true);
          if (dtype === 'float64') byIsa.push(ref);
          const lbfgs = threadCounts().map((nThreads) => new MLPClassifier({ solver: 'lbfgs', hiddenLayerSizes: [8], maxIter: 20, seed: 2, nThreads }).fitSync(data, y));
          expect(sameBits(flatParams(lbfgs[1]!), flatParams(lbfgs[0]!)), `${isa} ${dtype} lbfgs`).toBe(true);
        }
      });
    }
    // SIMD paths differ in the last bits of each product, which 15 epochs do not amplify much.
    for (const other of byIsa.slice(1)) {
      let worst = 0;
      other.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - byIsa[0]![i]!))));
      expect(worst).toBeLessThan(1e-6);
    }
  });

  it('float32 compute gives nearly the float64 model', () => {
    const a = new MLPClassifier({ hiddenLayerSizes: [16], maxIter: 10, seed: 1 }).fitSync(X, y);
    const b = new MLPClassifier({ hiddenLayerSizes: [16], maxIter: 10, seed: 1, dtype: 'float32' }).fitSync(X, y);
    let worst = 0;
    const pa = flatParams(a), pb = flatParams(b);
    pa.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - pb[i]!))));
    expect(worst).toBeLessThan(1e-3);
  });

  it('async fit: progress per epoch with the loss, and AbortSignal', async () => {
    const epochs: [number, number][] = [];
    const fractions: number[] = [];
    const m = await new MLPClassifier({ hiddenLayerSizes: [16], maxIter: 12, tol: 0, nIterNoChange: 100 }).fit(X, y, {
      onEpoch: (e, loss) => epochs.push([e, loss]),
      onProgress: (f) => fractions.push(f),
    });
    // Progress events are coalesced when the event loop is busy: epochs arrive in order, the last always.
    expect(epochs.length).toBeGreaterThan(0);
    expect(epochs[epochs.length - 1]![0]).toBe(12);
    epochs.forEach(([e, loss], i) => {
      if (i > 0) expect(e).toBeGreaterThan(epochs[i - 1]![0]);
      expect(loss).toBeCloseTo(m.lossCurve[e - 1]!, 8);
    });
    expect(fractions[fractions.length - 1]).toBe(1);
    const sync = new MLPClassifier({ hiddenLayerSizes: [16], maxIter: 12, tol: 0, nIterNoChange: 100 }).fitSync(X, y);
    expect(sameBits(flatParams(sync), flatParams(m))).toBe(true);

    const controller = new AbortController();
    const big = blobs(20000, 20, 3, 1);
    const pending = new MLPClassifier({ hiddenLayerSizes: [256, 256], maxIter: 200 }).fit(big.X, big.y, {
      signal: controller.signal,
      onEpoch: () => controller.abort(),
    });
    await expect(pending).rejects.toBeInstanceOf(AbortError);
  });

  it('stopping rule: tol / nIterNoChange end the fit before maxIter', () => {
    const m = new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 500, tol: 1e-2, nIterNoChange: 3, learningRateInit: 0.01 }).fitSync(X, y);
    expect(m.nIter).toBeLessThan(500);
  });

  it('sgd: momentum, Nesterov and the learning-rate schedules all train', () => {
    for (const opts of [
      { learningRate: 'constant', nesterovsMomentum: true },
      { learningRate: 'constant', nesterovsMomentum: false, momentum: 0.5 },
      { learningRate: 'invscaling', learningRateInit: 0.5 },
      { learningRate: 'adaptive', tol: 1e-2, nIterNoChange: 2, maxIter: 300 },
    ] as const) {
      const m = new MLPClassifier({ solver: 'sgd', hiddenLayerSizes: [16], maxIter: 60, learningRateInit: 0.05, ...opts }).fitSync(X, y);
      expect(m.score(X, y), JSON.stringify(opts)).toBeGreaterThan(0.75);
    }
  });

  it('warmStart continues from the fitted weights; clone() does not copy them', () => {
    const m = new MLPClassifier({ hiddenLayerSizes: [16], maxIter: 5, tol: 0, nIterNoChange: 100, warmStart: true, seed: 4 }).fitSync(X, y);
    const first = m.lossCurve;
    m.fitSync(X, y);
    expect(m.nIter).toBe(10);
    expect(m.lossCurve.slice(0, 5)).toEqual(first);
    expect(m.lossCurve[5]!).toBeLessThan(first[0]!);
    const fresh = m.clone();
    expect(fresh.isFitted).toBe(false);
    expect(fresh.getParams().seed).toBe(4);
    expect(() => m.fitSync(X, y.map((c) => (c === 2 ? 1 : c)))).toThrow(InvalidInputError);
  });

  it('JSON round trip predicts the same; warm start from the revived model works', () => {
    const m = new MLPClassifier({ hiddenLayerSizes: [12], maxIter: 20 }).fitSync(X, y);
    const back = estimatorFromJSON(JSON.parse(JSON.stringify(m.toJSON()))) as unknown as MLPClassifier;
    expect(back).toBeInstanceOf(MLPClassifier);
    expect(sameBits(back.predictProba(X).data, m.predictProba(X).data)).toBe(true);
    expect(back.lossCurve).toEqual(m.lossCurve);
    back.setParams({ warmStart: true, maxIter: 3 });
    back.fitSync(X, y);
    expect(back.nIter).toBe(m.nIter + 3);
  });

  it('takes Float32Array matrices and number[][] alike', () => {
    const m = new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 10 }).fitSync(X.toArray(), y);
    const p = m.predictProba({ data: Float32Array.from(X.data), rows: X.rows, cols: X.cols });
    expect(p).toBeInstanceOf(Matrix);
    expect(() => m.predict([[1, 2, 3]])).toThrow(InvalidInputError);
  });
});

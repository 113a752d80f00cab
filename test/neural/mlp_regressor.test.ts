/** MLPRegressor: single and multi-output regression, score, JSON, errors. */
import { describe, expect, it } from 'vitest';
import { InvalidInputError, MLPRegressor, Matrix, estimatorFromJSON } from '../../lib/index.js';
import { rng } from '../helpers.js';

function problem(rows: number, seed: number) {
  const r = rng(seed);
  const X = Matrix.zeros(rows, 4);
  const Y = Matrix.zeros(rows, 2);
  for (let i = 0; i < rows; i++) {
    const x = [r() * 2 - 1, r() * 2 - 1, r() * 2 - 1, r() * 2 - 1];
    X.data.set(x, i * 4);
    Y.data[i * 2] = Math.sin(2 * x[0]!) + x[1]! * x[2]!;
    Y.data[i * 2 + 1] = x[3]! ** 2 - 0.5 * x[0]!;
  }
  return { X, Y };
}

describe('MLPRegressor', () => {
  const { X, Y } = problem(800, 5);
  const y0 = Y.column(0);

  it('fits one target: identity output, R² close to 1 on a smooth function', () => {
    const m = new MLPRegressor({ hiddenLayerSizes: [32], maxIter: 300, learningRateInit: 0.01, seed: 2 }).fitSync(X, y0);
    expect(m.outActivation).toBe('identity');
    expect(m.nOutputs).toBe(1);
    expect(m.multiOutput).toBe(false);
    expect(m.predict(X)).toBeInstanceOf(Float64Array);
    expect(m.score(X, y0)).toBeGreaterThan(0.9);
  });

  it('multi-output: one network, one output unit per target', () => {
    const m = new MLPRegressor({ hiddenLayerSizes: [32, 16], maxIter: 300, learningRateInit: 0.01, seed: 2 }).fitSync(X, Y);
    expect(m.nOutputs).toBe(2);
    expect(m.multiOutput).toBe(true);
    const P = m.predictMatrix(X);
    expect([P.rows, P.cols]).toEqual([800, 2]);
    expect(Array.from(m.predict(X))).toEqual(Array.from(P.column(0)));
    expect(m.score(X, Y)).toBeGreaterThan(0.85);
    // The loss is Σ_o (y - ŷ)² / 2 per row: at the fitted weights, recompute it from predictions.
    const lbfgs = new MLPRegressor({ solver: 'lbfgs', hiddenLayerSizes: [8], alpha: 0, maxIter: 30 }).fitSync(X, Y);
    const Q = lbfgs.predictMatrix(X);
    let loss = 0;
    for (let i = 0; i < Q.data.length; i++) loss += 0.5 * (Q.data[i]! - Y.data[i]!) ** 2;
    expect(lbfgs.loss).toBeCloseTo(loss / 800, 10);
    expect(lbfgs.lossCurve.length).toBe(lbfgs.nIter);
  });

  it('early stopping keeps the best validation R²', () => {
    const m = new MLPRegressor({ hiddenLayerSizes: [16], maxIter: 300, learningRateInit: 0.01, earlyStopping: true, validationFraction: 0.2 }).fitSync(X, y0);
    expect(m.validationScores.length).toBe(m.nIter);
    expect(m.bestValidationScore).toBe(Math.max(...m.validationScores));
    expect(m.bestValidationScore!).toBeGreaterThan(0.8);
  });

  it('JSON round trip; y of the wrong length or with NaN is refused', () => {
    const m = new MLPRegressor({ hiddenLayerSizes: [8], maxIter: 20 }).fitSync(X, Y);
    const back = estimatorFromJSON(JSON.parse(JSON.stringify(m.toJSON()))) as unknown as MLPRegressor;
    expect(Array.from(back.predictMatrix(X).data)).toEqual(Array.from(m.predictMatrix(X).data));
    expect(back.multiOutput).toBe(true);
    expect(() => new MLPRegressor().fitSync(X, y0.slice(1))).toThrow(InvalidInputError);
    const bad = y0.slice();
    bad[3] = NaN;
    expect(() => new MLPRegressor().fitSync(X, bad)).toThrow(InvalidInputError);
  });
});

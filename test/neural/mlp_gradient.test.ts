/**
 * Analytic gradients of the MLP objective against central finite differences on small networks
 * (every activation, every output layer, several hidden layers, the L2 term, several outputs).
 */
import { describe, expect, it } from 'vitest';
import { native, type NativeMlpOptions } from '../../lib/native.js';
import { rng } from '../helpers.js';

function options(sizes: number[], activation: NativeMlpOptions['activation'], output: NativeMlpOptions['output'], alpha: number, nClasses: number): NativeMlpOptions {
  return {
    sizes, activation, output, solver: 'lbfgs', learningRate: 'constant', learningRateInit: 1e-3, powerT: 0.5, momentum: 0.9,
    nesterovsMomentum: true, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, alpha, batchSize: 0, maxIter: 1, shuffle: false, seed: 0,
    tol: 0, nIterNoChange: 10, earlyStopping: false, validationFraction: 0.1, maxFun: 1, dtype: 'float64', nClasses, nThreads: 1,
  };
}

const cases: [string, number[], NativeMlpOptions['activation'], NativeMlpOptions['output'], number, number][] = [
  ['binary, logistic hidden', [5, 4, 1], 'logistic', 'logistic', 2, 0.1],
  ['softmax, tanh, two hidden layers', [4, 6, 5, 3], 'tanh', 'softmax', 3, 0.05],
  ['softmax, relu', [3, 7, 4], 'relu', 'softmax', 4, 0],
  ['regression, identity hidden', [4, 3, 1], 'identity', 'identity', 0, 0.5],
  ['regression, 3 outputs, relu, two hidden layers', [5, 6, 4, 3], 'relu', 'identity', 0, 0.01],
  ['regression, tanh, no hidden layer', [4, 2], 'tanh', 'identity', 0, 0.2],
];

describe('MLP gradient vs finite differences', () => {
  for (const [name, sizes, act, out, nClasses, alpha] of cases) {
    it(`${name}: |analytic - numeric| <= 1e-6 (relative to the largest component)`, () => {
      const r = rng(sizes.length * 31 + sizes[1]!);
      const rows = 23;
      const X = Float64Array.from({ length: rows * sizes[0]! }, () => r() * 4 - 2);
      const k = sizes[sizes.length - 1]!;
      const y = nClasses > 0 ? Int32Array.from({ length: rows }, (_, i) => i % nClasses) : Float64Array.from({ length: rows * k }, () => r() * 6 - 3);
      let n = 0;
      for (let l = 0; l + 1 < sizes.length; l++) n += sizes[l]! * sizes[l + 1]! + sizes[l + 1]!;
      const params = Float64Array.from({ length: n }, () => r() * 1.6 - 0.8);
      const o = options(sizes, act, out, alpha, nClasses);
      const { grad } = native.nn.lossGradient(X, rows, sizes[0]!, y, o, params);
      const h = 1e-6;
      let worst = 0;
      let scale = 0;
      for (let j = 0; j < n; j++) {
        const p = params.slice();
        p[j] = params[j]! + h;
        const up = native.nn.lossGradient(X, rows, sizes[0]!, y, o, p).loss;
        p[j] = params[j]! - h;
        const down = native.nn.lossGradient(X, rows, sizes[0]!, y, o, p).loss;
        const numeric = (up - down) / (2 * h);
        worst = Math.max(worst, Math.abs(numeric - grad[j]!));
        scale = Math.max(scale, Math.abs(grad[j]!));
      }
      expect(scale).toBeGreaterThan(1e-3);
      expect(worst / Math.max(1, scale)).toBeLessThan(1e-6);
    });
  }
});

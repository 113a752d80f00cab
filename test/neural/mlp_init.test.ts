/**
 * The initial weights are drawn as scikit-learn's `_init_coef`: for every layer, weights and biases
 * i.i.d. uniform in +-sqrt(f / (fan_in + fan_out)), f = 2 for logistic hidden units and 6 otherwise
 * (output layer included). Our generator differs from numpy's, so the draw is checked by its
 * distribution. The weights are read after one Adam step of size 1e-300, which leaves them unchanged.
 */
import { describe, expect, it } from 'vitest';
import { MLPClassifier } from '../../lib/index.js';
import type { Activation } from '../../lib/neural/index.js';
import { blobs } from './fixtures.js';

const { X, y } = blobs(300, 40, 5, 3);

function initialWeights(activation: Activation, seed: number): MLPClassifier {
  return new MLPClassifier({ hiddenLayerSizes: [96, 48], activation, maxIter: 1, learningRateInit: 1e-300, seed }).fitSync(X, y);
}

// Kolmogorov-Smirnov distance between the sample and uniform(-b, b).
function ksUniform(v: number[], b: number): number {
  const s = [...v].sort((p, q) => p - q);
  let d = 0;
  s.forEach((x, i) => {
    const cdf = (x + b) / (2 * b);
    d = Math.max(d, Math.abs(cdf - i / s.length), Math.abs(cdf - (i + 1) / s.length));
  });
  return d;
}

describe('initial weights', () => {
  for (const [activation, factor] of [['relu', 6], ['tanh', 6], ['logistic', 2]] as const) {
    it(`${activation}: weights and biases of every layer uniform in +-sqrt(${factor} / (fan_in + fan_out))`, () => {
      const m = initialWeights(activation, 3);
      m.coefs.forEach((c, l) => {
        const bound = Math.sqrt(factor / (c.rows + c.cols));
        for (const v of [Array.from(c.data), Array.from(m.intercepts[l]!)]) {
          // Critical KS distance at the 0.1% level is 1.95 / sqrt(n).
          expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(bound);
          expect(ksUniform(v, bound), `layer ${l}, ${v.length} values`).toBeLessThan(1.95 / Math.sqrt(v.length));
        }
      });
    });
  }

  it('depend on the seed, and on nothing else', () => {
    const a = initialWeights('relu', 1).coefs[0]!.data;
    const b = initialWeights('relu', 2).coefs[0]!.data;
    const c = initialWeights('relu', 1).coefs[0]!.data;
    expect(Array.from(a)).toEqual(Array.from(c));
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });
});

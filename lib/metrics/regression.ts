/** Regression metrics with scikit-learn's definitions: MSE, RMSE, MAE and R². */
import { InvalidInputError } from '../core/errors.js';
import { average, labelsOf, weightsOf, type LabelsLike } from './labels.js';
import type { SampleWeightOption } from './classification.js';

function targets(yTrue: LabelsLike, yPred: LabelsLike): [Float64Array, Float64Array] {
  const t = labelsOf(yTrue, 'yTrue');
  const p = labelsOf(yPred, 'yPred', t.values.length);
  if (t.kind !== 'number' || p.kind !== 'number') throw new InvalidInputError('Expected numeric yTrue and yPred for a regression metric');
  return [t.values, p.values];
}

/** Mean squared error, `mean((yTrue - yPred)²)` (weighted by sampleWeight). */
export function meanSquaredError(yTrue: LabelsLike, yPred: LabelsLike, opts: SampleWeightOption = {}): number {
  const [t, p] = targets(yTrue, yPred);
  const e = Float64Array.from(t, (v, i) => (v - p[i]!) ** 2);
  return average(e, weightsOf(opts.sampleWeight, t.length));
}

/** Root mean squared error, `sqrt(MSE)`. */
export function rootMeanSquaredError(yTrue: LabelsLike, yPred: LabelsLike, opts: SampleWeightOption = {}): number {
  return Math.sqrt(meanSquaredError(yTrue, yPred, opts));
}

/** Mean absolute error, `mean(|yTrue - yPred|)`. */
export function meanAbsoluteError(yTrue: LabelsLike, yPred: LabelsLike, opts: SampleWeightOption = {}): number {
  const [t, p] = targets(yTrue, yPred);
  const e = Float64Array.from(t, (v, i) => Math.abs(v - p[i]!));
  return average(e, weightsOf(opts.sampleWeight, t.length));
}

/**
 * Coefficient of determination `1 - SS_res / SS_tot`. A constant yTrue scores 1 when predicted
 * exactly and 0 otherwise (scikit-learn's `force_finite`).
 */
export function r2Score(yTrue: LabelsLike, yPred: LabelsLike, opts: SampleWeightOption = {}): number {
  const [t, p] = targets(yTrue, yPred);
  const w = weightsOf(opts.sampleWeight, t.length);
  const mean = average(t, w);
  let num = 0;
  let den = 0;
  for (let i = 0; i < t.length; i++) {
    const wi = w ? w[i]! : 1;
    num += wi * (t[i]! - p[i]!) ** 2;
    den += wi * (t[i]! - mean) ** 2;
  }
  if (den === 0) return num === 0 ? 1 : 0;
  return 1 - num / den;
}

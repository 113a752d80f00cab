/**
 * Sample and class weights, validated once in JS and handed to native code as one Float64Array
 * (class weights multiplied into the sample weights, as scikit-learn does).
 */
import { InvalidInputError, InvalidParameterError } from '../core/errors.js';

/** Validates `sampleWeight` (one finite, non-negative weight per row, not all zero); undefined stays undefined. */
export function toSampleWeight(sampleWeight: ArrayLike<number> | undefined | null, rows: number): Float64Array | undefined {
  if (sampleWeight === undefined || sampleWeight === null) return undefined;
  if (typeof sampleWeight !== 'object' || typeof (sampleWeight as { length?: unknown }).length !== 'number') {
    throw new InvalidInputError(`Expected sampleWeight to be an array of numbers but received ${typeof sampleWeight}`);
  }
  if (sampleWeight.length !== rows) {
    throw new InvalidInputError(`Expected ${rows} values in sampleWeight (one per row of X) but received ${sampleWeight.length}`);
  }
  const out = new Float64Array(rows);
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const v: unknown = sampleWeight[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new InvalidInputError(`Expected a finite non-negative number at sampleWeight[${i}] but received ${String(v)}`);
    }
    out[i] = v;
    total += v;
  }
  if (!(total > 0)) throw new InvalidInputError('Expected sampleWeight with a positive sum but all weights are 0');
  return out;
}

/** What `classWeight` accepts: none, scikit-learn's 'balanced', or a weight per class label. */
export type ClassWeight = 'balanced' | Record<string, number> | null | undefined;

/**
 * The weight of each class (in `classes` order): 1 without classWeight; for 'balanced'
 * `nSamples / (nClasses * count(class))` (scikit-learn's formula, counting rows, not sample
 * weights); for an object, the value under the class label (`String(label)` for numbers), 1 for a
 * class it does not name. Unlike scikit-learn, a key that is not a class is an error (a typo would
 * otherwise be ignored silently).
 */
export function classWeightFactors(classWeight: ClassWeight, classes: readonly (number | string)[], indices: Int32Array, owner: string): Float64Array | undefined {
  if (classWeight === undefined || classWeight === null) return undefined;
  const k = classes.length;
  const factors = new Float64Array(k).fill(1);
  if (classWeight === 'balanced') {
    const counts = new Float64Array(k);
    for (let i = 0; i < indices.length; i++) counts[indices[i]!]!++;
    for (let c = 0; c < k; c++) factors[c] = indices.length / (k * counts[c]!);
    return factors;
  }
  if (typeof classWeight !== 'object' || Array.isArray(classWeight)) {
    throw new InvalidParameterError(`Expected null, 'balanced' or an object of weights per class for ${owner} parameter 'classWeight' but received ${JSON.stringify(classWeight)}`, 'classWeight');
  }
  const names = classes.map((c) => String(c));
  for (const [key, value] of Object.entries(classWeight)) {
    const c = names.indexOf(key);
    if (c < 0) {
      throw new InvalidParameterError(`classWeight names class ${JSON.stringify(key)} but the classes in y are ${JSON.stringify(classes)}`, 'classWeight');
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new InvalidParameterError(`Expected a finite non-negative weight for class ${JSON.stringify(key)} in ${owner} parameter 'classWeight' but received ${String(value)}`, 'classWeight');
    }
    factors[c] = value;
  }
  return factors;
}

/** The per-row weights: sample weights times class weights; undefined when both are absent. */
export function combineWeights(sampleWeight: Float64Array | undefined, factors: Float64Array | undefined, indices: Int32Array): Float64Array | undefined {
  if (!factors) return sampleWeight;
  const out = sampleWeight ? sampleWeight.slice() : new Float64Array(indices.length).fill(1);
  for (let i = 0; i < out.length; i++) out[i]! *= factors[indices[i]!]!;
  let total = 0;
  for (let i = 0; i < out.length; i++) total += out[i]!;
  if (!(total > 0)) throw new InvalidInputError('The combined sample and class weights are all 0');
  return out;
}

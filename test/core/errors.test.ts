import { describe, expect, it } from 'vitest';
import {
  AbortError,
  EnsembleError,
  InvalidInputError,
  InvalidParameterError,
  ModelFormatError,
  NotFittedError,
  closestName,
  editDistance,
} from '../../lib/core/errors.js';

describe('error hierarchy', () => {
  it('every class is an EnsembleError with a stable code and its own name', () => {
    const cases: [EnsembleError, string, string][] = [
      [new InvalidInputError('x'), 'ERR_INVALID_INPUT', 'InvalidInputError'],
      [new InvalidParameterError('x', 'p'), 'ERR_INVALID_PARAMETER', 'InvalidParameterError'],
      [new NotFittedError('x'), 'ERR_NOT_FITTED', 'NotFittedError'],
      [new ModelFormatError('x'), 'ERR_MODEL_FORMAT', 'ModelFormatError'],
      [new AbortError(), 'ABORT_ERR', 'AbortError'],
    ];
    for (const [err, code, name] of cases) {
      expect(err).toBeInstanceOf(EnsembleError);
      expect(err).toBeInstanceOf(Error);
      expect(err.code).toBe(code);
      expect(err.name).toBe(name);
      expect(err.stack).toContain(name);
    }
  });

  it('keeps the cause', () => {
    const cause = new Error('inner');
    expect(new ModelFormatError('outer', { cause }).cause).toBe(cause);
  });
});

describe('did you mean', () => {
  it('computes optimal string alignment distance', () => {
    expect(editDistance('', '')).toBe(0);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('nEstimators', 'nEstimtaors')).toBe(1); // one transposition
    expect(editDistance('abc', 'abc')).toBe(0);
  });

  it('suggests a close known name and nothing for a far one', () => {
    const known = ['nEstimators', 'maxDepth', 'learningRate', 'numLeaves'];
    expect(closestName('nEstimator', known)).toBe('nEstimators');
    expect(closestName('maxdepth', known)).toBe('maxDepth');
    expect(closestName('learning_rate', known)).toBe('learningRate'); // snake_case of a known name
    expect(closestName('zzz', known)).toBeUndefined();
    const err = InvalidParameterError.unknown('numLeafs', known, 'GradientBoostingClassifier');
    expect(err.message).toBe("Unknown parameter 'numLeafs' for GradientBoostingClassifier. Did you mean 'numLeaves'?");
    expect(err.param).toBe('numLeafs');
  });
});

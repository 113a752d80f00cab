import { describe, expect, it } from 'vitest';
import { InvalidParameterError } from '../../lib/core/errors.js';
import { paramsMarkdown, resolveParams, type ParamTable } from '../../lib/core/params.js';

const table: ParamTable = [
  { name: 'nEstimators', type: 'int', default: 100, min: 1, doc: 'Number of trees.' },
  { name: 'learningRate', type: 'number', default: 0.1, gt: 0, doc: 'Shrinkage.' },
  { name: 'maxFeatures', type: 'number', default: 'sqrt', oneOf: ['sqrt', 'log2'], gt: 0, doc: 'Features per split.' },
  { name: 'bootstrap', type: 'boolean', default: true, doc: 'Sample rows with replacement.' },
  { name: 'criterion', type: 'string', default: 'gini', oneOf: ['gini', 'entropy'], doc: 'Split quality.' },
  { name: 'categorical', type: 'intArray', default: undefined, min: 0, nullable: true, doc: 'Columns.' },
];

describe('resolveParams', () => {
  it('fills defaults and keeps given values', () => {
    const p = resolveParams<Record<string, unknown>>(table, { nEstimators: 5, maxFeatures: 0.5 }, 'Forest');
    expect(p).toEqual({ nEstimators: 5, learningRate: 0.1, maxFeatures: 0.5, bootstrap: true, criterion: 'gini', categorical: undefined });
  });

  it('rejects unknown names with a hint', () => {
    expect(() => resolveParams(table, { nEstimator: 5 }, 'Forest')).toThrow(/Did you mean 'nEstimators'\?/);
    expect(() => resolveParams(table, { nEstimator: 5 }, 'Forest')).toThrow(InvalidParameterError);
  });

  it('checks types and ranges and names the parameter', () => {
    const bad: [object, RegExp][] = [
      [{ nEstimators: 0 }, /'nEstimators' but received 0/],
      [{ nEstimators: 2.5 }, /an integer/],
      [{ learningRate: 0 }, /> 0/],
      [{ learningRate: Number.NaN }, /a number/],
      [{ maxFeatures: 'auto' }, /one of "sqrt", "log2" or a number/],
      [{ bootstrap: 'yes' }, /a boolean/],
      [{ criterion: 'mse' }, /one of "gini", "entropy"/],
      [{ categorical: [0, -1] }, />= 0/],
    ];
    for (const [given, msg] of bad) {
      let caught: unknown;
      try {
        resolveParams(table, given, 'Forest');
      } catch (e) {
        caught = e;
      }
      expect(caught, JSON.stringify(given)).toBeInstanceOf(InvalidParameterError);
      expect((caught as Error).message).toMatch(msg);
      expect((caught as InvalidParameterError).param).toBe(Object.keys(given)[0]);
    }
  });

  it('renders a markdown table', () => {
    const md = paramsMarkdown(table);
    expect(md.split('\n')).toHaveLength(table.length + 2);
    expect(md).toContain('| `nEstimators` | int | 100 | Number of trees. |');
  });
});

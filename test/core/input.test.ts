import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../lib/core/errors.js';
import { encodeClasses, indexOfLabels, toLabels, toMatrix } from '../../lib/core/input.js';

function error(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return e as InvalidInputError;
  }
  throw new Error('expected a throw');
}

describe('toMatrix', () => {
  it('copies number[][] row-major and keeps NaN as missing', () => {
    const m = toMatrix([[1, 2, 3], [4, Number.NaN, 6]]);
    expect(m.rows).toBe(2);
    expect(m.cols).toBe(3);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, Number.NaN, 6]);
    expect(m.data).toBeInstanceOf(Float64Array);
  });

  it('passes typed matrices through without a copy', () => {
    const data = new Float32Array([1, 2, 3, 4]);
    const m = toMatrix({ data, rows: 2, cols: 2 });
    expect(m.data).toBe(data);
  });

  it('names the row and column of bad values', () => {
    expect(error(() => toMatrix([[1, 2], [3]])).message).toBe('Expected 2 values in row 1 of X (as in row 0) but received 1');
    expect(error(() => toMatrix([[1, 2], [3, '4' as unknown as number]])).message).toMatch(/row 1, column 1 of X but received the string "4"/);
    expect(error(() => toMatrix([[1, Infinity]])).message).toMatch(/Infinity at row 0, column 1/);
    expect(error(() => toMatrix([[1, Number.NaN]], { rejectNaN: true })).message).toMatch(/NaN at row 0, column 1/);
    expect(error(() => toMatrix([])).message).toMatch(/at least one row/);
    expect(error(() => toMatrix([[]])).message).toMatch(/at least one column/);
    expect(error(() => toMatrix([1, 2])).message).toMatch(/array of rows/);
    expect(error(() => toMatrix([[1], null as unknown as number[]])).message).toMatch(/row 1 of X to be an array but received null/);
    expect(error(() => toMatrix('x')).message).toMatch(/number\[\]\[\] or/);
    expect(error(() => toMatrix([[1, 2]], { cols: 3, name: 'Xval' })).message).toBe('Expected 3 columns in Xval (as at fit) but received 2');
  });

  it('checks typed shapes, including overflow of rows * cols', () => {
    expect(error(() => toMatrix({ data: new Float64Array(5), rows: 2, cols: 3 })).message).toMatch(/length rows \* cols = 6 but received 5/);
    expect(error(() => toMatrix({ data: new Float64Array(0), rows: 0, cols: 3 })).message).toMatch(/at least one row/);
    expect(error(() => toMatrix({ data: new Float64Array(4), rows: 2.5, cols: 2 })).message).toMatch(/non-negative integer for X.rows/);
    expect(error(() => toMatrix({ data: new Float64Array(4), rows: 2 ** 40, cols: 2 ** 20 })).message).toMatch(/overflows/);
    expect(error(() => toMatrix({ data: new Int32Array(4) as unknown as Float64Array, rows: 2, cols: 2 })).message).toMatch(/Float32Array or Float64Array/);
  });
});

describe('toLabels / encodeClasses', () => {
  it('accepts numbers, typed arrays and strings', () => {
    expect(toLabels([1, 0, 1], 3)).toEqual({ kind: 'number', values: new Float64Array([1, 0, 1]) });
    expect(toLabels(new Int32Array([2, 3]), 2)).toEqual({ kind: 'number', values: new Float64Array([2, 3]) });
    expect(toLabels(['a', 'b'], 2)).toEqual({ kind: 'string', values: ['a', 'b'] });
  });

  it('rejects length mismatch, NaN/Infinity and mixed types', () => {
    expect(error(() => toLabels([1, 2], 3)).message).toBe('Expected 3 labels in y (one per row of X) but received 2');
    expect(error(() => toLabels([1, Number.NaN], 2)).message).toMatch(/finite label at y\[1\] but received NaN/);
    expect(error(() => toLabels(new Float64Array([Infinity]), 1)).message).toMatch(/finite label at y\[0\]/);
    expect(error(() => toLabels(['a', 1], 2)).message).toMatch(/string label at y\[1\]/);
    expect(error(() => toLabels([1, 'a'], 2)).message).toMatch(/number label at y\[1\]/);
    expect(error(() => toLabels({}, 2)).message).toMatch(/array of labels/);
  });

  it('sorts classes and maps labels to indices', () => {
    const num = encodeClasses(toLabels([3, 1, 2, 3, 10], 5));
    expect(num.classes).toEqual([1, 2, 3, 10]);
    expect(Array.from(num.indices)).toEqual([2, 0, 1, 2, 3]);
    const str = encodeClasses(toLabels(['virginica', 'setosa', 'versicolor', 'setosa'], 4));
    expect(str.classes).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(Array.from(str.indices)).toEqual([2, 0, 1, 0]);
  });

  it('encodes labels outside the small-integer table as a hash map would (negative, fractional, large, -0)', () => {
    // The table path serves non-negative integers below 65536; every other label takes the map path
    // and must give the same sorted classes and indices as a reference encoding.
    const cases: number[][] = [
      [-1, 1, -1, 1],
      [0.5, 2, 0.5, 1e9],
      [70000, 3, 3, 70000],
      [0, 65535, 1, 0],
      [2, -0, 2, 0],
    ];
    for (const y of cases) {
      const enc = encodeClasses(toLabels(y, y.length));
      const reference = Array.from(new Set(y)).sort((a, b) => a - b);
      expect(enc.classes).toEqual(reference);
      expect(Array.from(enc.indices)).toEqual(y.map((v) => reference.indexOf(v)));
      expect(Array.from(indexOfLabels(new Float64Array(y), enc.classes))).toEqual(Array.from(enc.indices));
    }
  });

  it('indexOfLabels marks labels that are not classes with -1', () => {
    expect(Array.from(indexOfLabels(new Float64Array([0, 2, 1, 0.5, -1, 7]), [0, 1, 2]))).toEqual([0, 2, 1, -1, -1, -1]);
    expect(Array.from(indexOfLabels([3.5, 1e6, 2], [2, 3.5]))).toEqual([1, -1, 0]);
    expect(Array.from(indexOfLabels(['b', 'z', 'a'], ['a', 'b']))).toEqual([1, -1, 0]);
  });
});

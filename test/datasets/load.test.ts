// Loaders checked against facts of scikit-learn's copies of the same tables (shapes, class counts,
// known rows, column statistics as printed by `load_*(as_frame=True).frame.describe()`), and the
// CSV reader against hand-made files.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidInputError, InvalidParameterError } from '../../lib/core/errors.js';
import { packageRoot } from '../../lib/core/package_root.cjs';
import { loadBreastCancer, loadCsv, loadDiabetes, loadDigits, loadIris, loadWine } from '../../lib/datasets/index.js';

function counts(y: Float64Array): number[] {
  const out: number[] = [];
  for (const v of y) out[v] = (out[v] ?? 0) + 1;
  return out;
}

function columnMean(X: { rows: number; column(c: number): Float64Array }, c: number): number {
  return X.column(c).reduce((a, b) => a + b, 0) / X.rows;
}

describe('packageRoot', () => {
  it('is the folder holding package.json, binding.gyp and data/', () => {
    expect(packageRoot).toBe(join(import.meta.dirname, '..', '..'));
  });

  it('skips the package.json markers of dist/esm and dist/cjs, and explains a missing root', () => {
    const root = mkdtempSync(join(tmpdir(), 'ensemblekit-root-'));
    try {
      const source = readFileSync(join(packageRoot, 'lib', 'core', 'package_root.cjs'));
      for (const flavour of ['esm', 'cjs']) {
        mkdirSync(join(root, 'dist', flavour, 'lib', 'core'), { recursive: true });
        writeFileSync(join(root, 'dist', flavour, 'package.json'), '{ "type": "module" }');
        writeFileSync(join(root, 'dist', flavour, 'lib', 'core', 'package_root.cjs'), source);
      }
      writeFileSync(join(root, 'package.json'), '{}');
      const load = (flavour: string) => createRequire(import.meta.url)(join(root, 'dist', flavour, 'lib', 'core', 'package_root.cjs')) as { packageRoot: string };
      expect(() => load('esm')).toThrow(/no folder from .* upwards contains both package.json and binding.gyp/);
      writeFileSync(join(root, 'binding.gyp'), '{}');
      expect(load('esm').packageRoot).toBe(root);
      expect(load('cjs').packageRoot).toBe(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('loadIris', () => {
  const ds = loadIris();
  it('has scikit-learn shape, names and classes', () => {
    expect([ds.nSamples, ds.nFeatures, ds.X.rows, ds.X.cols, ds.y.length]).toEqual([150, 4, 150, 4, 150]);
    expect(ds.featureNames).toEqual(['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)']);
    expect(ds.targetNames).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(counts(ds.y)).toEqual([50, 50, 50]);
  });
  it('has the known rows, including scikit-learn corrections of samples 35 and 38', () => {
    expect(Array.from(ds.X.row(0))).toEqual([5.1, 3.5, 1.4, 0.2]);
    expect(Array.from(ds.X.row(34))).toEqual([4.9, 3.1, 1.5, 0.2]);
    expect(Array.from(ds.X.row(37))).toEqual([4.9, 3.6, 1.4, 0.1]);
    expect(Array.from(ds.X.row(149))).toEqual([5.9, 3.0, 5.1, 1.8]);
    expect(ds.y[0]).toBe(0);
    expect(ds.y[149]).toBe(2);
  });
  it('has the known column means', () => {
    const means = [5.843333, 3.057333, 3.758, 1.199333];
    means.forEach((m, c) => expect(columnMean(ds.X, c)).toBeCloseTo(m, 5));
  });
  it('describes itself', () => {
    expect(ds.description).toMatch(/150 samples/);
  });
});

describe('loadBreastCancer', () => {
  const ds = loadBreastCancer();
  it('has 569x30, 212 malignant (0) and 357 benign (1)', () => {
    expect([ds.nSamples, ds.nFeatures, ds.X.rows, ds.X.cols]).toEqual([569, 30, 569, 30]);
    expect(ds.targetNames).toEqual(['malignant', 'benign']);
    expect(counts(ds.y)).toEqual([212, 357]);
    expect(ds.featureNames[0]).toBe('mean radius');
    expect(ds.featureNames[29]).toBe('worst fractal dimension');
  });
  it('has the known first row and column means', () => {
    expect(Array.from(ds.X.row(0).subarray(0, 5))).toEqual([17.99, 10.38, 122.8, 1001, 0.1184]);
    expect(ds.y[0]).toBe(0);
    expect(columnMean(ds.X, 0)).toBeCloseTo(14.127292, 5);
    expect(columnMean(ds.X, 3)).toBeCloseTo(654.889104, 5);
  });
});

describe('loadWine', () => {
  const ds = loadWine();
  it('has 178x13 and classes of 59, 71, 48', () => {
    expect([ds.nSamples, ds.nFeatures]).toEqual([178, 13]);
    expect(ds.targetNames).toEqual(['class_0', 'class_1', 'class_2']);
    expect(counts(ds.y)).toEqual([59, 71, 48]);
    expect(ds.featureNames[0]).toBe('alcohol');
    expect(ds.featureNames[11]).toBe('od280/od315_of_diluted_wines');
    expect(ds.featureNames[12]).toBe('proline');
  });
  it('has the known first row and column means', () => {
    expect(Array.from(ds.X.row(0))).toEqual([14.23, 1.71, 2.43, 15.6, 127, 2.8, 3.06, 0.28, 2.29, 5.64, 1.04, 3.92, 1065]);
    expect(columnMean(ds.X, 0)).toBeCloseTo(13.000618, 5);
    expect(columnMean(ds.X, 12)).toBeCloseTo(746.893258, 5);
  });
});

describe('loadDigits', () => {
  const ds = loadDigits();
  it('has 1797x64 with integer pixels in 0..16 and the known class counts', () => {
    expect([ds.nSamples, ds.nFeatures]).toEqual([1797, 64]);
    expect(ds.targetNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(ds.X.data.every((v) => Number.isInteger(v) && v >= 0 && v <= 16)).toBe(true);
    expect(Math.max(...ds.X.data)).toBe(16);
    expect(counts(ds.y)).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    expect(ds.featureNames[0]).toBe('pixel_0_0');
    expect(ds.featureNames[63]).toBe('pixel_7_7');
  });
  it('has the known first image', () => {
    expect(Array.from(ds.X.row(0).subarray(0, 16))).toEqual([0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0]);
    expect(ds.y[0]).toBe(0);
  });
});

describe('loadDiabetes', () => {
  const ds = loadDiabetes();
  it('has 442x10, the known target statistics and no target names', () => {
    expect([ds.nSamples, ds.nFeatures]).toEqual([442, 10]);
    expect(ds.featureNames).toEqual(['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6']);
    expect(ds.targetNames).toEqual([]);
    expect(ds.y.reduce((a, b) => a + b, 0) / 442).toBeCloseTo(152.133484, 6);
    expect(Math.min(...ds.y)).toBe(25);
    expect(Math.max(...ds.y)).toBe(346);
  });
  it('has mean-centred feature columns with unit sum of squares (scikit-learn scaled=True)', () => {
    for (let c = 0; c < 10; c++) {
      const col = ds.X.column(c);
      expect(Math.abs(col.reduce((a, b) => a + b, 0))).toBeLessThan(1e-9);
      expect(col.reduce((a, b) => a + b * b, 0)).toBeCloseTo(1, 8);
    }
  });
  it('has the known first row', () => {
    const row0 = [0.03807591, 0.05068012, 0.06169621, 0.02187239, -0.0442235, -0.03482076, -0.04340085, -0.00259226, 0.01990749, -0.01764613];
    row0.forEach((v, c) => expect(ds.X.get(0, c)).toBeCloseTo(v, 8));
    expect(ds.y[0]).toBe(151);
  });
});

describe('caching', () => {
  it('returns fresh copies that callers may mutate', () => {
    const a = loadIris();
    a.X.data[0] = -1;
    a.y[0] = 7;
    a.featureNames[0] = 'changed';
    a.targetNames.push('extra');
    const b = loadIris();
    expect(b.X.data[0]).toBe(5.1);
    expect(b.y[0]).toBe(0);
    expect(b.featureNames[0]).toBe('sepal length (cm)');
    expect(b.targetNames).toHaveLength(3);
    expect(b.X.data).not.toBe(a.X.data);
  });
});

describe('loadCsv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ensemblekit-csv-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const file = (text: string): string => {
    const path = join(dir, `f${n++}.csv`);
    writeFileSync(path, text);
    return path;
  };
  const errorOf = (fn: () => unknown): Error => {
    try {
      fn();
    } catch (err) {
      return err as Error;
    }
    throw new Error('expected a throw');
  };

  it('reads a bundled file the same as its loader', () => {
    const a = loadCsv(join(packageRoot, 'data', 'wine.csv'));
    const b = loadWine();
    expect(a.X.data).toEqual(b.X.data);
    expect(a.y).toEqual(b.y);
    expect(a.featureNames).toEqual(b.featureNames);
    expect(a.targetNames).toEqual([]);
  });

  it('accepts a BOM, CRLF, spaces around fields, exponents, NaN features and trailing blank lines', () => {
    const ds = loadCsv(file('\uFEFFa, b ,t\r\n1, -2.5e1 ,0\r\n.5,NaN,1\r\n+3,4.,2\r\n\r\n\n'));
    expect(ds.featureNames).toEqual(['a', 'b']);
    expect([ds.nSamples, ds.nFeatures]).toEqual([3, 2]);
    expect(Array.from(ds.X.data)).toEqual([1, -25, 0.5, NaN, 3, 4]);
    expect(Array.from(ds.y)).toEqual([0, 1, 2]);
    expect(ds.targetNames).toEqual([]);
  });

  it('takes the target from the first column, an index or a header name', () => {
    const path = file('"x, 1","say ""hi""",t\n1,2,3\n4,5,6\n');
    expect(loadCsv(path).featureNames).toEqual(['x, 1', 'say "hi"']);
    const first = loadCsv(path, { targetColumn: 'first' });
    expect(Array.from(first.y)).toEqual([1, 4]);
    expect(first.featureNames).toEqual(['say "hi"', 't']);
    const byIndex = loadCsv(path, { targetColumn: 1 });
    expect(Array.from(byIndex.y)).toEqual([2, 5]);
    expect(Array.from(byIndex.X.data)).toEqual([1, 3, 4, 6]);
    expect(Array.from(loadCsv(path, { targetColumn: 'say "hi"' }).y)).toEqual([2, 5]);
  });

  it('reads files without a header and file URLs', () => {
    const path = file('1,2,0\n3,4,1\n');
    const ds = loadCsv(path, { header: false });
    expect(ds.featureNames).toEqual(['x0', 'x1']);
    expect(Array.from(ds.X.data)).toEqual([1, 2, 3, 4]);
    expect(Array.from(loadCsv(pathToFileURL(path), { header: false }).y)).toEqual([0, 1]);
  });

  it('names the line and column of a malformed line', () => {
    const ragged = errorOf(() => loadCsv(file('a,b,t\n1,2,3\n1,2\n')));
    expect(ragged).toBeInstanceOf(InvalidInputError);
    expect(ragged.message).toMatch(/:3: expected 3 fields but found 2/);
    const text = errorOf(() => loadCsv(file('a,b,t\n1,2,3\n4,abc,6\n')));
    expect(text).toBeInstanceOf(InvalidInputError);
    expect(text.message).toMatch(/:3: expected a number in column 2 \('b'\) but found 'abc'/);
    expect(errorOf(() => loadCsv(file('a,t\n,1\n'))).message).toMatch(/:2: .*empty field/);
    expect(errorOf(() => loadCsv(file('a,t\n0x10,1\n'))).message).toMatch(/'0x10'/);
    expect(errorOf(() => loadCsv(file('a,t\nInfinity,1\n'))).message).toMatch(/'Infinity'/);
    expect(errorOf(() => loadCsv(file('a,t\n1,NaN\n'))).message).toMatch(/finite number in column 2 \('t'\)/);
    expect(errorOf(() => loadCsv(file('a,t\n1,2\n\n3,4\n'))).message).toMatch(/:3: empty line/);
    expect(errorOf(() => loadCsv(file('a,t\n'))).message).toMatch(/no data rows/);
    expect(errorOf(() => loadCsv(file('a\n1\n'))).message).toMatch(/at least 2 columns/);
    expect(errorOf(() => loadCsv(file('"a,t\n1,2\n')))).toBeInstanceOf(InvalidInputError);
  });

  it('rejects bad options with InvalidParameterError', () => {
    const path = file('a,t\n1,2\n');
    const unknown = errorOf(() => loadCsv(path, { targetColumn: 'nope' }));
    expect(unknown).toBeInstanceOf(InvalidParameterError);
    expect((unknown as InvalidParameterError).param).toBe('targetColumn');
    expect(errorOf(() => loadCsv(path, { targetColumn: 2 }))).toBeInstanceOf(InvalidParameterError);
    expect(errorOf(() => loadCsv(path, { header: false, targetColumn: 'a' }))).toBeInstanceOf(InvalidParameterError);
    expect(errorOf(() => loadCsv(path, { headr: false } as never)).message).toMatch(/Did you mean 'header'/);
  });
});

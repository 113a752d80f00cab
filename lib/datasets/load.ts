/**
 * The bundled toy data sets (the same tables as scikit-learn's `load_*`, shipped as CSV in
 * `<package root>/data/`) and {@link loadCsv} for a user's own numeric CSV file.
 *
 * Each built-in file is parsed once per process; every call returns fresh copies, so callers may
 * mutate what they get.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError, InvalidParameterError } from '../core/errors.js';
import { Matrix } from '../core/matrix.js';
import { packageRoot } from '../core/package_root.cjs';

/** A loaded data set: what every loader returns (DESIGN.md, "Results out"). */
export interface LoadedDataset {
  /** Features, `nSamples x nFeatures`, row-major. */
  X: Matrix;
  /** Targets: class labels 0..k-1 for the classification sets, real values for regression. */
  y: Float64Array;
  /** One name per column of `X`, from the CSV header. */
  featureNames: string[];
  /** Class names, `targetNames[label]`, as scikit-learn's; `[]` for regression and for {@link loadCsv}. */
  targetNames: string[];
  /** Number of rows of `X`. */
  nSamples: number;
  /** Number of columns of `X`. */
  nFeatures: number;
  /** A short description: origin, size, meaning of the features and of the target. */
  description: string;
}

/** Options of {@link loadCsv}. */
export interface LoadCsvOptions {
  /**
   * The column that holds the target: `'last'` (default), `'first'`, a 0-based column index, or
   * a header name (needs `header: true`; the keywords `'last'` and `'first'` win over a column
   * of that name).
   */
  targetColumn?: 'last' | 'first' | number | string;
  /**
   * The first line names the columns (default `true`). Fields may be double-quoted there (`""`
   * escapes a quote). Without a header the features are named `x0`, `x1`, ...
   */
  header?: boolean;
}

/**
 * Reads a numeric CSV file: comma-separated, one sample a line, every data field a decimal number
 * (spaces around a field are ignored; a feature may be `NaN`, meaning missing; the target must be
 * finite). A UTF-8 BOM, `\r\n` line ends and trailing empty lines are accepted; anything else
 * (an empty field, a quoted or non-numeric value, a line with the wrong number of fields, a file
 * without data rows) throws an {@link InvalidInputError} naming the file, line and column.
 * The file is read on every call (no cache).
 * @param path the file, relative to the working directory or absolute.
 */
export function loadCsv(path: string | URL, options: LoadCsvOptions = {}): LoadedDataset {
  const known = ['targetColumn', 'header'];
  for (const key of Object.keys(options)) if (!known.includes(key)) throw InvalidParameterError.unknown(key, known, 'loadCsv');
  const header = options.header ?? true;
  if (typeof header !== 'boolean') {
    throw new InvalidParameterError(`Expected a boolean for header but received ${String(header)}`, 'header');
  }
  const text = readFileSync(path, 'utf8');
  const source = typeof path === 'string' ? path : path.href;
  return parseCsv(text, source, options.targetColumn ?? 'last', header, [], '');
}

/**
 * Iris plants: 150 samples, 4 features (cm), 3 classes of 50. targetNames: `['setosa',
 * 'versicolor', 'virginica']`.
 */
export function loadIris(): LoadedDataset {
  return loadBuiltin('iris');
}

/**
 * Breast Cancer Wisconsin (Diagnostic): 569 samples, 30 features, 2 classes. targetNames:
 * `['malignant', 'benign']` (212 malignant = 0, 357 benign = 1).
 */
export function loadBreastCancer(): LoadedDataset {
  return loadBuiltin('breast_cancer');
}

/** Wine recognition: 178 samples, 13 features, 3 classes (59, 71, 48). targetNames: `['class_0', 'class_1', 'class_2']`. */
export function loadWine(): LoadedDataset {
  return loadBuiltin('wine');
}

/** Handwritten digits: 1797 8x8 images, 64 features with values 0..16, 10 classes. targetNames: `'0'`..`'9'`. */
export function loadDigits(): LoadedDataset {
  return loadBuiltin('digits');
}

/**
 * Diabetes: 442 samples, 10 features (mean-centred, unit sum of squares per column, as
 * scikit-learn's default `scaled=True`), target in 25..346. A regression set, so targetNames is
 * `[]` (scikit-learn's Bunch has no target names for it).
 */
export function loadDiabetes(): LoadedDataset {
  return loadBuiltin('diabetes');
}

// ---------------------------------------------------------------------------------------------

interface Builtin {
  rows: number;
  cols: number;
  targetNames: string[];
  description: string;
}

const BUILTINS: Record<string, Builtin> = {
  iris: {
    rows: 150,
    cols: 4,
    targetNames: ['setosa', 'versicolor', 'virginica'],
    description:
      'Iris plants (R. A. Fisher, 1936; UCI Machine Learning Repository, with the two corrections ' +
      "scikit-learn applies). 150 samples, 4 features: sepal length, sepal width, petal length and petal width, in cm. " +
      'Target: the species, 3 classes of 50 (0 setosa, 1 versicolor, 2 virginica).',
  },
  breast_cancer: {
    rows: 569,
    cols: 30,
    targetNames: ['malignant', 'benign'],
    description:
      'Breast Cancer Wisconsin (Diagnostic) (W. N. Street, W. H. Wolberg, O. L. Mangasarian, 1993; UCI). ' +
      '569 samples, 30 features computed from digitized images of fine needle aspirates of breast masses: ' +
      'the mean, standard error and worst value of ten cell-nucleus measures (radius, texture, perimeter, area, ' +
      'smoothness, compactness, concavity, concave points, symmetry, fractal dimension). ' +
      'Target: 0 malignant (212), 1 benign (357).',
  },
  wine: {
    rows: 178,
    cols: 13,
    targetNames: ['class_0', 'class_1', 'class_2'],
    description:
      'Wine recognition (M. Forina et al., PARVUS; UCI). 178 samples, 13 results of a chemical analysis of ' +
      'wines grown in the same region of Italy from three cultivars. Target: the cultivar, 3 classes of 59, 71 and 48.',
  },
  digits: {
    rows: 1797,
    cols: 64,
    targetNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    description:
      'Optical recognition of handwritten digits (E. Alpaydin, C. Kaynak, 1998; UCI test set, as scikit-learn). ' +
      '1797 samples, 64 features: an 8x8 image in row-major order (pixel_<row>_<col>), each pixel the count ' +
      'of set pixels in a 4x4 block of the 32x32 bitmap, 0..16. Target: the digit, 10 classes of about 180.',
  },
  diabetes: {
    rows: 442,
    cols: 10,
    targetNames: [],
    description:
      'Diabetes (B. Efron, T. Hastie, I. Johnstone, R. Tibshirani, "Least Angle Regression", 2004). ' +
      '442 patients, 10 baseline variables: age, sex, body mass index, average blood pressure and six blood ' +
      'serum measurements s1..s6, each mean-centred and scaled to a unit sum of squares (scikit-learn ' +
      "scaled=True). Target: a quantitative measure of disease progression one year after baseline, 25..346.",
  },
};

const cache = new Map<string, LoadedDataset>();

function loadBuiltin(name: string): LoadedDataset {
  let ds = cache.get(name);
  if (ds === undefined) {
    const spec = BUILTINS[name]!;
    const file = join(packageRoot, 'data', `${name}.csv`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new InvalidInputError(`Cannot read the bundled data set '${name}' at ${file}: is the package installed with its data/ folder?`, { cause: err });
    }
    ds = parseCsv(text, file, 'last', true, spec.targetNames, spec.description);
    if (ds.nSamples !== spec.rows || ds.nFeatures !== spec.cols) {
      throw new InvalidInputError(
        `Expected ${spec.rows}x${spec.cols} for the bundled data set '${name}' but received ${ds.nSamples}x${ds.nFeatures} (${file} is damaged)`,
      );
    }
    cache.set(name, ds);
  }
  return copyOf(ds);
}

function copyOf(ds: LoadedDataset): LoadedDataset {
  return {
    ...ds,
    X: new Matrix(ds.X.data.slice(), ds.X.rows, ds.X.cols),
    y: ds.y.slice(),
    featureNames: [...ds.featureNames],
    targetNames: [...ds.targetNames],
  };
}

/** A decimal number as written in CSV files: no hex, no `Infinity`, no empty string. */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseCsv(
  text: string,
  source: string,
  targetColumn: 'last' | 'first' | number | string,
  header: boolean,
  targetNames: string[],
  description: string,
): LoadedDataset {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  const first = header ? 0 : -1;
  const names = header ? splitHeader(lines[0] ?? '', source) : (lines[0] ?? '').split(',').map((_, c) => `x${c}`);
  const nCols = names.length;
  const nRows = lines.length - (header ? 1 : 0);
  if (nRows < 1) throw new InvalidInputError(`${source}: no data rows`);
  if (nCols < 2) throw new InvalidInputError(`${source}: expected at least 2 columns (features and a target) but found ${nCols}`);
  const t = targetIndex(targetColumn, names, header);

  const X = new Float64Array(nRows * (nCols - 1));
  const y = new Float64Array(nRows);
  for (let r = 0; r < nRows; r++) {
    const lineNo = r + first + 2;
    const line = lines[r + first + 1]!;
    if (line.trim() === '') throw new InvalidInputError(`${source}:${lineNo}: empty line`);
    const fields = line.split(',');
    if (fields.length !== nCols) {
      throw new InvalidInputError(`${source}:${lineNo}: expected ${nCols} fields but found ${fields.length}`);
    }
    let k = r * (nCols - 1);
    for (let c = 0; c < nCols; c++) {
      const field = fields[c]!.trim();
      let value: number;
      if (NUMBER.test(field)) value = Number(field);
      else if (c !== t && (field === 'NaN' || field === 'nan')) value = NaN;
      else {
        const what = field === '' ? 'an empty field' : `'${field.length > 40 ? `${field.slice(0, 40)}...` : field}'`;
        throw new InvalidInputError(`${source}:${lineNo}: expected a ${c === t ? 'finite ' : ''}number in column ${c + 1} ('${names[c]}') but found ${what}`);
      }
      if (c === t) y[r] = value;
      else X[k++] = value;
    }
  }
  return {
    X: new Matrix(X, nRows, nCols - 1),
    y,
    featureNames: names.filter((_, c) => c !== t),
    targetNames: [...targetNames],
    nSamples: nRows,
    nFeatures: nCols - 1,
    description,
  };
}

function targetIndex(targetColumn: 'last' | 'first' | number | string, names: string[], header: boolean): number {
  const n = names.length;
  if (targetColumn === 'last') return n - 1;
  if (targetColumn === 'first') return 0;
  if (typeof targetColumn === 'number') {
    if (Number.isInteger(targetColumn) && targetColumn >= 0 && targetColumn < n) return targetColumn;
    throw new InvalidParameterError(`Expected 'last', 'first', a column index in [0, ${n - 1}] or a header name for targetColumn but received ${targetColumn}`, 'targetColumn');
  }
  const i = header ? names.indexOf(targetColumn) : -1;
  if (i < 0) {
    const why = header ? `; the header has ${names.map((s) => `'${s}'`).join(', ')}` : ' (names need header: true)';
    throw new InvalidParameterError(`Expected 'last', 'first', a column index or a header name for targetColumn but received '${targetColumn}'${why}`, 'targetColumn');
  }
  return i;
}

/** Splits a header line; fields may be double-quoted with `""` for a quote inside. */
function splitHeader(line: string, source: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw new InvalidInputError(`${source}:1: unterminated quoted field in the header`);
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && line[i] !== ',') throw new InvalidInputError(`${source}:1: expected ',' after a quoted header field`);
    } else {
      const end = line.indexOf(',', i);
      field = (end < 0 ? line.slice(i) : line.slice(i, end)).trim();
      i = end < 0 ? line.length : end;
    }
    out.push(field);
    if (i >= line.length) return out;
    i++; // the comma
  }
}

/**
 * {@link readCSV}: the native streaming CSV reader (native/core/io/csv.h). Reads numeric tables with
 * categorical string columns, RFC 4180 quoting and missing values, in chunks (the file is never held
 * whole in memory), at hundreds of MB/s.
 */
import { InvalidInputError, InvalidParameterError } from '../core/errors.js';
import { Matrix } from '../core/matrix.js';
import { native } from '../native.js';

/** Category lists per column name: code `i` of a column stands for `mapping[name][i]`. */
export type CategoryMapping = Record<string, string[]>;

/** Options of {@link readCSV}. */
export interface ReadCSVOptions {
  /**
   * Whether the first line names the columns. `'auto'` (default): it does when every field in it is
   * non-empty, not a number and not a missing-value string. Without a header the columns are named
   * `x0`, `x1`, ... (counting every column, the target included).
   */
  header?: boolean | 'auto';
  /** The field separator, one byte (default `','`). */
  delimiter?: string;
  /** The column split off into `y`: a header name or a 0-based index. Default: none (every column in `X`). */
  target?: string | number;
  /**
   * Strings read as missing (`NaN`), compared with the field after trimming spaces.
   * Default `['', 'NA', 'NaN', 'nan', 'null']` (`nan` is how numpy and pandas write NaN).
   */
  naValues?: string[];
  /** Columns (names or indices) read as categorical even when their values look numeric. */
  categorical?: (string | number)[];
  /**
   * A mapping returned by an earlier read (`result.categories`), for example the training file's when
   * reading the file to predict on. Its columns keep the given codes; every other column must then be
   * numeric (a string there is an error rather than a silently new encoding).
   */
  categories?: CategoryMapping;
  /**
   * What a value of a column in `categories` that the mapping does not list becomes: `'nan'` (default:
   * treated as missing, as the trees route unseen categories with missing values) or `'error'`
   * (an InvalidInputError naming the line and column).
   */
  unknownCategory?: 'nan' | 'error';
  /** Bytes read per chunk (default 1 MiB). */
  chunkSize?: number;
}

/** What {@link readCSV} returns. */
export interface CSVData {
  /** The feature columns, rows x features, row-major; categorical columns hold their codes 0, 1, ... */
  X: Matrix;
  /**
   * The target column when `target` was given: its values, or, when it holds strings, the strings
   * themselves (so a classifier sees the original labels). `undefined` without `target`.
   */
  y: Float64Array | string[] | undefined;
  /** One name per column of `X`. */
  featureNames: string[];
  /** The target's name (`''` without `target`). */
  targetName: string;
  /**
   * The categories of every categorical column (features and a string target), by column name, codes in
   * order of first appearance. Pass it back as `categories` to encode another file the same way.
   */
  categories: CategoryMapping;
  /** Whether the first line was read as a header. */
  header: boolean;
  /** Bytes read from the source. */
  bytesRead: number;
}

const known = ['header', 'delimiter', 'target', 'naValues', 'categorical', 'categories', 'unknownCategory', 'chunkSize'];

/**
 * Reads a CSV file (a path) or CSV bytes (a Buffer / Uint8Array) into a matrix.
 *
 * Each field is a decimal number, a missing-value string (`NaN`), or a string, which makes its column
 * categorical (strings are encoded as integer codes in order of first appearance; numbers in such a
 * column are keyed by their shortest text, so `1.0` and `1` are one category). Quoted fields follow
 * RFC 4180: `""` is a quote, and delimiters and line ends may appear inside quotes. `\r\n` line ends,
 * a UTF-8 BOM and blank lines are accepted. Malformed input (a line with the wrong number of fields,
 * an unterminated quote, an unknown category with `unknownCategory: 'error'`) throws an
 * InvalidInputError naming the line (1-based, counting physical lines) and column.
 *
 * @example
 * const train = readCSV('train.csv', { target: 'label' });
 * const test = readCSV('test.csv', { target: 'label', categories: train.categories });
 */
export function readCSV(pathOrBuffer: string | Uint8Array, options: ReadCSVOptions = {}): CSVData {
  for (const key of Object.keys(options)) if (!known.includes(key)) throw InvalidParameterError.unknown(key, known, 'readCSV');
  const { header = 'auto', delimiter = ',', target, naValues, categorical, categories, unknownCategory = 'nan', chunkSize } = options;
  if (header !== 'auto' && typeof header !== 'boolean') {
    throw new InvalidParameterError(`Expected true, false or 'auto' for header but received ${String(header)}`, 'header');
  }
  if (typeof delimiter !== 'string' || Buffer.byteLength(delimiter) !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new InvalidParameterError(`Expected a one-byte delimiter other than a quote or a line end but received ${JSON.stringify(delimiter)}`, 'delimiter');
  }
  if (target !== undefined && !isColumn(target)) {
    throw new InvalidParameterError(`Expected a column name or a non-negative integer index for target but received ${String(target)}`, 'target');
  }
  if (naValues !== undefined && (!Array.isArray(naValues) || !naValues.every((s) => typeof s === 'string'))) {
    throw new InvalidParameterError('Expected an array of strings for naValues', 'naValues');
  }
  if (categorical !== undefined && (!Array.isArray(categorical) || !categorical.every(isColumn))) {
    throw new InvalidParameterError('Expected an array of column names or indices for categorical', 'categorical');
  }
  let fixed: [string, string[]][] | undefined;
  if (categories !== undefined) {
    if (categories === null || typeof categories !== 'object' || Array.isArray(categories)) {
      throw new InvalidParameterError('Expected an object { column: categories[] } for categories', 'categories');
    }
    fixed = Object.entries(categories).map(([name, list]) => {
      if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) {
        throw new InvalidParameterError(`Expected an array of strings for categories['${name}']`, 'categories');
      }
      return [name, list];
    });
  }
  if (unknownCategory !== 'nan' && unknownCategory !== 'error') {
    throw new InvalidParameterError(`Expected 'nan' or 'error' for unknownCategory but received ${String(unknownCategory)}`, 'unknownCategory');
  }
  if (chunkSize !== undefined && (!Number.isInteger(chunkSize) || chunkSize < 1)) {
    throw new InvalidParameterError(`Expected a positive integer for chunkSize but received ${String(chunkSize)}`, 'chunkSize');
  }
  const isPath = typeof pathOrBuffer === 'string';
  if (!isPath && !(pathOrBuffer instanceof Uint8Array)) {
    throw new InvalidParameterError('Expected a file path or a Buffer / Uint8Array for readCSV', 'pathOrBuffer');
  }
  const source = isPath || pathOrBuffer.constructor === Uint8Array ? pathOrBuffer : new Uint8Array(pathOrBuffer.buffer, pathOrBuffer.byteOffset, pathOrBuffer.byteLength);
  let t;
  try {
    t = native.readCsv(source, isPath, {
      delimiter,
      header: header === 'auto' ? -1 : header ? 1 : 0,
      naValues,
      chunkSize,
      categorical,
      fixed,
      unknownIsError: unknownCategory === 'error',
      target,
    });
  } catch (e) {
    // Name the file in data errors ("train.csv: line 7, column 3 ...").
    if (isPath && e instanceof InvalidInputError && !e.message.startsWith(`${pathOrBuffer}:`)) throw new InvalidInputError(`${pathOrBuffer}: ${e.message}`, { cause: e });
    throw e;
  }
  const mapping: CategoryMapping = {};
  t.categories.forEach((list, c) => {
    if (list !== null) mapping[t.names[c]!] = list;
  });
  let y: Float64Array | string[] | undefined;
  if (t.target !== undefined) {
    const tc = t.targetCategories;
    if (tc === null || tc === undefined) {
      y = t.target;
    } else {
      mapping[t.targetName!] = tc;
      y = Array.from(t.target, (code, i) => {
        if (Number.isNaN(code)) throw new InvalidInputError(`The target '${t.targetName}' is missing (or not a known label) in data row ${i + 1}`);
        return tc[code]!;
      });
    }
  }
  return {
    X: new Matrix(t.data, t.rows, t.cols),
    y,
    featureNames: t.names,
    targetName: t.targetName ?? '',
    categories: mapping,
    header: t.hadHeader,
    bytesRead: t.bytesRead,
  };
}

function isColumn(v: unknown): v is string | number {
  return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v) && v >= 0);
}

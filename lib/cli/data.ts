/**
 * How the CLI gets a table: a CSV file through the native reader ({@link readCSV}) or a bundled data
 * set (`--dataset iris`), plus the helpers that line a new file up with a model's training columns.
 */
import { InvalidInputError, InvalidParameterError } from '../core/errors.js';
import { Matrix } from '../core/matrix.js';
import { loadBreastCancer, loadDiabetes, loadDigits, loadIris, loadWine, type LoadedDataset } from '../datasets/load.js';
import { readCSV, type CategoryMapping } from '../io/csv.js';
import type { Task } from './models.js';

export interface Table {
  X: Matrix;
  /** undefined when the data has no target column. */
  y: Float64Array | string[] | undefined;
  featureNames: string[];
  targetName: string;
  categories: CategoryMapping;
  /** The task the bundled data set is for (undefined for a file). */
  task?: Task;
  /** Whether column names came from a header (or a bundled set): columns can be matched by name. */
  named: boolean;
}

/** The bundled data sets, by `--dataset` name. */
export const datasets: Record<string, () => LoadedDataset> = {
  iris: loadIris,
  wine: loadWine,
  breast_cancer: loadBreastCancer,
  digits: loadDigits,
  diabetes: loadDiabetes,
};

export function loadDataset(name: string): Table {
  const load = datasets[name.replace(/-/g, '_')];
  if (load === undefined) throw new InvalidParameterError(`Unknown --dataset '${name}'; expected one of ${Object.keys(datasets).join(', ')}`, 'dataset');
  const ds = load();
  return {
    X: ds.X,
    y: ds.y,
    featureNames: ds.featureNames,
    targetName: 'target',
    categories: {},
    task: ds.targetNames.length > 0 ? 'classification' : 'regression',
    named: true,
  };
}

/**
 * Reads a CSV file. `target`: a column name, or a 0-based index written as digits when no column has
 * that name; `optionalTarget` reads the file without a target when it has no such column (files to
 * predict on). `categories`: the training mapping (predict time).
 */
export function loadCsvTable(path: string, target: string | undefined, opts: { categories?: CategoryMapping; optionalTarget?: boolean } = {}): Table {
  const read = (t: string | number | undefined, categories = opts.categories) => readCSV(path, { target: t, categories });
  let data;
  try {
    data = read(target);
  } catch (e) {
    if (!(e instanceof InvalidParameterError) || target === undefined || !/^target: no column named/.test(e.message)) throw e;
    if (/^\d+$/.test(target)) data = read(Number(target));
    else if (opts.optionalTarget) {
      // A file without the target column: its mapping (string labels) does not apply either.
      const rest = opts.categories === undefined ? undefined : Object.fromEntries(Object.entries(opts.categories).filter(([k]) => k !== target));
      data = read(undefined, rest);
    } else throw e;
  }
  return { X: data.X, y: data.y, featureNames: data.featureNames, targetName: data.targetName, categories: data.categories, named: data.header };
}

/**
 * The task of a target: strings are classes; numbers are classes when they are all integers with
 * at most 50 distinct values (and fewer than half the rows), else a regression target.
 */
export function detectTask(y: Float64Array | string[]): Task {
  if (!(y instanceof Float64Array)) return 'classification';
  const seen = new Set<number>();
  for (const v of y) {
    if (!Number.isInteger(v)) return 'regression';
    seen.add(v);
    if (seen.size > 50) return 'regression';
  }
  return seen.size <= Math.max(2, y.length / 2) ? 'classification' : 'regression';
}

/**
 * X with its columns in the order of `featureNames` (the model's). A file with a header is matched by
 * name; without one (or when no name matches), by position, and the column count must match.
 */
export function alignColumns(t: Table, featureNames: readonly string[], source: string): Matrix {
  const want = featureNames.length;
  // Names that match nothing (an imported model's Column_0 ... against a file's own header) mean the
  // columns are taken by position.
  const byPosition = t.named && !featureNames.some((n) => t.featureNames.includes(n));
  if (want === 0 || !t.named || byPosition) {
    if (want !== 0 && t.X.cols !== want) throw new InvalidInputError(`${source}: the model expects ${want} feature columns but the data has ${t.X.cols}`);
    return t.X;
  }
  const index = new Map(t.featureNames.map((n, i) => [n, i]));
  const order = featureNames.map((n) => {
    const i = index.get(n);
    if (i === undefined) throw new InvalidInputError(`${source}: no column '${n}' (the model was trained on ${featureNames.map((s) => `'${s}'`).join(', ')})`);
    return i;
  });
  if (order.every((c, i) => c === i) && t.X.cols === want) return t.X;
  const { data, rows, cols } = t.X;
  const out = new Float64Array(rows * want);
  for (let r = 0; r < rows; r++) for (let j = 0; j < want; j++) out[r * want + j] = data[r * cols + order[j]!]!;
  return new Matrix(out, rows, want);
}

/** Rows `idx` of X. */
export function takeRows(X: Matrix, idx: ArrayLike<number>): Matrix {
  const out = new Float64Array(idx.length * X.cols);
  for (let i = 0; i < idx.length; i++) out.set(X.data.subarray(idx[i]! * X.cols, (idx[i]! + 1) * X.cols), i * X.cols);
  return new Matrix(out, idx.length, X.cols);
}

/** Entries `idx` of labels. */
export function takeLabels(y: Float64Array | string[], idx: ArrayLike<number>): Float64Array | string[] {
  return y instanceof Float64Array ? Float64Array.from(idx, (i) => y[i]!) : Array.from(idx, (i) => y[i]!);
}

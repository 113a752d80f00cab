/**
 * A binned data set built once in native memory and reused across fits: per-feature quantile bins
 * (at most `maxBin` value bins plus one missing bin; uint8 bin ids), the layout the histogram tree
 * learner trains on.
 */
import { native, runJob, type JobOptions, type NativeDataset } from '../native.js';
import { InvalidParameterError } from './errors.js';
import { toMatrix, type MatrixInput } from './input.js';
import { resolveParams, type ParamTable } from './params.js';

/** Binning options, with LightGBM's meanings. */
export interface DatasetOptions {
  /** Largest number of value bins per feature (2..255); a missing bin comes on top. Default 255. */
  maxBin?: number;
  /** Smallest number of rows a quantile bin holds (LightGBM `min_data_in_bin`). Default 3. */
  minDataInBin?: number;
  /** Bin boundaries are computed on a seeded sample of this many rows when X has more. Default 200000. */
  sampleRows?: number;
  /** Seed of that sample. Default 0. */
  seed?: number;
  /** Column indices holding categories (non-negative integers); each frequent category gets a bin. */
  categoricalFeatures?: number[];
  /** Threads for binning; <= 0 or undefined means all cores. */
  nThreads?: number;
}

export const datasetParams: ParamTable = [
  { name: 'maxBin', type: 'int', default: 255, min: 2, max: 255, doc: 'Largest number of value bins per feature; a missing bin comes on top.' },
  { name: 'minDataInBin', type: 'int', default: 3, min: 1, doc: 'Smallest number of rows a quantile bin holds.' },
  { name: 'sampleRows', type: 'int', default: 200000, min: 1, doc: 'Rows sampled (seeded) to find bin boundaries when X has more.' },
  { name: 'seed', type: 'int', default: 0, min: 0, max: 2 ** 32 - 1, doc: 'Seed of the boundary sample.' },
  { name: 'categoricalFeatures', type: 'intArray', default: undefined, min: 0, nullable: true, doc: 'Column indices holding categories.' },
  { name: 'nThreads', type: 'int', default: 0, min: -1024, max: 1024, doc: 'Threads; <= 0 means all cores.' },
];

function nativeOptions(options: DatasetOptions, cols: number) {
  const p = resolveParams<Required<DatasetOptions>>(datasetParams, options, 'Dataset');
  const categorical = p.categoricalFeatures ? Array.from(p.categoricalFeatures) : [];
  for (const c of categorical) {
    if (c >= cols) throw new InvalidParameterError(`categoricalFeatures names column ${c} but X has ${cols} columns`, 'categoricalFeatures');
  }
  return { maxBin: p.maxBin, minDataInBin: p.minDataInBin, sampleRows: p.sampleRows, seed: p.seed, categorical, nThreads: p.nThreads };
}

export class Dataset {
  readonly #handle: NativeDataset;

  private constructor(handle: NativeDataset) {
    this.#handle = handle;
  }

  /** Bins X off the event loop. Cancellable with `signal`; reports progress. */
  static async build(X: MatrixInput, options: DatasetOptions & JobOptions = {}): Promise<Dataset> {
    const { signal, onProgress, ...rest } = options;
    const m = toMatrix(X, { allowInfinity: true, copy: true });
    const opts = nativeOptions(rest, m.cols);
    const handle = await runJob((job, progress) => native.buildDataset(m.data, m.rows, m.cols, opts, job, progress), { signal, onProgress });
    return new Dataset(handle);
  }

  /** Bins X on the calling thread. */
  static buildSync(X: MatrixInput, options: DatasetOptions = {}): Dataset {
    const m = toMatrix(X, { allowInfinity: true });
    return new Dataset(native.buildDatasetSync(m.data, m.rows, m.cols, nativeOptions(options, m.cols)));
  }

  /** @internal The native handle, for trainers that accept a Dataset (lib/tree). */
  static handleOf(dataset: Dataset): NativeDataset {
    return dataset.#handle;
  }

  get rows(): number {
    return this.#handle.numRows;
  }

  get cols(): number {
    return this.#handle.numFeatures;
  }

  /** Bytes of native memory held (also reported to V8 as external memory). */
  get memoryBytes(): number {
    return this.#handle.memoryBytes;
  }

  get disposed(): boolean {
    return this.#handle.disposed;
  }

  /** Value bins of a feature (the missing bin not counted). */
  numBins(feature: number): number {
    return this.#handle.numBins(feature);
  }

  /** Bin id of NaN for a feature (= numBins). */
  missingBin(feature: number): number {
    return this.#handle.missingBin(feature);
  }

  /** True when the feature holds a single distinct value (it can never split). */
  isTrivial(feature: number): boolean {
    return this.#handle.isTrivial(feature);
  }

  /** Upper bounds of the value bins: x falls in bin b iff bounds[b-1] < x <= bounds[b]. */
  binUpperBounds(feature: number): Float64Array {
    return this.#handle.binUpperBounds(feature);
  }

  /** For a categorical feature, the category held by each bin. */
  binCategories(feature: number): Float64Array {
    return this.#handle.binCategories(feature);
  }

  /** A copy of the bin ids, row-major rows x cols. */
  bins(): Uint8Array {
    return this.#handle.bins();
  }

  /** Bins another matrix (e.g. a validation set) with this data set's boundaries. */
  transform(X: MatrixInput): Uint8Array {
    const m = toMatrix(X, { allowInfinity: true, cols: this.cols });
    return this.#handle.binMatrix(m.data, m.rows, m.cols);
  }

  /** Frees the native memory now instead of at garbage collection. Further use throws. */
  dispose(): void {
    this.#handle.dispose();
  }

  /** @internal the native handle, for trainers. */
  get handle(): NativeDataset {
    return this.#handle;
  }
}

/**
 * The one door to the native addon: loads it (prebuild or local build, through node-gyp-build),
 * explains a failed load, hands the error classes over, and types its surface. Nothing else in lib/
 * requires the addon.
 */
import nodeGypBuild from 'node-gyp-build';
import { packageRoot } from './core/package_root.cjs';
import {
  AbortError,
  EnsembleError,
  InvalidInputError,
  InvalidParameterError,
  ModelFormatError,
} from './core/errors.js';

/** A cancellation token shared with a native job; `cancel()` makes the job stop and reject. */
export interface NativeJob {
  cancel(): void;
  readonly cancelled: boolean;
}

export type ProgressCallback = (fraction: number, label: string) => void;

type FloatArray = Float32Array | Float64Array;

export interface NativeBuildInfo {
  isa: 'scalar' | 'avx2' | 'avx512';
  detectedIsa: 'scalar' | 'avx2' | 'avx512';
  openmp: boolean;
  openmpVersion?: number;
  defaultThreads: number;
  hardwareThreads: number;
  /** Threads leased right now by running async jobs (they share one budget of defaultThreads). */
  threadsLeased: number;
  compiler: string;
  napiVersion: number;
  buildType: 'release' | 'debug';
}

/** Options of the native binning step (see lib/core/dataset.ts for the documented public form). */
export interface NativeBinOptions {
  maxBin?: number;
  minDataInBin?: number;
  sampleRows?: number;
  seed?: number;
  categorical?: number[];
  nThreads?: number;
}

export interface NativeDataset {
  readonly numRows: number;
  readonly numFeatures: number;
  readonly memoryBytes: number;
  readonly disposed: boolean;
  numBins(feature: number): number;
  missingBin(feature: number): number;
  isTrivial(feature: number): boolean;
  isCategorical(feature: number): boolean;
  binUpperBounds(feature: number): Float64Array;
  binCategories(feature: number): Float64Array;
  bins(): Uint8Array;
  binMatrix(data: FloatArray, rows: number, cols: number): Uint8Array;
  dispose(): void;
}

interface NativeLinalg {
  gemm(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: FloatArray, lda: number, b: FloatArray, ldb: number, beta: number, c: FloatArray, ldc: number, nThreads: number,
  ): void;
  gemmAsync(
    transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
    a: FloatArray, lda: number, b: FloatArray, ldb: number, beta: number, c: FloatArray, ldc: number, nThreads: number,
    job: NativeJob | undefined, onProgress: ProgressCallback | undefined,
  ): Promise<void>;
  gemv(
    transA: boolean, m: number, n: number, alpha: number, a: FloatArray, lda: number,
    x: FloatArray, beta: number, y: FloatArray, nThreads: number,
  ): void;
  dot(x: FloatArray, y: FloatArray): number;
  axpy(alpha: number, x: FloatArray, y: FloatArray): void;
}

/** Options of the native logistic regression fit (see lib/linear/logistic_regression.ts). */
export interface NativeLogisticOptions {
  C: number;
  /** false: no penalty. */
  penalty: boolean;
  fitIntercept: boolean;
  maxIter: number;
  tol: number;
  ftol: number;
  history?: number;
  nThreads: number;
}

export interface NativeLogisticResult {
  /** rows x nFeatures, row-major; rows = 1 for two classes, else nClasses. */
  coef: Float64Array;
  intercept: Float64Array;
  rows: number;
  nIter: number;
  nEvals: number;
  /** sum_i s_i loss_i + ||W||^2 / (2C) at the solution. */
  objective: number;
  gradMax: number;
  converged: boolean;
  status: string;
}

export interface NativeRidgeOptions {
  alpha: number;
  fitIntercept: boolean;
  nThreads: number;
}

export interface NativeRidgeResult {
  /** nTargets x nFeatures, row-major. */
  coef: Float64Array;
  intercept: Float64Array;
  solver: 'cholesky' | 'eigen';
  rank: number;
}

interface NativeLinear {
  logisticFit(
    data: FloatArray, rows: number, cols: number, y: Int32Array, nClasses: number, sampleWeight: Float64Array | undefined,
    options: NativeLogisticOptions, job: NativeJob | undefined, onProgress: ProgressCallback | undefined,
  ): Promise<NativeLogisticResult>;
  logisticFitSync(
    data: FloatArray, rows: number, cols: number, y: Int32Array, nClasses: number, sampleWeight: Float64Array | undefined,
    options: NativeLogisticOptions,
  ): NativeLogisticResult;
  logisticLossGradient(
    data: FloatArray, rows: number, cols: number, y: Int32Array, nClasses: number, sampleWeight: Float64Array | undefined,
    options: NativeLogisticOptions, params: Float64Array,
  ): { loss: number; grad: Float64Array };
  ridgeFit(
    data: FloatArray, rows: number, cols: number, y: Float64Array, nTargets: number, sampleWeight: Float64Array | undefined,
    options: NativeRidgeOptions, job: NativeJob | undefined, onProgress: ProgressCallback | undefined,
  ): Promise<NativeRidgeResult>;
  ridgeFitSync(
    data: FloatArray, rows: number, cols: number, y: Float64Array, nTargets: number, sampleWeight: Float64Array | undefined,
    options: NativeRidgeOptions,
  ): NativeRidgeResult;
  /** X coefᵀ + intercept, rows x nOutputs. */
  decision(data: FloatArray, rows: number, cols: number, coef: Float64Array, nOutputs: number, intercept: Float64Array, nThreads: number): Float64Array;
  /** Class probabilities rows x nClasses (logistic for one coefficient row, softmax otherwise). */
  logisticProba(
    data: FloatArray, rows: number, cols: number, coef: Float64Array, nOutputs: number, intercept: Float64Array, nClasses: number, nThreads: number,
  ): Float64Array;
  /** Element-wise exp or log on the active SIMD path (the loss kernels' vector math; for tests). */
  vmath(name: 'exp' | 'log', x: Float64Array): Float64Array;
}

export interface NativeAddon {
  init(classes: Record<string, unknown>): void;
  buildInfo(): NativeBuildInfo;
  setIsa(isa: string): 'scalar' | 'avx2' | 'avx512';
  Job: new () => NativeJob;
  linalg: NativeLinalg;
  linear: NativeLinear;
  buildDatasetSync(data: FloatArray, rows: number, cols: number, options: NativeBinOptions): NativeDataset;
  buildDataset(
    data: FloatArray, rows: number, cols: number, options: NativeBinOptions,
    job: NativeJob | undefined, onProgress: ProgressCallback | undefined,
  ): Promise<NativeDataset>;
}

/** Where the addon was loaded from (a prebuild or a local build); useful in bug reports. */
export let addonPath = '';

function load(): NativeAddon {
  let addon: NativeAddon;
  try {
    addonPath = nodeGypBuild.resolve(packageRoot);
    addon = nodeGypBuild(packageRoot) as NativeAddon;
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    const help = [
      `ensemblekit: could not load the native addon for ${process.platform}-${process.arch} (Node ${process.versions.node}, N-API ${process.versions.napi}).`,
      `Cause: ${detail}`,
      'Possible fixes:',
      '- Reinstall so the prebuilt binary or a source build is put in place: npm rebuild ensemblekit',
      '- Build from source (needs a C++17 compiler, Python 3 and make): npm rebuild ensemblekit --build-from-source',
      /libgomp/.test(detail) ? '- Install the OpenMP runtime: apt-get install libgomp1 (Debian/Ubuntu), or build with ENSEMBLEKIT_OPENMP=0' : '',
    ].filter(Boolean);
    throw new EnsembleError(help.join('\n'), 'ERR_NATIVE_LOAD', { cause });
  }
  addon.init({ EnsembleError, InvalidInputError, InvalidParameterError, ModelFormatError, AbortError });
  return addon;
}

/** The loaded addon. */
export const native: NativeAddon = load();

/** Options every long native call accepts. */
export interface JobOptions {
  /** Stops the work; the Promise then rejects with `AbortError`. */
  signal?: AbortSignal;
  /** Called on the main thread with the fraction done (0..1) and a short label. */
  onProgress?: ProgressCallback;
}

/**
 * Runs an async native job with the caller's AbortSignal and progress callback wired in, and
 * re-attaches the caller's stack to a rejection (a native rejection has no JS frames of its own).
 */
export async function runJob<T>(start: (job: NativeJob, onProgress: ProgressCallback | undefined) => Promise<T>, options: JobOptions = {}): Promise<T> {
  const { signal, onProgress } = options;
  const callSite = new Error();
  if (signal?.aborted) throw new AbortError();
  const job = new native.Job();
  const onAbort = (): void => job.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await start(job, onProgress);
  } catch (err) {
    if (err instanceof Error && callSite.stack) {
      const frames = callSite.stack.split('\n').slice(1).join('\n');
      err.stack = `${err.name}: ${err.message}\n${frames}`;
    }
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

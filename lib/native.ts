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

/** The node arrays of a GBDT model's trees, concatenated in tree order (see native/addon/gbdt.cc). */
export interface NativeGbdtTrees {
  nodeCounts: Int32Array;
  left: Int32Array;
  right: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  thresholdBin: Int32Array;
  defaultLeft: Uint8Array;
  /** 0 numerical, 1 categorical. */
  splitType: Uint8Array;
  /** Index into categorySets for categorical nodes, -1 otherwise. */
  categorySet: Int32Array;
  /**
   * Imported nodes' reading rules (native/core/tree/tree.h): numerical 0 = NaN to the default side,
   * 1 = NaN and zero (LightGBM missing type Zero); categorical 0 = exact ids, 1 = LightGBM's
   * truncation, 2 = XGBoost's float32 truncation. Always exported; optional on input (all 0).
   */
  missingRule?: Uint8Array;
  categoryRule?: Uint8Array;
  value: Float64Array;
  gain: Float64Array;
  sumHess: Float64Array;
  count: Float64Array;
  /** categories: bit c set = category c goes left; bins: the training bins as (low, high) 32-bit word pairs. */
  categorySets: { categories: Uint32Array; bins: Uint32Array }[];
}

export type NativeTransform = 'identity' | 'sigmoid' | 'softmax' | 'exp';

export interface NativeGbdtInfo {
  numFeatures: number;
  numOutputs: number;
  numRounds: number;
  numTrees: number;
  bestIteration: number;
  stoppedEarly: boolean;
  baseScore: Float64Array;
  transform: NativeTransform;
  numLeaves: number;
  maxDepth: number;
}

export interface NativeGbdtModel {
  info(): NativeGbdtInfo;
  /** rows x numOutputs margins (raw) or transformed outputs, using trees [0, treeEnd) (treeEnd < 0: all). */
  predict(data: FloatArray, rows: number, cols: number, nThreads: number, treeEnd: number, raw: boolean): Float64Array;
  importance(type: 'split' | 'gain'): Float64Array;
  history(): { set: string; metric: string; values: Float64Array }[];
  exportTrees(): NativeGbdtTrees;
  /** The versioned binary form (native/core/io/model_io.h). */
  toBuffer(): Uint8Array;
  /** One row (numFeatures values): a number for a one-output model without `out`, else fills and returns `out`. */
  predictOne(row: FloatArray, out: Float64Array | undefined, treeEnd: number, raw: boolean): number | Float64Array;
  predictAsync(
    data: FloatArray, rows: number, cols: number, nThreads: number, treeEnd: number, raw: boolean,
    job: NativeJob | undefined, onProgress: ProgressCallback | undefined,
  ): Promise<Float64Array>;
  /**
   * TreeSHAP contributions (native/core/predict/tree_shap.h) of trees [treeBegin, treeEnd) (treeEnd < 0: all):
   * rows x numOutputs x (cols + 1), per row and output the features' contributions then the bias.
   */
  predictContrib(data: FloatArray, rows: number, cols: number, nThreads: number, treeBegin: number, treeEnd: number): Float64Array;
  /** rows x trees in [treeBegin, treeEnd): each tree's leaf id in its own node numbering (native/core/predict/leaf_index.h). */
  predictLeaf(data: FloatArray, rows: number, cols: number, nThreads: number, treeBegin: number, treeEnd: number): Int32Array;
  /** rows x numOutputs over trees [treeBegin, treeEnd) on top of the base score (margins when raw). */
  predictRange(data: FloatArray, rows: number, cols: number, nThreads: number, treeBegin: number, treeEnd: number, raw: boolean): Float64Array;
}

/** Resolved options of a native GBDT fit (lib/tree/gradient-boosting.ts documents them). */
export interface NativeGbdtOptions {
  nEstimators: number;
  learningRate: number;
  growPolicy: 'leafwise' | 'depthwise';
  numLeaves: number;
  maxDepth: number;
  lambda: number;
  alpha: number;
  minChildWeight: number;
  minChildSamples: number;
  minSplitGain: number;
  maxDeltaStep: number;
  subsample: number;
  colsampleBytree: number;
  colsampleBynode: number;
  quantizedGradients: boolean;
  /** MiB; <= 0: the default. */
  histogramPoolSize: number;
  seed: number;
  nThreads: number;
  earlyStoppingRounds: number;
  /** A built-in objective name, or 'custom' (with callbacks.objective). */
  objective: string;
  numClass: number;
  huberDelta: number;
  quantileAlpha: number;
  boostFromAverage: boolean;
  /** The raw start margin of every output; undefined: boostFromAverage decides. */
  baseMargin?: number;
  customNumOutputs?: number;
  customTransform?: NativeTransform;
  metrics: string[];
  customMetricName?: string;
  customMetricHigherBetter?: boolean;
  verbose: number;
  maxBins: number;
  categoricalFeatures: number[];
  monotoneConstraints: number[];
  interactionConstraints: number[][];
  maxCatToOnehot: number;
  maxCatThreshold: number;
  catSmooth: number;
  catL2: number;
  minDataPerGroup: number;
}

export interface NativeMatrixArg {
  data: FloatArray;
  rows: number;
  cols: number;
}

export interface NativeEvalSet {
  name: string;
  X: NativeMatrixArg;
  y: Float64Array;
  sampleWeight?: Float64Array;
}

export interface NativeGbdtCallbacks {
  /** scores: rows x outputs raw margins; returns gradients and hessians of the same shape. */
  objective?: (scores: Float64Array) => { grad: Float64Array; hess: Float64Array };
  /** The custom metric on eval set `setIndex` at its raw margins. */
  metric?: (setIndex: number, scores: Float64Array) => number;
}

interface NativeGbdt {
  fit(
    X: NativeMatrixArg | NativeDataset, y: Float64Array, sampleWeight: Float64Array | undefined, options: NativeGbdtOptions,
    evalSets: NativeEvalSet[], callbacks: NativeGbdtCallbacks | undefined, job: NativeJob | undefined, onProgress: ProgressCallback | undefined,
  ): Promise<NativeGbdtModel>;
  fitSync(
    X: NativeMatrixArg | NativeDataset, y: Float64Array, sampleWeight: Float64Array | undefined, options: NativeGbdtOptions,
    evalSets: NativeEvalSet[], callbacks: NativeGbdtCallbacks | undefined,
  ): NativeGbdtModel;
  modelFromTrees(model: NativeGbdtTrees & { numFeatures: number; numOutputs: number; baseScore: Float64Array; transform: NativeTransform; bestIteration: number }): NativeGbdtModel;
  /** A model from toBuffer() bytes; ModelFormatError on anything malformed. */
  modelFromBuffer(bytes: Uint8Array): NativeGbdtModel;
}

/** Options of the native forest fit (see lib/tree/forest.ts for the documented public form). */
export interface NativeForestOptions {
  criterion: 'gini' | 'entropy' | 'squared_error' | 'absolute_error';
  /** Classes (classification; labels are 0..numClasses-1) or 0 (regression). */
  numClasses: number;
  nEstimators: number;
  /** -1: unlimited. */
  maxDepth: number;
  minSamplesSplit: number;
  minSamplesLeaf: number;
  /** <= 0: unlimited (depth-first growth); otherwise best-first. */
  maxLeafNodes: number;
  /** Candidate features per node, 1..cols. */
  maxFeatures: number;
  minImpurityDecrease: number;
  extraTrees: boolean;
  bootstrap: boolean;
  /** Rows drawn per bootstrap sample; <= 0: all rows. */
  numBootstrap: number;
  oob: boolean;
  seed: number;
  nThreads: number;
  maxBins: number;
}

/** The node arrays of a forest's trees, concatenated in tree order (see native/addon/forest.cc). */
export interface NativeForestTrees {
  nodeCounts: Int32Array;
  left: Int32Array;
  right: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  thresholdBin: Int32Array;
  defaultLeft: Uint8Array;
  value: Float64Array;
  /** Unnormalised impurity decrease of each split (importance term). */
  gain: Float64Array;
  /** Weighted training rows that reached the node. */
  weight: Float64Array;
  /** Distinct training rows that reached the node. */
  count: Float64Array;
  /** Classification: numClasses class frequencies per node (nodes x classes); empty for regression. */
  distribution: Float64Array;
}

export interface NativeForestInfo {
  numFeatures: number;
  numClasses: number;
  numOutputs: number;
  numTrees: number;
  numLeaves: number;
  numNodes: number;
  maxDepth: number;
  hasOob: boolean;
}

export interface NativeForestModel {
  info(): NativeForestInfo;
  /** rows x numOutputs: the mean (regression), P(class 1) (two classes) or class probabilities. */
  predict(data: FloatArray, rows: number, cols: number, nThreads: number): Float64Array;
  importance(): Float64Array;
  /** rows x (classes or 1) out-of-bag predictions (NaN: never out of bag), or undefined. */
  oob(): Float64Array | undefined;
  exportTrees(): NativeForestTrees;
  /** One row (numFeatures values), outputs as predict(): a number for a one-output model without `out`, else fills and returns `out`. */
  predictOne(row: FloatArray, out: Float64Array | undefined, treeEnd: number, raw: boolean): number | Float64Array;
  /** predict() as a job on the libuv pool. */
  predictAsync(
    data: FloatArray, rows: number, cols: number, nThreads: number, treeEnd: number, raw: boolean,
    job: NativeJob | undefined, onProgress: ProgressCallback | undefined,
  ): Promise<Float64Array>;
  /**
   * TreeSHAP contributions (native/core/predict/tree_shap.h) of trees [treeBegin, treeEnd) (treeEnd < 0: all):
   * rows x numOutputs x (cols + 1), per row and output the features' contributions then the bias.
   */
  predictContrib(data: FloatArray, rows: number, cols: number, nThreads: number, treeBegin: number, treeEnd: number): Float64Array;
  /** rows x trees in [treeBegin, treeEnd): each tree's leaf id in its own node numbering (native/core/predict/leaf_index.h). */
  predictLeaf(data: FloatArray, rows: number, cols: number, nThreads: number, treeBegin: number, treeEnd: number): Int32Array;
}

interface NativeForest {
  fit(
    X: NativeMatrixArg | NativeDataset, y: Float64Array, sampleWeight: Float64Array | undefined, options: NativeForestOptions,
    job: NativeJob | undefined, onProgress: ProgressCallback | undefined,
  ): Promise<NativeForestModel>;
  fitSync(X: NativeMatrixArg | NativeDataset, y: Float64Array, sampleWeight: Float64Array | undefined, options: NativeForestOptions): NativeForestModel;
  modelFromTrees(model: NativeForestTrees & { numFeatures: number; numClasses: number }): NativeForestModel;
}

/** The shape of a native MLP (see native/core/nn/network.h): sizes = [inputs, hidden..., outputs]. */
export interface NativeMlpNet {
  sizes: number[];
  activation: 'identity' | 'logistic' | 'tanh' | 'relu';
  output: 'identity' | 'logistic' | 'softmax';
}

/** Resolved options of a native MLP fit (lib/neural/ documents the public form). */
export interface NativeMlpOptions extends NativeMlpNet {
  solver: 'adam' | 'sgd' | 'lbfgs';
  learningRate: 'constant' | 'invscaling' | 'adaptive';
  learningRateInit: number;
  powerT: number;
  momentum: number;
  nesterovsMomentum: boolean;
  beta1: number;
  beta2: number;
  epsilon: number;
  alpha: number;
  /** <= 0: min(200, rows). */
  batchSize: number;
  maxIter: number;
  shuffle: boolean;
  seed: number;
  tol: number;
  nIterNoChange: number;
  earlyStopping: boolean;
  validationFraction: number;
  maxFun: number;
  dtype: 'float32' | 'float64';
  /** Classes (labels are indices 0..nClasses-1), or 0 for regression. */
  nClasses: number;
  nThreads: number;
}

/** What a warm start carries over from the previous fit. */
export interface NativeMlpWarm {
  /** Flat [W0, b0, W1, b1, ...]. */
  params?: Float64Array;
  nIter: number;
  t: number;
  bestLoss: number;
  noImprovement: number;
}

export interface NativeMlpResult {
  params: Float64Array;
  lossCurve: Float64Array;
  validationScores: Float64Array;
  loss: number;
  bestLoss: number;
  bestValidationScore: number;
  nIter: number;
  t: number;
  noImprovement: number;
  stopped: boolean;
  nEvals: number;
  status: string;
}

interface NativeNn {
  fit(
    data: FloatArray, rows: number, cols: number, y: Int32Array | Float64Array, options: NativeMlpOptions, warm: NativeMlpWarm | undefined,
    job: NativeJob | undefined, onProgress: ProgressCallback | undefined,
  ): Promise<NativeMlpResult>;
  fitSync(data: FloatArray, rows: number, cols: number, y: Int32Array | Float64Array, options: NativeMlpOptions, warm: NativeMlpWarm | undefined): NativeMlpResult;
  /** The training objective over all rows and its gradient (float64), for gradient checks. */
  lossGradient(data: FloatArray, rows: number, cols: number, y: Int32Array | Float64Array, options: NativeMlpOptions, params: Float64Array): { loss: number; grad: Float64Array };
  /** Outputs after the output activation, rows x outputs. */
  predict(data: FloatArray, rows: number, cols: number, params: Float64Array, net: NativeMlpNet, nThreads: number): Float64Array;
}

/** What a native importer returns (native/addon/import.cc). */
export interface NativeImportedModel {
  model: NativeGbdtModel;
  numFeatures: number;
  numOutputs: number;
  /** Classes 0..k-1 (k = 2 for one output), else a regressor. */
  classifier: boolean;
  /** One per feature, or empty. */
  featureNames: string[];
}

interface NativeIo {
  /** XGBoost JSON model text or bytes; ModelFormatError naming the culprit on anything malformed. */
  importXGBoost(text: string | Uint8Array): NativeImportedModel;
  /** LightGBM text model or bytes; ModelFormatError naming the culprit on anything malformed. */
  importLightGBM(text: string | Uint8Array): NativeImportedModel;
  /** The double threshold standing for XGBoost's float32(x) < float32(t). */
  xgboostThreshold(t: number): number;
}

/** Options of the native CSV reader (see lib/io/csv.ts for the documented public form). */
export interface NativeCsvOptions {
  delimiter: string;
  /** -1 detect, 0 none, 1 first line. */
  header: number;
  naValues?: string[];
  chunkSize?: number;
  categorical?: (string | number)[];
  /** [column, categories] pairs of a mapping to apply; present (even empty) puts the reader in apply mode. */
  fixed?: [string | number, string[]][];
  unknownIsError: boolean;
  target?: string | number;
}

export interface NativeCsvTable {
  rows: number;
  cols: number;
  data: Float64Array;
  names: string[];
  hadHeader: boolean;
  /** Per data column: its categories in code order, or null for a numeric column. */
  categories: (string[] | null)[];
  target?: Float64Array;
  targetName?: string;
  targetCategories?: string[] | null;
  bytesRead: number;
}

export interface NativeAddon {
  init(classes: Record<string, unknown>): void;
  buildInfo(): NativeBuildInfo;
  setIsa(isa: string): 'scalar' | 'avx2' | 'avx512';
  Job: new () => NativeJob;
  linalg: NativeLinalg;
  linear: NativeLinear;
  gbdt: NativeGbdt;
  forest: NativeForest;
  nn: NativeNn;
  io: NativeIo;
  readCsv(source: string | Uint8Array, isPath: boolean, options: NativeCsvOptions): NativeCsvTable;
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
    // ENSEMBLEKIT_ADDON: an explicit .node file instead of the usual lookup (the sanitizer build of
    // scripts/test-asan.sh lives in its own folder, which node-gyp-build would never pick).
    const override = process.env.ENSEMBLEKIT_ADDON;
    if (override) {
      const mod = { exports: {} as unknown };
      process.dlopen(mod, override);
      addonPath = override;
      addon = mod.exports as NativeAddon;
    } else {
      addonPath = nodeGypBuild.resolve(packageRoot);
      addon = nodeGypBuild(packageRoot) as NativeAddon;
    }
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

/**
 * Cross-validation splitters with scikit-learn's semantics: KFold, StratifiedKFold, GroupKFold,
 * RepeatedKFold, RepeatedStratifiedKFold, ShuffleSplit, StratifiedShuffleSplit, and trainTestSplit.
 *
 * Without shuffling, KFold and StratifiedKFold give exactly scikit-learn's folds. Shuffled splits
 * draw from the library's seeded {@link Random} (not numpy's generator), so they are reproducible
 * from `seed` but not equal to scikit-learn's for the same number. Every split returns
 * `[trainIndices, testIndices]` pairs, each sorted ascending (as scikit-learn's mask-based
 * splitters do), except ShuffleSplit-type splits which keep their random order (as scikit-learn).
 */
import { InvalidInputError, InvalidParameterError } from '../core/errors.js';
import type { LabelInput, MatrixInput } from '../core/input.js';
import { toMatrix } from '../core/input.js';
import type { MatrixLike } from '../core/matrix.js';
import { Random } from '../core/random.js';
import { encodeAgainst, labelsOf, uniqueLabels, type LabelsLike } from '../metrics/labels.js';
import { takeLabels, takeRows } from './subset.js';

/** One split: training rows and test rows (indices into X). */
export type Split = [train: Int32Array, test: Int32Array];

/** Something that splits rows into folds: the splitters here, or a user's object of the same shape. */
export interface Splitter {
  /** The splits of `X` (a matrix, or just its row count); `y` for stratified splitters, `groups` for grouped ones. */
  split(X: MatrixInput | number, y?: LabelsLike, groups?: LabelsLike): Split[];
  /** Number of splits `split` returns. */
  getNSplits(): number;
}

/** Row count of X or X itself when it is a number. */
export function numSamples(X: MatrixInput | number): number {
  if (typeof X === 'number') {
    if (!Number.isInteger(X) || X < 1) throw new InvalidInputError(`Expected a positive integer row count but received ${X}`);
    return X;
  }
  if (Array.isArray(X)) return X.length;
  const r = (X as { rows?: unknown }).rows;
  if (typeof r === 'number') return r;
  throw new InvalidInputError('Expected X to be number[][], { data, rows, cols } or a row count');
}

function checkInt(owner: string, name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new InvalidParameterError(`Expected an integer >= ${min} for ${owner} parameter '${name}' but received ${String(v)}`, name);
  }
  return v;
}

function checkShuffleSeed(owner: string, shuffle: boolean, seed: number | undefined): void {
  if (typeof shuffle !== 'boolean') throw new InvalidParameterError(`Expected a boolean for ${owner} parameter 'shuffle' but received ${String(shuffle)}`, 'shuffle');
  if (!shuffle && seed !== undefined) {
    throw new InvalidParameterError(`Setting a seed has no effect since ${owner} shuffle is false: set shuffle: true or leave seed unset`, 'seed');
  }
}

/** Splits from per-row test-fold numbers: fold f tests the rows marked f, trains on the others (both ascending). */
function foldsFromAssignment(testFold: Int32Array, k: number): Split[] {
  const out: Split[] = [];
  for (let f = 0; f < k; f++) {
    let nt = 0;
    for (const v of testFold) if (v === f) nt++;
    const test = new Int32Array(nt);
    const train = new Int32Array(testFold.length - nt);
    let a = 0;
    let b = 0;
    for (let i = 0; i < testFold.length; i++) {
      if (testFold[i] === f) test[a++] = i;
      else train[b++] = i;
    }
    out.push([train, test]);
  }
  return out;
}

/** Options of {@link KFold}. */
export interface KFoldOptions {
  /** Number of folds (>= 2). Default 5. */
  nSplits?: number;
  /** Shuffle the rows before cutting folds. Default false. */
  shuffle?: boolean;
  /** Seed of the shuffle (only with shuffle). */
  seed?: number;
}

/**
 * K consecutive folds (shuffled first with `shuffle`); the first `n % k` folds have one row more.
 * Each fold is the test set once.
 */
export class KFold implements Splitter {
  readonly nSplits: number;
  readonly shuffle: boolean;
  readonly seed: number | undefined;

  constructor(options: KFoldOptions = {}) {
    this.nSplits = checkInt('KFold', 'nSplits', options.nSplits ?? 5, 2);
    this.shuffle = options.shuffle ?? false;
    this.seed = options.seed;
    checkShuffleSeed('KFold', this.shuffle, this.seed);
  }

  getNSplits(): number {
    return this.nSplits;
  }

  split(X: MatrixInput | number): Split[] {
    const n = numSamples(X);
    const k = this.nSplits;
    if (k > n) throw new InvalidInputError(`Cannot have nSplits=${k} greater than the number of samples ${n}`);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    if (this.shuffle) Random.fromSeed(this.seed).shuffle(order);
    const testFold = new Int32Array(n);
    let start = 0;
    for (let f = 0; f < k; f++) {
      const size = Math.floor(n / k) + (f < n % k ? 1 : 0);
      for (let i = start; i < start + size; i++) testFold[order[i]!] = f;
      start += size;
    }
    return foldsFromAssignment(testFold, k);
  }
}

/**
 * K folds that keep the class proportions of `y` (scikit-learn's StratifiedKFold, same folds without
 * shuffle): the rows of each class, in order, are dealt to folds so fold sizes differ by at most one
 * per class. With `shuffle`, each class's fold assignment is shuffled.
 */
export class StratifiedKFold implements Splitter {
  readonly nSplits: number;
  readonly shuffle: boolean;
  readonly seed: number | undefined;

  constructor(options: KFoldOptions = {}) {
    this.nSplits = checkInt('StratifiedKFold', 'nSplits', options.nSplits ?? 5, 2);
    this.shuffle = options.shuffle ?? false;
    this.seed = options.seed;
    checkShuffleSeed('StratifiedKFold', this.shuffle, this.seed);
  }

  getNSplits(): number {
    return this.nSplits;
  }

  split(X: MatrixInput | number, y?: LabelsLike): Split[] {
    const n = numSamples(X);
    if (y === undefined) throw new InvalidInputError('StratifiedKFold.split needs the labels y');
    const labels = labelsOf(y, 'y', n);
    return this.splitEncoded(n, labels.values as ArrayLike<number | string>, this.shuffle ? Random.fromSeed(this.seed) : undefined);
  }

  /** @internal shared with RepeatedStratifiedKFold. */
  splitEncoded(n: number, values: ArrayLike<number | string>, rng: Random | undefined): Split[] {
    const k = this.nSplits;
    // Classes numbered by first appearance, as scikit-learn.
    const code = new Map<number | string, number>();
    const enc = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let c = code.get(values[i]!);
      if (c === undefined) code.set(values[i]!, (c = code.size));
      enc[i] = c;
    }
    const nClasses = code.size;
    const counts = new Int32Array(nClasses);
    for (const c of enc) counts[c] = counts[c]! + 1;
    if (counts.every((c) => k > c)) {
      throw new InvalidInputError(`nSplits=${k} cannot be greater than the number of members in each class (largest class: ${Math.max(...counts)})`);
    }
    // The sorted codes dealt round-robin: fold f gets entries f, f + k, f + 2k, ...
    const sorted = Int32Array.from(enc).sort();
    const allocation = Array.from({ length: k }, () => new Int32Array(nClasses));
    for (let j = 0; j < n; j++) {
      const row = allocation[j % k]!;
      row[sorted[j]!] = row[sorted[j]!]! + 1;
    }
    const testFold = new Int32Array(n);
    for (let c = 0; c < nClasses; c++) {
      const folds: number[] = [];
      for (let f = 0; f < k; f++) for (let r = 0; r < allocation[f]![c]!; r++) folds.push(f);
      if (rng) rng.shuffle(folds);
      let a = 0;
      for (let i = 0; i < n; i++) if (enc[i] === c) testFold[i] = folds[a++]!;
    }
    return foldsFromAssignment(testFold, k);
  }
}

/** Options of {@link GroupKFold}. */
export interface GroupKFoldOptions {
  /** Number of folds (>= 2). Default 5. */
  nSplits?: number;
}

/**
 * K folds in which no group appears on both sides: groups are assigned, largest first, to the fold
 * with the fewest rows so far (scikit-learn's GroupKFold; groups of equal size are taken in sorted
 * group order, where numpy's unstable sort may order them differently).
 */
export class GroupKFold implements Splitter {
  readonly nSplits: number;

  constructor(options: GroupKFoldOptions = {}) {
    this.nSplits = checkInt('GroupKFold', 'nSplits', options.nSplits ?? 5, 2);
  }

  getNSplits(): number {
    return this.nSplits;
  }

  split(X: MatrixInput | number, _y?: LabelsLike, groups?: LabelsLike): Split[] {
    const n = numSamples(X);
    if (groups === undefined) throw new InvalidInputError('GroupKFold.split needs groups (one group label per row)');
    const g = labelsOf(groups, 'groups', n);
    const unique = uniqueLabels(g);
    const k = this.nSplits;
    if (k > unique.length) throw new InvalidInputError(`Cannot have nSplits=${k} greater than the number of groups ${unique.length}`);
    const idx = encodeAgainst(g, unique);
    const size = new Int32Array(unique.length);
    for (const v of idx) size[v] = size[v]! + 1;
    const order = Array.from({ length: unique.length }, (_, i) => i).sort((a, b) => size[b]! - size[a]! || a - b);
    const load = new Float64Array(k);
    const groupFold = new Int32Array(unique.length);
    for (const grp of order) {
      let best = 0;
      for (let f = 1; f < k; f++) if (load[f]! < load[best]!) best = f;
      load[best] = load[best]! + size[grp]!;
      groupFold[grp] = best;
    }
    return foldsFromAssignment(Int32Array.from(idx, (v) => groupFold[v]!), k);
  }
}

/** Options of the repeated splitters. */
export interface RepeatedKFoldOptions {
  /** Folds per repetition (>= 2). Default 5. */
  nSplits?: number;
  /** Repetitions, each with a fresh shuffle. Default 10. */
  nRepeats?: number;
  /** Seed of all repetitions. */
  seed?: number;
}

/** KFold repeated `nRepeats` times with a different shuffle each time (one seed per repetition drawn from `seed`). */
export class RepeatedKFold implements Splitter {
  readonly nSplits: number;
  readonly nRepeats: number;
  readonly seed: number | undefined;

  constructor(options: RepeatedKFoldOptions = {}) {
    this.nSplits = checkInt('RepeatedKFold', 'nSplits', options.nSplits ?? 5, 2);
    this.nRepeats = checkInt('RepeatedKFold', 'nRepeats', options.nRepeats ?? 10, 1);
    this.seed = options.seed;
  }

  getNSplits(): number {
    return this.nSplits * this.nRepeats;
  }

  split(X: MatrixInput | number): Split[] {
    const rng = Random.fromSeed(this.seed);
    const out: Split[] = [];
    for (let r = 0; r < this.nRepeats; r++) out.push(...new KFold({ nSplits: this.nSplits, shuffle: true, seed: rng.nextU32() }).split(X));
    return out;
  }
}

/** StratifiedKFold repeated `nRepeats` times with a different shuffle each time. */
export class RepeatedStratifiedKFold implements Splitter {
  readonly nSplits: number;
  readonly nRepeats: number;
  readonly seed: number | undefined;

  constructor(options: RepeatedKFoldOptions = {}) {
    this.nSplits = checkInt('RepeatedStratifiedKFold', 'nSplits', options.nSplits ?? 5, 2);
    this.nRepeats = checkInt('RepeatedStratifiedKFold', 'nRepeats', options.nRepeats ?? 10, 1);
    this.seed = options.seed;
  }

  getNSplits(): number {
    return this.nSplits * this.nRepeats;
  }

  split(X: MatrixInput | number, y?: LabelsLike): Split[] {
    const n = numSamples(X);
    if (y === undefined) throw new InvalidInputError('RepeatedStratifiedKFold.split needs the labels y');
    const labels = labelsOf(y, 'y', n);
    const rng = Random.fromSeed(this.seed);
    const inner = new StratifiedKFold({ nSplits: this.nSplits });
    const out: Split[] = [];
    for (let r = 0; r < this.nRepeats; r++) out.push(...inner.splitEncoded(n, labels.values as ArrayLike<number | string>, new Random(rng.nextU32())));
    return out;
  }
}

/** Options of {@link ShuffleSplit} and {@link StratifiedShuffleSplit}. */
export interface ShuffleSplitOptions {
  /** Number of random splits. Default 10. */
  nSplits?: number;
  /** Test rows: a fraction in (0, 1) (rounded up) or a count. Default 0.1 (the complement of trainSize when that is given). */
  testSize?: number;
  /** Training rows: a fraction in (0, 1) (rounded down) or a count. Default: the rest. */
  trainSize?: number;
  /** Seed of the draws. */
  seed?: number;
}

/** scikit-learn's `_validate_shuffle_split`: training and test counts. */
export function shuffleSplitSizes(n: number, testSize: number | undefined, trainSize: number | undefined, defaultTest: number): [nTrain: number, nTest: number] {
  const check = (name: string, v: number | undefined) => {
    if (v === undefined) return;
    const ok = typeof v === 'number' && ((v > 0 && v < 1) || (Number.isInteger(v) && v >= 1 && v < n));
    if (!ok) throw new InvalidParameterError(`Expected ${name} to be a fraction in (0, 1) or a row count in [1, ${n - 1}] but received ${String(v)}`, name);
  };
  check('testSize', testSize);
  check('trainSize', trainSize);
  const test = testSize === undefined && trainSize === undefined ? defaultTest : testSize;
  let nTest = test === undefined ? undefined : test < 1 ? Math.ceil(test * n) : test;
  let nTrain = trainSize === undefined ? undefined : trainSize < 1 ? Math.floor(trainSize * n) : trainSize;
  if (nTrain === undefined) nTrain = n - nTest!;
  if (nTest === undefined) nTest = n - nTrain;
  if (nTrain + nTest > n) throw new InvalidParameterError(`trainSize + testSize = ${nTrain + nTest} rows is more than the ${n} available`, 'trainSize');
  if (nTrain === 0) throw new InvalidParameterError(`With n=${n} rows, testSize=${testSize} and trainSize=${trainSize}, the training set would be empty`, 'testSize');
  return [nTrain, nTest];
}

/** Independent random train/test splits (rows may be in the test set of several splits). */
export class ShuffleSplit implements Splitter {
  readonly nSplits: number;
  readonly testSize: number | undefined;
  readonly trainSize: number | undefined;
  readonly seed: number | undefined;

  constructor(options: ShuffleSplitOptions = {}) {
    this.nSplits = checkInt('ShuffleSplit', 'nSplits', options.nSplits ?? 10, 1);
    this.testSize = options.testSize;
    this.trainSize = options.trainSize;
    this.seed = options.seed;
  }

  getNSplits(): number {
    return this.nSplits;
  }

  split(X: MatrixInput | number): Split[] {
    const n = numSamples(X);
    const [nTrain, nTest] = shuffleSplitSizes(n, this.testSize, this.trainSize, 0.1);
    const rng = Random.fromSeed(this.seed);
    const out: Split[] = [];
    for (let s = 0; s < this.nSplits; s++) {
      const perm = rng.permutation(n);
      out.push([perm.slice(nTest, nTest + nTrain), perm.slice(0, nTest)]);
    }
    return out;
  }
}

/** scikit-learn's `_approximate_mode`: integer draws per class closest to the proportional ones; ties broken at random. */
function approximateMode(counts: Int32Array, draws: number, rng: Random): Int32Array {
  const total = counts.reduce((a, b) => a + b, 0);
  const cont = Float64Array.from(counts, (c) => (c / total) * draws);
  const floored = Int32Array.from(cont, Math.floor);
  let need = draws - floored.reduce((a, b) => a + b, 0);
  if (need > 0) {
    const rem = Float64Array.from(cont, (v, i) => v - floored[i]!);
    const values = Array.from(new Set(rem)).sort((a, b) => b - a);
    for (const v of values) {
      const inds: number[] = [];
      rem.forEach((r, i) => r === v && inds.push(i));
      const add = Math.min(inds.length, need);
      for (const j of rng.sample(inds.length, add)) floored[inds[j]!] = floored[inds[j]!]! + 1;
      need -= add;
      if (need === 0) break;
    }
  }
  return floored;
}

/** Random train/test splits that keep the class proportions of `y` (scikit-learn's StratifiedShuffleSplit). */
export class StratifiedShuffleSplit implements Splitter {
  readonly nSplits: number;
  readonly testSize: number | undefined;
  readonly trainSize: number | undefined;
  readonly seed: number | undefined;

  constructor(options: ShuffleSplitOptions = {}) {
    this.nSplits = checkInt('StratifiedShuffleSplit', 'nSplits', options.nSplits ?? 10, 1);
    this.testSize = options.testSize;
    this.trainSize = options.trainSize;
    this.seed = options.seed;
  }

  getNSplits(): number {
    return this.nSplits;
  }

  split(X: MatrixInput | number, y?: LabelsLike, _groups?: LabelsLike, defaultTest = 0.1): Split[] {
    const n = numSamples(X);
    if (y === undefined) throw new InvalidInputError('StratifiedShuffleSplit.split needs the labels y');
    const labels = labelsOf(y, 'y', n);
    const [nTrain, nTest] = shuffleSplitSizes(n, this.testSize, this.trainSize, defaultTest);
    const classes = uniqueLabels(labels);
    const enc = encodeAgainst(labels, classes);
    const k = classes.length;
    const counts = new Int32Array(k);
    for (const c of enc) counts[c] = counts[c]! + 1;
    if (Math.min(...counts) < 2) throw new InvalidInputError('The least populated class in y has only 1 member, which is too few: stratified splitting needs at least 2 per class');
    if (nTrain < k) throw new InvalidInputError(`The training size ${nTrain} should be at least the number of classes ${k}`);
    if (nTest < k) throw new InvalidInputError(`The test size ${nTest} should be at least the number of classes ${k}`);
    const byClass: number[][] = Array.from({ length: k }, () => []);
    enc.forEach((c, i) => byClass[c]!.push(i));
    const rng = Random.fromSeed(this.seed);
    const out: Split[] = [];
    for (let s = 0; s < this.nSplits; s++) {
      const nI = approximateMode(counts, nTrain, rng);
      const rest = Int32Array.from(counts, (c, i) => c - nI[i]!);
      const tI = approximateMode(rest, nTest, rng);
      const train: number[] = [];
      const test: number[] = [];
      for (let c = 0; c < k; c++) {
        const perm = rng.permutation(counts[c]!);
        const rows = Array.from(perm, (p) => byClass[c]![p]!);
        train.push(...rows.slice(0, nI[c]!));
        test.push(...rows.slice(nI[c]!, nI[c]! + tI[c]!));
      }
      out.push([Int32Array.from(rng.shuffle(train)), Int32Array.from(rng.shuffle(test))]);
    }
    return out;
  }
}

/** Options of {@link trainTestSplit}. */
export interface TrainTestSplitOptions {
  /** Test rows: a fraction in (0, 1) or a count. Default 0.25 (or the complement of trainSize). */
  testSize?: number;
  /** Training rows: a fraction in (0, 1) or a count. Default: the rest. */
  trainSize?: number;
  /** Seed of the shuffle. */
  seed?: number;
  /** Shuffle before splitting (default true); without it the first rows train and the next ones test. */
  shuffle?: boolean;
  /** Labels to keep the proportions of in both parts (`true`: y itself). Needs shuffle. */
  stratify?: LabelsLike | true;
}

/** What {@link trainTestSplit} returns. */
export interface TrainTestSplitResult {
  XTrain: MatrixLike;
  XTest: MatrixLike;
  /** Present when y was given. */
  yTrain?: Float64Array | string[];
  yTest?: Float64Array | string[];
  trainIndex: Int32Array;
  testIndex: Int32Array;
}

/** Splits X (and y) into a random training and test part, optionally stratified (scikit-learn's train_test_split). */
export function trainTestSplit(X: MatrixInput, y?: LabelInput, opts: TrainTestSplitOptions = {}): TrainTestSplitResult {
  const m = toMatrix(X);
  const n = m.rows;
  const labels = y === undefined ? undefined : labelsOf(y as LabelsLike, 'y', n);
  const shuffle = opts.shuffle ?? true;
  let split: Split;
  if (!shuffle) {
    if (opts.stratify !== undefined) throw new InvalidParameterError('Stratified train/test split needs shuffle: true', 'stratify');
    if (opts.seed !== undefined) throw new InvalidParameterError('Setting a seed has no effect when shuffle is false', 'seed');
    const [nTrain, nTest] = shuffleSplitSizes(n, opts.testSize, opts.trainSize, 0.25);
    split = [Int32Array.from({ length: nTrain }, (_, i) => i), Int32Array.from({ length: nTest }, (_, i) => nTrain + i)];
  } else if (opts.stratify !== undefined) {
    const strat = opts.stratify === true ? y : opts.stratify;
    if (strat === undefined) throw new InvalidParameterError('stratify: true needs y', 'stratify');
    const ss = new StratifiedShuffleSplit({ nSplits: 1, testSize: opts.testSize, trainSize: opts.trainSize, seed: opts.seed });
    split = ss.split(n, strat as LabelsLike, undefined, 0.25)[0]!;
  } else {
    const [nTrain, nTest] = shuffleSplitSizes(n, opts.testSize, opts.trainSize, 0.25);
    const perm = Random.fromSeed(opts.seed).permutation(n);
    split = [perm.slice(nTest, nTest + nTrain), perm.slice(0, nTest)];
  }
  const [train, test] = split;
  const out: TrainTestSplitResult = { XTrain: takeRows(m, train), XTest: takeRows(m, test), trainIndex: train, testIndex: test };
  if (labels) {
    out.yTrain = takeLabels(labels, train);
    out.yTest = takeLabels(labels, test);
  }
  return out;
}

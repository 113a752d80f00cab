/**
 * @internal Reading the exported-trees part of a tree model's JSON state (gradient boosting and
 * forests) back into the typed arrays the native `modelFromTrees` takes, validated completely first.
 *
 * The native loader (native/core/io/tree_io.cc) re-checks the structure, but it only sees what the
 * typed arrays hold: `Int32Array.from` turns 2^32 into 0 and 1.5 into 1, `Uint8Array.from` 256 into
 * 0, and a short array reaches the native argument checker as an InvalidInputError. So every value
 * is checked here before any conversion (integers as integers in range, floats finite where the
 * native side needs them, lengths against `nodeCounts`), then the tree structure (children in range,
 * no cycle, no node reached twice, every node reached, features in range), and every defect is a
 * ModelFormatError naming the array and index.
 */
import type { NativeForestTrees, NativeGbdtTrees } from '../native.js';

/** Makes the loader's error for a defect (`Invalid <Estimator> state: <what>`). */
export type StateError = (what: string) => Error;

const int32Min = -(2 ** 31);
const int32Max = 2 ** 31 - 1;
const uint32Max = 2 ** 32 - 1;

/** The most features a loaded model may declare (kMaxModelFeatures in native/core/io/tree_io.h). */
export const maxModelFeatures = 2 ** 20;

/** The most classes a loaded forest may declare (native/addon/forest.cc modelFromTrees). */
export const maxModelClasses = 2 ** 20;

/**
 * The largest node count accepted: the importers' bound (native/core/io/import_trees.cc), below 2^63
 * where the native int64 conversion is defined. Counts are not int32: a forest trains on up to
 * 2^32 - 1 rows, and imported counts are whatever the file says.
 */
const maxCount = 9e18;

/** How a value is named in a message: JSON for strings and null, the number as JS prints it (NaN, 4294967296). */
export function received(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object' && v !== null) return 'an object';
  return JSON.stringify(v) ?? typeof v;
}

/** A plain object (not null, not an array). */
export function readObject(v: unknown, name: string, bad: StateError): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad(`expected an object for ${name} but received ${received(v)}`);
  return v as Record<string, unknown>;
}

/** One integer in [min, max]. */
export function readInt(v: unknown, name: string, min: number, max: number, bad: StateError): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(`expected an integer in [${min}, ${max}] for ${name} but received ${received(v)}`);
  return v;
}

function readArray(v: unknown, name: string, length: number | undefined, bad: StateError, what = 'an array'): unknown[] {
  if (!Array.isArray(v)) throw bad(`expected ${what} for ${name} but received ${received(v)}`);
  if (length !== undefined && v.length !== length) throw bad(`expected ${length} values in ${name} (one per node: the sum of trees.nodeCounts) but received ${v.length}`);
  return v;
}

type IntArray = Int32Array | Uint8Array | Uint32Array | Float64Array;

/** An array of integers in [min, max] into `Ctor` (which holds every value of the range exactly). */
function readInts<T extends IntArray>(Ctor: new (n: number) => T, v: unknown, name: string, min: number, max: number, length: number | undefined, bad: StateError): T {
  const a = readArray(v, name, length, bad, `an array of integers in [${min}, ${max}]`);
  const out = new Ctor(a.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) throw bad(`expected an integer in [${min}, ${max}] for ${name}[${i}] but received ${received(x)}`);
    out[i] = x;
  }
  return out;
}

/** An array of finite numbers (the native loader refuses, or would silently keep, anything else). */
export function readFinite(v: unknown, name: string, length: number | undefined, bad: StateError): Float64Array {
  const a = readArray(v, name, length, bad, 'an array of finite numbers');
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw bad(`expected a finite number for ${name}[${i}] but received ${received(x)}`);
    out[i] = x;
  }
  return out;
}

/**
 * Split thresholds: numbers, with +/-Infinity also as the strings "Infinity" / "-Infinity" (JSON has
 * no infinities; a threshold of +Infinity is the trainer's split of NaN from every value). NaN never
 * is a threshold.
 */
function readThresholds(v: unknown, name: string, length: number, bad: StateError): Float64Array {
  const a = readArray(v, name, length, bad);
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const d = typeof x === 'number' ? x : x === 'Infinity' ? Infinity : x === '-Infinity' ? -Infinity : NaN;
    if (Number.isNaN(d)) throw bad(`expected a number (not NaN), "Infinity" or "-Infinity" for ${name}[${i}] but received ${received(x)}`);
    out[i] = d;
  }
  return out;
}

/** Sorted distinct class labels (as fit writes them), at least two: all finite numbers or all strings. */
export function readClasses(v: unknown, name: string, bad: StateError): number[] | string[] {
  if (!Array.isArray(v) || v.length < 2) throw bad(`expected an array of at least 2 class labels for ${name} but received ${Array.isArray(v) ? `${v.length}` : received(v)}`);
  const numbers = v.every((c) => typeof c === 'number' && Number.isFinite(c));
  if (!numbers && !v.every((c) => typeof c === 'string')) throw bad(`expected ${name} to be all finite numbers or all strings`);
  for (let i = 1; i < v.length; i++) {
    if (!(v[i - 1] < v[i])) throw bad(`expected ${name} sorted and distinct but ${received(v[i - 1])} comes before ${received(v[i])}`);
  }
  return v as number[] | string[];
}

/** The arrays every tree model's JSON state holds, checked value by value and against nodeCounts. */
interface CommonArrays {
  nodeCounts: Int32Array;
  left: Int32Array;
  right: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  thresholdBin: Int32Array;
  defaultLeft: Uint8Array;
  value: Float64Array;
  gain: Float64Array;
  count: Float64Array;
  total: number;
}

function readCommon(t: Record<string, unknown>, bad: StateError): CommonArrays {
  const nodeCounts = readInts(Int32Array, t.nodeCounts, 'trees.nodeCounts', 1, int32Max, undefined, bad);
  let total = 0;
  for (let i = 0; i < nodeCounts.length; i++) total += nodeCounts[i]!;
  return {
    nodeCounts,
    total,
    left: readInts(Int32Array, t.left, 'trees.left', int32Min, int32Max, total, bad),
    right: readInts(Int32Array, t.right, 'trees.right', int32Min, int32Max, total, bad),
    feature: readInts(Int32Array, t.feature, 'trees.feature', int32Min, int32Max, total, bad),
    threshold: readThresholds(t.threshold, 'trees.threshold', total, bad),
    thresholdBin: readInts(Int32Array, t.thresholdBin, 'trees.thresholdBin', 0, int32Max, total, bad),
    defaultLeft: readInts(Uint8Array, t.defaultLeft, 'trees.defaultLeft', 0, 1, total, bad),
    value: readFinite(t.value, 'trees.value', total, bad),
    gain: readFinite(t.gain, 'trees.gain', total, bad),
    count: readInts(Float64Array, t.count, 'trees.count', 0, maxCount, total, bad),
  };
}

/** Categorical splits of a gradient-boosted model: which nodes are, and the set each one reads. */
interface Categorical {
  splitType: Uint8Array;
  categorySet: Int32Array;
  numSets: number;
}

/**
 * The structure of every tree, in the layout the native loader rebuilds (tree_from_nodes): a leaf
 * has both child ids -1; an internal node has two children in range and a feature in [0, nFeatures);
 * from the root every node is reached exactly once (no cycle, no shared subtree, no orphan); the
 * children of a node are the consecutive ids (left, left + 1) after its own. The creation order of
 * the splits is left to the native check.
 */
function checkStructure(a: CommonArrays, nFeatures: number, cat: Categorical | undefined, bad: StateError): void {
  let largest = 0;
  for (let t = 0; t < a.nodeCounts.length; t++) largest = Math.max(largest, a.nodeCounts[t]!);
  // parent[i]: the node that reached i (-1 for the root, -2 not reached yet); queue: breadth-first order.
  const parent = new Int32Array(largest);
  const queue = new Int32Array(largest);
  let o = 0;
  for (let t = 0; t < a.nodeCounts.length; o += a.nodeCounts[t]!, t++) {
    const n = a.nodeCounts[t]!;
    if (n % 2 === 0) throw bad(`expected an odd number of nodes per tree (every split adds two) but trees.nodeCounts[${t}] is ${n}`);
    for (let i = 0; i < n; i++) {
      const k = o + i;
      const l = a.left[k]!;
      const r = a.right[k]!;
      const where = `tree ${t}, node ${i}`;
      const categorical = cat !== undefined && l !== -1 && cat.splitType[k] === 1;
      if (cat !== undefined) {
        const s = cat.categorySet[k]!;
        if (categorical ? s < 0 || s >= cat.numSets : s !== -1) {
          throw bad(`${where}: expected ${categorical ? `a category set index in [0, ${cat.numSets})` : '-1 (not a categorical split)'} for trees.categorySet[${k}] but received ${s}`);
        }
      }
      if (l === -1) {
        if (r !== -1) throw bad(`${where}: expected -1 for trees.right[${k}] (a leaf: trees.left[${k}] is -1) but received ${r}`);
        continue;
      }
      if (l < 0 || l >= n) throw bad(`${where}: expected a child id in [0, ${n}) or -1 (a leaf) for trees.left[${k}] but received ${l} (child out of range)`);
      if (r < 0 || r >= n) throw bad(`${where}: expected a child id in [0, ${n}) for trees.right[${k}] but received ${r} (child out of range)`);
      const f = a.feature[k]!;
      if (f < 0 || f >= nFeatures) throw bad(`${where}: expected a feature index in [0, ${nFeatures}) for trees.feature[${k}] but received ${f}`);
    }
    parent.fill(-2, 0, n);
    parent[0] = -1;
    queue[0] = 0;
    let head = 0;
    let tail = 1;
    while (head < tail) {
      const u = queue[head++]!;
      const k = o + u;
      if (a.left[k] === -1) continue;
      for (let side = 0; side < 2; side++) {
        const c = side === 0 ? a.left[k]! : a.right[k]!;
        if (parent[c] !== -2) {
          for (let p = u; p !== -1; p = parent[p]!) {
            if (p === c) throw bad(`tree ${t}: node ${u} has its ancestor node ${c} as a child (a cycle)`);
          }
          throw bad(`tree ${t}: node ${c} is reached twice (a child of node ${parent[c]} and of node ${u})`);
        }
        parent[c] = u;
        queue[tail++] = c;
      }
    }
    if (tail !== n) throw bad(`tree ${t}: ${n - tail} of ${n} nodes are not reached from the root`);
    for (let i = 0; i < n; i++) {
      const k = o + i;
      const l = a.left[k]!;
      if (l !== -1 && (l <= i || a.right[k] !== l + 1)) {
        throw bad(`tree ${t}, node ${i}: expected the children to be consecutive ids after the node's own (left, left + 1) but trees.left[${k}] is ${l} and trees.right[${k}] is ${a.right[k]}`);
      }
    }
  }
}

/** The `trees` of a gradient-boosted model's JSON state, validated, as `native.gbdt.modelFromTrees` takes them. */
export function readGbdtTrees(v: unknown, nFeatures: number, bad: StateError): NativeGbdtTrees {
  const t = readObject(v, 'trees', bad);
  const a = readCommon(t, bad);
  const n = a.total;
  const splitType = readInts(Uint8Array, t.splitType, 'trees.splitType', 0, 1, n, bad);
  const categorySet = readInts(Int32Array, t.categorySet, 'trees.categorySet', -1, int32Max, n, bad);
  // Absent in models trained before imported reading rules existed (then all 0); both or neither.
  const rules = t.missingRule !== undefined || t.categoryRule !== undefined;
  const missingRule = rules ? readInts(Uint8Array, t.missingRule, 'trees.missingRule', 0, 1, n, bad) : undefined;
  const categoryRule = rules ? readInts(Uint8Array, t.categoryRule, 'trees.categoryRule', 0, 2, n, bad) : undefined;
  const sets = readArray(t.categorySets === undefined ? [] : t.categorySets, 'trees.categorySets', undefined, bad).map((c, i) => {
    const o = readObject(c, `trees.categorySets[${i}]`, bad);
    const bins = readInts(Uint32Array, o.bins, `trees.categorySets[${i}].bins`, 0, uint32Max, undefined, bad);
    // 64-bit bin words as (low, high) pairs.
    if (bins.length % 2 !== 0) throw bad(`expected an even number of values in trees.categorySets[${i}].bins (64-bit words as pairs) but received ${bins.length}`);
    return { categories: readInts(Uint32Array, o.categories, `trees.categorySets[${i}].categories`, 0, uint32Max, undefined, bad), bins };
  });
  const sumHess = readFinite(t.sumHess, 'trees.sumHess', n, bad);
  checkStructure(a, nFeatures, { splitType, categorySet, numSets: sets.length }, bad);
  return {
    nodeCounts: a.nodeCounts,
    left: a.left,
    right: a.right,
    feature: a.feature,
    threshold: a.threshold,
    thresholdBin: a.thresholdBin,
    defaultLeft: a.defaultLeft,
    splitType,
    categorySet,
    ...(rules ? { missingRule, categoryRule } : {}),
    value: a.value,
    gain: a.gain,
    sumHess,
    count: a.count,
    categorySets: sets,
  };
}

/**
 * The `trees` of a forest's JSON state, validated, as `native.forest.modelFromTrees` takes them.
 * `numClasses` (0 for regression) class frequencies per node in `distribution`.
 */
export function readForestTrees(v: unknown, nFeatures: number, numClasses: number, bad: StateError): NativeForestTrees {
  const t = readObject(v, 'trees', bad);
  const a = readCommon(t, bad);
  if (a.nodeCounts.length === 0) throw bad('expected at least one tree in trees.nodeCounts but received none');
  const weight = readFinite(t.weight, 'trees.weight', a.total, bad);
  const perNode = numClasses >= 2 ? numClasses : 0;
  const raw = t.distribution === undefined && perNode === 0 ? [] : t.distribution;
  if (Array.isArray(raw) && raw.length !== a.total * perNode) {
    throw bad(`expected ${a.total * perNode} values in trees.distribution (${perNode} class frequencies per node) but received ${raw.length}`);
  }
  const distribution = readFinite(raw, 'trees.distribution', undefined, bad);
  checkStructure(a, nFeatures, undefined, bad);
  return {
    nodeCounts: a.nodeCounts,
    left: a.left,
    right: a.right,
    feature: a.feature,
    threshold: a.threshold,
    thresholdBin: a.thresholdBin,
    defaultLeft: a.defaultLeft,
    value: a.value,
    gain: a.gain,
    weight,
    count: a.count,
    distribution,
  };
}

/**
 * The common back end of the importers: trees described in a library's own node numbering are kept
 * when that numbering already is Tree's creation order (XGBoost's, so predictLeaf gives XGBoost's node
 * ids), else renumbered breadth-first (children become consecutive pairs created in parent order, the
 * layout native/core/io/tree_io.h rebuilds); either way checked (child ids in range, every node reached once, so no
 * cycles or shared subtrees), and packed into the node arrays `native.gbdt.modelFromTrees` takes.
 * The native side validates the arrays again before compiling the forest.
 */
import { ModelFormatError } from '../core/errors.js';
import { GradientBoostingClassifier, GradientBoostingRegressor } from '../tree/gradient-boosting.js';
import { native, type NativeGbdtTrees, type NativeTransform } from '../native.js';

/**
 * Reading rules of imported nodes (native/core/tree/tree.h). Missing: 0 = NaN takes the default side,
 * 1 = NaN and |x| <= 1e-35 do (LightGBM missing type Zero). Category: 0 = exact integer ids,
 * 1 = LightGBM's int(x), 2 = XGBoost's int(float32(x)).
 */
export type MissingRule = 0 | 1;
export type CategoryRule = 0 | 1 | 2;

/** One split of a source tree, already in ensemblekit's routing convention (x <= threshold goes left). */
export interface SourceSplit {
  feature: number;
  /** Numerical: the threshold. Ignored for categorical splits. */
  threshold: number;
  defaultLeft: boolean;
  /** Categorical: the categories sent left; undefined for a numerical split. */
  categories?: ArrayLike<number>;
  missingRule: MissingRule;
  categoryRule: CategoryRule;
  left: number;
  right: number;
}

/** A source tree: `split(id)` is undefined for a leaf. Node 0 is the root. */
export interface SourceTree {
  numNodes: number;
  split(id: number): SourceSplit | undefined;
  /** Leaf output (already scaled); for internal nodes, the node's expected output if the source has one (else NaN). */
  value(id: number): number;
  gain(id: number): number;
  /** Hessian sum (cover) of the rows that reached the node; NaN when unknown. */
  hess(id: number): number;
  /** Rows that reached the node; NaN when unknown. */
  count(id: number): number;
}

/** Bitset of `cats` (bit c set), sized by the largest category (largest / 32 + 1 words). */
function bitset(cats: ArrayLike<number>, where: string): Uint32Array {
  let max = -1;
  for (let i = 0; i < cats.length; i++) {
    const c = cats[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= 2 ** 24) throw new ModelFormatError(`${where}: category ${c} is not an integer in [0, 2^24)`);
    if (c > max) max = c;
  }
  const out = new Uint32Array(max < 0 ? 1 : (max >>> 5) + 1);
  for (let i = 0; i < cats.length; i++) {
    const c = cats[i]!;
    out[c >>> 5]! |= 1 << (c & 31);
  }
  return out;
}

/** Collects trees into the concatenated node arrays of NativeGbdtTrees. */
export class TreePacker {
  private readonly counts: number[] = [];
  private left: number[] = [];
  private right: number[] = [];
  private feature: number[] = [];
  private threshold: number[] = [];
  private defaultLeft: number[] = [];
  private splitType: number[] = [];
  private categorySet: number[] = [];
  private missingRule: number[] = [];
  private categoryRule: number[] = [];
  private value: number[] = [];
  private gain: number[] = [];
  private sumHess: number[] = [];
  private count: number[] = [];
  private readonly sets: { categories: Uint32Array; bins: Uint32Array }[] = [];

  constructor(private readonly numFeatures: number, private readonly source: string) {}

  /** Appends `tree`; `index` names it in messages. */
  add(tree: SourceTree, index: number): void {
    const where = `${this.source} tree ${index}`;
    const n = tree.numNodes;
    if (!Number.isInteger(n) || n < 1) throw new ModelFormatError(`${where}: expected at least one node`);
    // Breadth-first renumbering; order[k] is the source id of new node k.
    const newId = new Int32Array(n).fill(-1);
    const order: number[] = [0];
    newId[0] = 0;
    for (let k = 0; k < order.length; k++) {
      const s = tree.split(order[k]!);
      if (s === undefined) continue;
      for (const child of [s.left, s.right]) {
        if (!Number.isInteger(child) || child < 0 || child >= n) throw new ModelFormatError(`${where}, node ${order[k]}: child ${child} is outside [0, ${n})`);
        if (newId[child] !== -1) throw new ModelFormatError(`${where}, node ${order[k]}: node ${child} is reached twice (a cycle or a shared subtree)`);
        newId[child] = order.length;
        order.push(child);
      }
    }
    // A source numbering that already is a creation order (XGBoost's, numerical splits) is kept, so
    // node ids (predictLeaf) are the source library's own.
    if (order.length === n && isCreationOrder(tree, n)) {
      for (let k = 0; k < n; k++) {
        order[k] = k;
        newId[k] = k;
      }
    }
    const base = this.value.length;
    const m = order.length;
    for (let k = 0; k < m; k++) {
      const id = order[k]!;
      const s = tree.split(id);
      const v = tree.value(id);
      this.gain.push(s ? finiteOr(tree.gain(id), 0) : 0);
      this.sumHess.push(finiteOr(tree.hess(id), 0));
      this.count.push(finiteOr(tree.count(id), 0));
      if (s === undefined) {
        if (!Number.isFinite(v)) throw new ModelFormatError(`${where}, leaf ${id}: the value ${v} is not finite`);
        this.left.push(-1);
        this.right.push(-1);
        this.feature.push(-1);
        this.threshold.push(0);
        this.defaultLeft.push(0);
        this.splitType.push(0);
        this.categorySet.push(-1);
        this.missingRule.push(0);
        this.categoryRule.push(0);
        this.value.push(v);
        continue;
      }
      if (!Number.isInteger(s.feature) || s.feature < 0 || s.feature >= this.numFeatures) {
        throw new ModelFormatError(`${where}, node ${id}: feature ${s.feature} is outside [0, ${this.numFeatures})`);
      }
      this.left.push(newId[s.left]!);
      this.right.push(newId[s.right]!);
      this.feature.push(s.feature);
      this.defaultLeft.push(s.defaultLeft ? 1 : 0);
      this.missingRule.push(s.missingRule);
      this.categoryRule.push(s.categoryRule);
      this.value.push(v); // NaN for now when unknown: filled bottom-up below
      if (s.categories !== undefined) {
        this.threshold.push(0);
        this.splitType.push(1);
        this.categorySet.push(this.sets.length);
        this.sets.push({ categories: bitset(s.categories, `${where}, node ${id}`), bins: new Uint32Array(0) });
      } else {
        if (Number.isNaN(s.threshold)) throw new ModelFormatError(`${where}, node ${id}: the threshold is NaN`);
        this.threshold.push(s.threshold);
        this.splitType.push(0);
        this.categorySet.push(-1);
      }
    }
    // Internal nodes without an expected output get the cover-weighted mean of their children
    // (children have larger new ids, so a reverse sweep sees them first).
    for (let k = m - 1; k >= 0; k--) {
      const i = base + k;
      if (this.left[i]! < 0 || Number.isFinite(this.value[i]!)) continue;
      const l = base + this.left[i]!;
      const r = base + this.right[i]!;
      const wl = this.sumHess[l]! || this.count[l]!;
      const wr = this.sumHess[r]! || this.count[r]!;
      this.value[i] = wl + wr > 0 ? (wl * this.value[l]! + wr * this.value[r]!) / (wl + wr) : (this.value[l]! + this.value[r]!) / 2;
    }
    this.counts.push(m);
  }

  get numTrees(): number {
    return this.counts.length;
  }

  arrays(): NativeGbdtTrees {
    return {
      nodeCounts: Int32Array.from(this.counts),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      feature: Int32Array.from(this.feature),
      threshold: Float64Array.from(this.threshold),
      thresholdBin: new Int32Array(this.left.length),
      defaultLeft: Uint8Array.from(this.defaultLeft),
      splitType: Uint8Array.from(this.splitType),
      categorySet: Int32Array.from(this.categorySet),
      missingRule: Uint8Array.from(this.missingRule),
      categoryRule: Uint8Array.from(this.categoryRule),
      value: Float64Array.from(this.value),
      gain: Float64Array.from(this.gain),
      sumHess: Float64Array.from(this.sumHess),
      count: Float64Array.from(this.count),
      categorySets: this.sets,
    };
  }
}

/**
 * True when every split's children are a consecutive pair (left, left + 1) numbered after their
 * parent, and the splits in the order of their left ids create nodes 1, 2, 3, ... (Tree's layout).
 */
function isCreationOrder(tree: SourceTree, n: number): boolean {
  const lefts: number[] = [];
  for (let id = 0; id < n; id++) {
    const s = tree.split(id);
    if (s === undefined) continue;
    if (s.right !== s.left + 1 || s.left <= id) return false;
    lefts.push(s.left);
  }
  lefts.sort((a, b) => a - b);
  return lefts.every((l, k) => l === 2 * k + 1);
}

function finiteOr(v: number, fallback: number): number {
  return Number.isFinite(v) ? v : fallback;
}

/** What an importer found, ready to become an estimator. */
export interface ImportedModelSpec {
  source: string;
  numFeatures: number;
  numOutputs: number;
  baseScore: number[];
  transform: NativeTransform;
  /** A classifier (classes 0..k-1, k = 2 for one output) or a regressor. */
  classifier: boolean;
  bestIteration: number;
  featureNames: string[];
  trees: TreePacker;
}

/** An imported model: a fitted GradientBoostingClassifier or GradientBoostingRegressor. */
export type ImportedModel = GradientBoostingClassifier | GradientBoostingRegressor;

/** Builds the native model and wraps it in the matching estimator. */
export function buildImported(spec: ImportedModelSpec): ImportedModel {
  if (spec.trees.numTrees % spec.numOutputs !== 0) {
    throw new ModelFormatError(`${spec.source}: expected a multiple of ${spec.numOutputs} trees (one per output per round) but found ${spec.trees.numTrees}`);
  }
  for (const b of spec.baseScore) if (!Number.isFinite(b)) throw new ModelFormatError(`${spec.source}: the base score ${b} is not finite`);
  const model = native.gbdt.modelFromTrees({
    ...spec.trees.arrays(),
    numFeatures: spec.numFeatures,
    numOutputs: spec.numOutputs,
    baseScore: Float64Array.from(spec.baseScore),
    transform: spec.transform,
    bestIteration: spec.bestIteration,
  });
  const names = spec.featureNames.length === spec.numFeatures ? spec.featureNames : [];
  if (spec.classifier) {
    const k = spec.numOutputs === 1 ? 2 : spec.numOutputs;
    return new GradientBoostingClassifier().adoptModel(model, spec.numFeatures, Array.from({ length: k }, (_, i) => i), names);
  }
  return new GradientBoostingRegressor().adoptModel(model, spec.numFeatures, undefined, names);
}

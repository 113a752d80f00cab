/**
 * Single CART trees ({@link DecisionTreeClassifier}, {@link DecisionTreeRegressor}), scikit-learn's
 * DecisionTree* in camelCase. Trained natively by the forest tree learner (native/core/forest) as a
 * forest of one tree without bootstrap; prediction goes through the compiled forest.
 */
import { registerEstimator } from '../core/estimator.js';
import { ModelFormatError } from '../core/errors.js';
import type { ParamTable } from '../core/params.js';
import {
  BaseForestClassifier,
  BaseForestRegressor,
  classifierParams,
  regressorParams,
  treeParams,
  type TreeClassifierOptions,
  type TreeOptions,
  type TreeRegressorOptions,
} from './forest.js';

/** Options of {@link DecisionTreeClassifier}. `maxFeatures` defaults to null (all features). */
export interface DecisionTreeClassifierOptions extends TreeOptions, TreeClassifierOptions {}

/** Options of {@link DecisionTreeRegressor}. `maxFeatures` defaults to null (all features). */
export interface DecisionTreeRegressorOptions extends TreeOptions, TreeRegressorOptions {}

/** A decision tree's JSON state is a forest's with exactly one tree (more would load as their average). */
function checkOneTree(name: string, numTrees: number): void {
  if (numTrees !== 1) throw new ModelFormatError(`Invalid ${name} state: expected 1 tree in trees.nodeCounts (a single decision tree) but received ${numTrees}`);
}

/**
 * A decision tree classifier: gini or entropy splits, leaves predict the weighted class frequencies
 * of their training rows (`predictProba`), NaN routed by a learned default direction.
 */
export class DecisionTreeClassifier extends BaseForestClassifier<DecisionTreeClassifierOptions> {
  static readonly params: ParamTable = [...treeParams(null), ...classifierParams];
  constructor(options: DecisionTreeClassifierOptions = {}) {
    super(options);
  }

  /** Depth of the tree (root = 0). */
  get depth(): number {
    return this.maxTreeDepth;
  }

  protected override stateFromJSON(state: unknown): void {
    super.stateFromJSON(state);
    checkOneTree(this.name, this.state_!.model.info().numTrees);
  }
}

/** A decision tree regressor: squared error (mean leaves) or absolute error (median leaves). */
export class DecisionTreeRegressor extends BaseForestRegressor<DecisionTreeRegressorOptions> {
  static readonly params: ParamTable = [...treeParams(null), ...regressorParams];
  constructor(options: DecisionTreeRegressorOptions = {}) {
    super(options);
  }

  /** Depth of the tree (root = 0). */
  get depth(): number {
    return this.maxTreeDepth;
  }

  protected override stateFromJSON(state: unknown): void {
    super.stateFromJSON(state);
    checkOneTree(this.name, this.state_!.model.info().numTrees);
  }
}

registerEstimator('DecisionTreeClassifier', DecisionTreeClassifier as never);
registerEstimator('DecisionTreeRegressor', DecisionTreeRegressor as never);

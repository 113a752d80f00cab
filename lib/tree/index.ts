/** Tree models: gradient boosting, forests, single trees and AdaBoost. */
export {
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  type GradientBoostingOptions,
  type GradientBoostingClassifierOptions,
  type GradientBoostingRegressorOptions,
  type GradientBoostingFitOptions,
  type EvalSetInput,
  type ObjectiveFunction,
  type CustomMetric,
  type MetricName,
  type GbdtPredictOptions,
  type LeafIndices,
} from './gradient-boosting.js';
export {
  RandomForestClassifier,
  RandomForestRegressor,
  ExtraTreesClassifier,
  ExtraTreesRegressor,
  type MaxFeatures,
  type TreeOptions,
  type ForestOptions,
  type TreeClassifierOptions,
  type TreeRegressorOptions,
  type RandomForestClassifierOptions,
  type RandomForestRegressorOptions,
  type ExtraTreesClassifierOptions,
  type ExtraTreesRegressorOptions,
} from './forest.js';
export {
  DecisionTreeClassifier,
  DecisionTreeRegressor,
  type DecisionTreeClassifierOptions,
  type DecisionTreeRegressorOptions,
} from './decision-tree.js';
export {
  AdaBoostClassifier,
  AdaBoostRegressor,
  type AdaBoostClassifierOptions,
  type AdaBoostRegressorOptions,
  type AdaBoostFitOptions,
} from './adaboost.js';
export type { RowInput } from './single-row.js';

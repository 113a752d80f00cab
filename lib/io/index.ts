/**
 * Model input/output: importers for XGBoost JSON and LightGBM text models. Imported models are
 * ordinary fitted GradientBoostingClassifier / GradientBoostingRegressor estimators.
 */
export { importXGBoost, lessThanAsLessEqual } from './xgboost.js';
export { float32Above } from './xgboost-export.js';
export { importLightGBM } from './lightgbm.js';
export type { ImportedModel } from './trees.js';
export { saveModel, loadModel, modelToBuffer, modelFromBuffer } from './persist.js';
export { gradientBoostingFromBuffer, loadGradientBoosting } from '../tree/gradient-boosting.js';
export { readCSV, type ReadCSVOptions, type CSVData, type CategoryMapping } from './csv.js';

/**
 * Data sets: the bundled toy tables (scikit-learn's `load_*`), a numeric CSV reader, and
 * synthetic generators with scikit-learn's semantics (`make_*`).
 */
export { loadBreastCancer, loadCsv, loadDiabetes, loadDigits, loadIris, loadWine } from './load.js';
export type { LoadCsvOptions, LoadedDataset } from './load.js';
export { makeClassification, makeFriedman1, makeRegression } from './generators.js';
export type {
  ClassificationData,
  MakeClassificationOptions,
  MakeFriedman1Options,
  MakeRegressionOptions,
  RegressionData,
} from './generators.js';

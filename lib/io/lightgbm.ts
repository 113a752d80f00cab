/**
 * LightGBM text models (`booster.save_model('m.txt')`, formats v2-v4) into ensemblekit.
 * Parsing and validation are native (native/core/io/lightgbm_text.cc); this file only hands the
 * text over and wraps the result.
 *
 * Node routing follows LightGBM's Tree::NumericalDecision / CategoricalDecision exactly:
 * - decision_type bit 0: categorical; bit 1: default left; bits 2-3: missing type.
 * - Missing type None: NaN is read as 0, so it goes where 0 goes: the importer makes the default
 *   side the side of 0 (`0 <= threshold`), no extra rule needed.
 * - Missing type Zero: NaN and |x| <= 1e-35 take the default side (the node carries MissingRule 1).
 * - Missing type NaN: NaN takes the default side.
 * - Categorical: NaN and negative values go right; otherwise the category is int(x) (toward zero)
 *   and goes left when its bit is set in the node's cat_threshold bitset (CategoryRule 1).
 * Leaf values are LightGBM's doubles; `average_output` (random-forest mode) divides by the number
 * of iterations. The start score is folded into the trees by LightGBM, so the base score is 0.
 * Objectives: binary, multiclass, multiclassova (per-class sigmoid), cross_entropy (sigmoid
 * regressor), regression, regression_l1, huber, fair, quantile, mape (identity), poisson, gamma,
 * tweedie (exp), lambdarank / rank_xendcg / custom (identity scores).
 * Refused with ModelFormatError: linear trees, `regression sqrt`, a sigmoid parameter other than 1,
 * cross_entropy_lambda.
 */
import { native } from '../native.js';
import { modelText, wrapImported, type ImportedModel } from './trees.js';

/**
 * Imports a LightGBM model saved as text (`Booster.save_model('model.txt')` / `model_to_string()`,
 * LightGBM v3 and v4): the text or the file's bytes. Returns a fitted
 * {@link GradientBoostingClassifier} (binary, multiclass, multiclassova; classes 0..k-1) or
 * {@link GradientBoostingRegressor} whose margins equal LightGBM's `predict(raw_score=True)`.
 * Throws ModelFormatError naming what is malformed or unsupported.
 */
export function importLightGBM(model: string | Uint8Array): ImportedModel {
  return wrapImported(native.io.importLightGBM(modelText(model, 'LightGBM')));
}

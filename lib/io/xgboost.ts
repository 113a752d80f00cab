/**
 * XGBoost JSON models (`booster.save_model('m.json')`, schema of 1.x and 2.x) into ensemblekit.
 * Parsing and validation are native (native/core/io/xgboost_json.cc, a strict bounded JSON reader
 * in native/core/io/json.h); this file only hands the text over and wraps the result.
 *
 * What is mapped, and how it stays exact:
 * - Numerical splits: XGBoost reads features as float32 and goes left when `float32(x) < cond`.
 *   The compiled forest goes left when `x <= threshold` on the raw double, so each condition is
 *   turned into the largest double whose float32 rounding is below it (see {@link lessThanAsLessEqual});
 *   every double input then takes the branch XGBoost would take. NaN takes `default_left`.
 * - Categorical splits (XGBoost >= 1.6): the categories a node lists go RIGHT in XGBoost and every
 *   other value (including invalid ones: negative, >= 2^24) goes left; the importer swaps the two
 *   children so the listed set goes left, as the compiled forest expects, and marks the node with
 *   XGBoost's reading of a category (int(float32(x))).
 * - Trees add to output `tree_info[t]`; dart trees are scaled by `weight_drop`; random-forest style
 *   models (num_parallel_tree > 1) are supported.
 * - base_score (output space; a scalar, or a per-class vector in newer files) becomes the raw start
 *   margin through the objective's link, as XGBoost's ProbToMargin does (in float32).
 * - Objectives: reg:squarederror / reg:linear / reg:pseudohubererror / reg:absoluteerror /
 *   reg:squaredlogerror / reg:quantileerror (identity), reg:logistic (sigmoid regressor),
 *   binary:logistic and binary:logitraw (binary classifiers; for logitraw predictRaw is XGBoost's
 *   output and predictProba its sigmoid), multi:softprob / multi:softmax (softmax classifiers),
 *   count:poisson / reg:gamma / reg:tweedie (exp link).
 * Refused with ModelFormatError: gblinear, multi-target trees (leaf vectors), other objectives.
 */
import { ModelFormatError } from '../core/errors.js';
import { native } from '../native.js';
import { modelText, wrapImported, type ImportedModel } from './trees.js';

/**
 * XGBoost's `float32(x) < t` (t a float32) as `x <= threshold` on doubles: the largest double
 * whose float32 rounding is below t (the midpoint between t and the float32 below it when that
 * midpoint rounds down, ties to even, else the double just below the midpoint). The importer
 * applies it to every numerical split condition.
 */
export function lessThanAsLessEqual(t: number): number {
  return native.io.xgboostThreshold(t);
}

/**
 * Imports an XGBoost model saved as JSON (`Booster.save_model('model.json')`, XGBoost 1.x / 2.x):
 * the JSON text, its parsed object, or the file's bytes. Returns a fitted
 * {@link GradientBoostingClassifier} (binary:*, multi:*; classes 0..k-1) or
 * {@link GradientBoostingRegressor} whose margins equal XGBoost's `predict(output_margin=True)`.
 * Throws ModelFormatError naming what is malformed or unsupported.
 */
export function importXGBoost(model: string | Uint8Array | object): ImportedModel {
  let text: string | Uint8Array;
  if (typeof model === 'object' && model !== null && !(model instanceof Uint8Array)) {
    // A parsed object goes back to text (NaN / Infinity become null, which the reader takes as NaN).
    try {
      const json: unknown = JSON.stringify(model);
      if (typeof json !== 'string') throw new Error('JSON.stringify gave no text');
      text = json;
    } catch (e) {
      throw new ModelFormatError(`Invalid XGBoost model: the object cannot be written as JSON (${(e as Error).message})`);
    }
  } else {
    text = modelText(model, 'XGBoost');
  }
  return wrapImported(native.io.importXGBoost(text));
}

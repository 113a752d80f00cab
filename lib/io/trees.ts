/**
 * The common back end of the importers: the native readers (native/core/io/import.h) parse,
 * validate and build the model; this wraps what they return in the matching estimator.
 */
import { ModelFormatError } from '../core/errors.js';
import { GradientBoostingClassifier, GradientBoostingRegressor } from '../tree/gradient-boosting.js';
import type { NativeImportedModel } from '../native.js';

/** An imported model: a fitted GradientBoostingClassifier or GradientBoostingRegressor. */
export type ImportedModel = GradientBoostingClassifier | GradientBoostingRegressor;

/** The model text handed to a native reader: a string or the file's bytes; anything else is refused. */
export function modelText(model: unknown, library: string): string | Uint8Array {
  if (typeof model === 'string' || model instanceof Uint8Array) return model;
  throw new ModelFormatError(`Invalid ${library} model: expected the model text (a string or a Uint8Array) but received ${model === null ? 'null' : typeof model}`);
}

/** Wraps a native reader's result in the estimator it stands for. */
export function wrapImported(r: NativeImportedModel): ImportedModel {
  if (r.classifier) {
    const k = r.numOutputs === 1 ? 2 : r.numOutputs;
    return new GradientBoostingClassifier().adoptModel(r.model, r.numFeatures, Array.from({ length: k }, (_, i) => i), r.featureNames);
  }
  return new GradientBoostingRegressor().adoptModel(r.model, r.numFeatures, undefined, r.featureNames);
}

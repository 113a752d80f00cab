/**
 * Saving and loading any estimator. Gradient-boosted models (trained or imported) use their native
 * binary form (`toBuffer()`, native/core/io/model_io.h); every other estimator, ensembles and
 * pipelines included, is written as its JSON form (`toJSON()`, members nested) in the binary
 * container of lib/core/model-bytes.ts, so a Stacking of GBDTs saves and loads whole.
 * `loadModel` tells the forms apart by their magic, and also reads plain UTF-8 JSON files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { estimatorFromJSON, type Estimator } from '../core/estimator.js';
import { ModelFormatError } from '../core/errors.js';
import { decodeModelBytes, encodeModelBytes, isModelBytes } from '../core/model-bytes.js';
import { gradientBoostingFromBuffer, isModelBuffer } from '../tree/gradient-boosting.js';

/** The bytes `saveModel` writes: the estimator's `toBuffer()` when fitted, else its JSON form in the model-bytes container. */
export function modelToBuffer(model: Estimator | { toJSON(): unknown }): Buffer {
  const withBuffer = model as { toBuffer?: () => Buffer; isFitted?: boolean };
  if (typeof withBuffer.toBuffer === 'function' && withBuffer.isFitted !== false) return withBuffer.toBuffer();
  return encodeModelBytes(model.toJSON());
}

/** Rebuilds an estimator from `modelToBuffer` bytes (either binary form) or UTF-8 JSON. Throws ModelFormatError. */
export function modelFromBuffer(bytes: Uint8Array): Estimator {
  if (!(bytes instanceof Uint8Array)) {
    const got = bytes === null ? 'null' : Array.isArray(bytes) ? 'an array' : typeof bytes;
    throw new ModelFormatError(`Expected a Buffer or Uint8Array of model bytes for 'bytes' but received ${got}`);
  }
  if (isModelBuffer(bytes)) return gradientBoostingFromBuffer(bytes);
  if (isModelBytes(bytes)) return estimatorFromJSON(decodeModelBytes(bytes));
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new ModelFormatError(`Not an ensemblekit model file: neither the binary form nor JSON (${(e as Error).message})`);
  }
  return estimatorFromJSON(json);
}

/** Writes `model` to `path` (see {@link modelToBuffer}). */
export function saveModel(model: Estimator | { toJSON(): unknown }, path: string): void {
  writeFileSync(path, modelToBuffer(model));
}

/** Reads a model written by `saveModel` or an estimator's `save(path)`. */
export function loadModel(path: string): Estimator {
  return modelFromBuffer(readFileSync(path));
}

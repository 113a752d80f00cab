/**
 * Saving and loading any estimator. Gradient-boosted models (trained or imported) use their compact
 * binary form (`toBuffer()`); every other estimator, ensembles and pipelines included, is written as
 * its JSON form (`toJSON()`, members nested), so a Stacking of GBDTs saves and loads whole.
 * `loadModel` tells the two apart by the binary magic.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { estimatorFromJSON, type Estimator } from '../core/estimator.js';
import { ModelFormatError } from '../core/errors.js';
import { gradientBoostingFromBuffer, isModelBuffer } from '../tree/gradient-boosting.js';

/** The bytes `saveModel` writes: the binary form when the estimator has one, else UTF-8 JSON. */
export function modelToBuffer(model: Estimator | { toJSON(): unknown }): Buffer {
  const withBuffer = model as { toBuffer?: () => Buffer; isFitted?: boolean };
  if (typeof withBuffer.toBuffer === 'function' && withBuffer.isFitted !== false) return withBuffer.toBuffer();
  return Buffer.from(JSON.stringify(model.toJSON()), 'utf8');
}

/** Rebuilds an estimator from `modelToBuffer` bytes (binary or JSON). Throws ModelFormatError. */
export function modelFromBuffer(bytes: Uint8Array): Estimator {
  if (!(bytes instanceof Uint8Array)) {
    const got = bytes === null ? 'null' : Array.isArray(bytes) ? 'an array' : typeof bytes;
    throw new ModelFormatError(`Expected a Buffer or Uint8Array of model bytes for 'bytes' but received ${got}`);
  }
  if (isModelBuffer(bytes)) return gradientBoostingFromBuffer(bytes);
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

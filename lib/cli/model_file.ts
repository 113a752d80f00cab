/**
 * The file `ensemblekit train` writes: the model in the library's own format (lib/io `modelToBuffer`)
 * wrapped with what the CLI needs to read new data the same way — the target name, the feature names
 * and the categorical mapping of the training CSV.
 *
 * Layout: `EKCL` (4 bytes), format version (u32 LE), length of the JSON header (u32 LE), the JSON
 * header ({@link CliModelMeta}), then the model bytes. A plain model file (`saveModel`, `ensemblekit
 * import`) is read too, with an empty mapping.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { Estimator } from '../core/estimator.js';
import { InvalidInputError, ModelFormatError } from '../core/errors.js';
import type { CategoryMapping } from '../io/csv.js';
import { modelFromBuffer, modelToBuffer } from '../io/persist.js';

/** What the CLI keeps beside the model. */
export interface CliModelMeta {
  /** 'classification' or 'regression'. */
  task: 'classification' | 'regression';
  /** The target column's name in the training data ('' when unknown). */
  target: string;
  /** Names of the model's input columns, in order. */
  featureNames: string[];
  /** Categorical mapping of the training CSV (features and a string target). */
  categories: CategoryMapping;
  /** The `--model` name it was trained with. */
  model?: string;
}

const magic = 'EKCL';
const version = 1;

export function writeCliModel(path: string, model: Estimator, meta: CliModelMeta): void {
  const header = Buffer.from(JSON.stringify(meta), 'utf8');
  const body = modelToBuffer(model);
  const out = Buffer.allocUnsafe(12 + header.length + body.length);
  out.write(magic, 0, 'latin1');
  out.writeUInt32LE(version, 4);
  out.writeUInt32LE(header.length, 8);
  header.copy(out, 12);
  body.copy(out, 12 + header.length);
  writeFileSync(path, out);
}

/** Reads a CLI model file or a plain model file; `meta` is undefined for the latter. */
export function readCliModel(path: string): { model: Estimator; meta: CliModelMeta | undefined } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InvalidInputError(`Cannot read the model file ${path}: ${(e as Error).message}`);
  }
  if (bytes.length < 4 || bytes.toString('latin1', 0, 4) !== magic) return { model: modelFromBuffer(bytes), meta: undefined };
  const bad = (what: string): never => {
    throw new ModelFormatError(`${path}: invalid ensemblekit CLI model (${what})`);
  };
  if (bytes.length < 12) bad('truncated');
  const v = bytes.readUInt32LE(4);
  if (v !== version) bad(`format version ${v}, this build reads ${version}`);
  const n = bytes.readUInt32LE(8);
  if (n > bytes.length - 12) bad('truncated header');
  let meta: CliModelMeta;
  try {
    meta = JSON.parse(bytes.toString('utf8', 12, 12 + n)) as CliModelMeta;
  } catch (e) {
    return bad(`unreadable header: ${(e as Error).message}`);
  }
  if (meta === null || typeof meta !== 'object' || !Array.isArray(meta.featureNames) || typeof meta.categories !== 'object') bad('header fields');
  return { model: modelFromBuffer(bytes.subarray(12 + n)), meta };
}

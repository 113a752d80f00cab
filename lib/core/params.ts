/**
 * Declarative parameter tables (house style, after LightGBM's config table): one table per
 * estimator or component lists each option's name, type, range, default and doc. The same table
 * validates at fit, answers getParams, and feeds the README's option tables.
 */
import { InvalidParameterError } from './errors.js';

export type ParamType = 'int' | 'number' | 'boolean' | 'string' | 'intArray' | 'any';

export interface ParamSpec {
  /** Option name (camelCase, scikit-learn's where it has one). */
  name: string;
  type: ParamType;
  /** Default value; `undefined` means "not set" (the component decides). */
  default: unknown;
  /** Inclusive lower bound for numbers (or array items). */
  min?: number;
  /** Inclusive upper bound for numbers (or array items). */
  max?: number;
  /** Exclusive lower bound, for ranges like (0, 1]. */
  gt?: number;
  /** Allowed values for strings (or numbers). */
  oneOf?: readonly (string | number)[];
  /** Also accepts `null` / `undefined` meaning "none". */
  nullable?: boolean;
  /** One-line documentation (README tables, TSDoc mirrors it). */
  doc: string;
}

export type ParamTable = readonly ParamSpec[];

function fail(owner: string, spec: ParamSpec, expected: string, value: unknown): never {
  const shown = typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? `[${value.join(', ')}]` : String(value);
  throw new InvalidParameterError(`Expected ${expected} for ${owner} parameter '${spec.name}' but received ${shown}`, spec.name);
}

function checkNumber(owner: string, spec: ParamSpec, v: unknown, integer: boolean): void {
  if (typeof v !== 'number' || Number.isNaN(v) || (integer && !Number.isInteger(v))) {
    fail(owner, spec, integer ? 'an integer' : 'a number', v);
  }
  const range = [
    spec.gt !== undefined ? `> ${spec.gt}` : spec.min !== undefined ? `>= ${spec.min}` : '',
    spec.max !== undefined ? `<= ${spec.max}` : '',
  ].filter(Boolean).join(' and ');
  if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max) || (spec.gt !== undefined && v <= spec.gt)) {
    fail(owner, spec, `${integer ? 'an integer' : 'a number'} ${range}`, v);
  }
}

/** Checks one value against its spec; throws InvalidParameterError naming owner and parameter. */
export function checkParam(owner: string, spec: ParamSpec, v: unknown): void {
  // undefined means "use the default"; null is an explicit "none", allowed where the spec says so.
  if (v === undefined) return;
  if (v === null) {
    if (spec.nullable || spec.default === undefined || spec.default === null) return;
    fail(owner, spec, 'a value', v);
  }
  if (spec.oneOf && (typeof v === 'string' || typeof v === 'number') && spec.oneOf.includes(v)) return;
  switch (spec.type) {
    case 'int':
    case 'number':
      if (spec.oneOf && typeof v === 'string') fail(owner, spec, `one of ${spec.oneOf.map((o) => JSON.stringify(o)).join(', ')} or a number`, v);
      checkNumber(owner, spec, v, spec.type === 'int');
      return;
    case 'boolean':
      if (typeof v !== 'boolean') fail(owner, spec, 'a boolean', v);
      return;
    case 'string':
      if (typeof v !== 'string' || spec.oneOf) fail(owner, spec, spec.oneOf ? `one of ${spec.oneOf.map((o) => JSON.stringify(o)).join(', ')}` : 'a string', v);
      return;
    case 'intArray':
      if (!Array.isArray(v) && !(v instanceof Int32Array)) fail(owner, spec, 'an array of integers', v);
      for (const item of v as ArrayLike<unknown> & Iterable<unknown>) checkNumber(owner, spec, item, true);
      return;
    case 'any':
      return;
  }
}

/**
 * Validates `given` against `table`: unknown names (with a 'did you mean' hint), types and ranges.
 * Returns every parameter with defaults filled in.
 */
export function resolveParams<T extends object>(table: ParamTable, given: object, owner: string): T {
  const known = table.map((s) => s.name);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) throw InvalidParameterError.unknown(key, known, owner);
  }
  const values = given as Record<string, unknown>;
  for (const spec of table) {
    const v = values[spec.name];
    checkParam(owner, spec, v);
    out[spec.name] = v === undefined ? spec.default : v;
  }
  return out as T;
}

/** A markdown table of the parameters (for the README). */
export function paramsMarkdown(table: ParamTable): string {
  const lines = ['| option | type | default | description |', '|---|---|---|---|'];
  for (const s of table) {
    const range = s.oneOf ? s.oneOf.map((o) => JSON.stringify(o)).join(' \\| ') : s.type;
    lines.push(`| \`${s.name}\` | ${range} | ${s.default === undefined ? '—' : JSON.stringify(s.default)} | ${s.doc} |`);
  }
  return lines.join('\n');
}

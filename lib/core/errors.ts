/**
 * The library's error classes. Every error it throws on purpose is an {@link EnsembleError} with a
 * stable `code`, so callers can branch on `err.code` (or `instanceof`) instead of parsing messages.
 * Native exceptions are mapped onto the same classes by the addon (see `lib/native.ts`).
 */

/** Base class of every error thrown by ensemblekit on purpose. */
export class EnsembleError extends Error {
  /** Stable machine-readable code, e.g. `ERR_INVALID_INPUT`. */
  readonly code: string;

  constructor(message: string, code = 'ERR_ENSEMBLE', options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad data: a ragged row, a shape mismatch, NaN or Infinity where not allowed, an unknown label. */
export class InvalidInputError extends EnsembleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'ERR_INVALID_INPUT', options);
  }
}

/** A parameter outside its domain, of the wrong type, or not known to the estimator. */
export class InvalidParameterError extends EnsembleError {
  /** The parameter concerned, when there is one. */
  readonly param: string | undefined;

  constructor(message: string, param?: string, options?: { cause?: unknown }) {
    super(message, 'ERR_INVALID_PARAMETER', options);
    this.param = param;
  }

  /**
   * The error for a parameter name the estimator does not know, with a 'did you mean' hint when a
   * known name is close (Damerau-Levenshtein distance <= 2, or a case-insensitive match).
   */
  static unknown(name: string, known: readonly string[], owner: string): InvalidParameterError {
    const hint = closestName(name, known);
    const suffix = hint !== undefined ? ` Did you mean '${hint}'?` : ` Known parameters: ${known.join(', ')}.`;
    return new InvalidParameterError(`Unknown parameter '${name}' for ${owner}.${suffix}`, name);
  }
}

/** A fitted-state getter or `predict` called before `fit`. */
export class NotFittedError extends EnsembleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'ERR_NOT_FITTED', options);
  }
}

/** A serialized or imported model that is malformed, truncated or of an unsupported version. */
export class ModelFormatError extends EnsembleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'ERR_MODEL_FORMAT', options);
  }
}

/** Work stopped through an `AbortSignal`. `name` is 'AbortError', as the platform's own. */
export class AbortError extends EnsembleError {
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, 'ABORT_ERR', options);
    this.name = 'AbortError';
  }
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}

/** The known name closest to `name`, if any is close enough to be a likely typo. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    if (candidate.toLowerCase() === lower) return candidate;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = Math.max(1, Math.min(2, Math.floor(name.length / 3)));
  return bestDistance <= limit ? best : undefined;
}

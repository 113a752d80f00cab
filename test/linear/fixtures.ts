/** The scikit-learn reference numbers (test/fixtures/sklearn_linear.py wrote them) and comparison helpers. */
import { readFileSync } from 'node:fs';
import { estimatorFromJSON } from '../../lib/core/estimator.js';
import { Matrix } from '../../lib/core/matrix.js';

export const sk: any = JSON.parse(readFileSync(new URL('../fixtures/sklearn_linear.json', import.meta.url), 'utf8'));

/**
 * Largest relative difference, with an absolute floor: |a - b| / max(|b|, floor). The floor keeps
 * entries that are ~0 in the reference (a coefficient of 1e-9, a probability of 1e-15) from
 * dominating; callers pick it from the scale of the quantity (e.g. 1e-3 * max |b| for coefficients).
 */
export function maxRel(a: ArrayLike<number>, b: ArrayLike<number>, floor = 0): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(Math.abs(b[i]!), floor));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

export function flat(rows: number[][] | number[]): number[] {
  return (rows as unknown[]).flatMap((r) => (Array.isArray(r) ? (r as number[]) : [r as number]));
}

/** Rows `idx` of a matrix. */
export function takeRows(X: Matrix, idx: number[]): Matrix {
  const out = Matrix.zeros(idx.length, X.cols);
  idx.forEach((r, i) => out.data.set(X.row(r), i * X.cols));
  return out;
}

export function take<T extends Float64Array | number[]>(y: T, idx: number[]): number[] {
  return idx.map((i) => y[i]!);
}

/** estimatorFromJSON typed as the class the test expects. */
export function revive<T>(json: unknown): T {
  return estimatorFromJSON(json) as unknown as T;
}

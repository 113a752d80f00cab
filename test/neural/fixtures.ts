/** The scikit-learn reference numbers (test/fixtures/sklearn_mlp.py wrote them) and shared helpers. */
import { readFileSync } from 'node:fs';
import { Matrix, StandardScaler, loadBreastCancer, loadDiabetes, loadDigits } from '../../lib/index.js';

export const sk: any = JSON.parse(readFileSync(new URL('../fixtures/sklearn_mlp.json', import.meta.url), 'utf8'));

export function takeRows(X: Matrix, idx: readonly number[]): Matrix {
  const out = Matrix.zeros(idx.length, X.cols);
  idx.forEach((r, i) => out.data.set(X.row(r), i * X.cols));
  return out;
}

export function take(y: ArrayLike<number>, idx: readonly number[]): number[] {
  return idx.map((i) => y[i]!);
}

const loaders = { digits: loadDigits, breast_cancer: loadBreastCancer, diabetes: loadDiabetes } as const;

/** The recorded train/test split of a data set, X standardised with the training rows' statistics. */
export function splitScaled(name: keyof typeof loaders, ref: { train: number[]; test: number[] }) {
  const { X, y } = loaders[name]();
  const scaler = new StandardScaler().fitSync(takeRows(X, ref.train));
  return {
    Xtr: scaler.transform(takeRows(X, ref.train)),
    ytr: take(y, ref.train),
    Xte: scaler.transform(takeRows(X, ref.test)),
    yte: take(y, ref.test),
  };
}

export function mean(v: readonly number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

/** A small seeded classification problem (two informative directions, a little noise). */
export function blobs(rows: number, cols: number, classes: number, seed: number): { X: Matrix; y: number[] } {
  let a = seed >>> 0;
  const r = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const X = Matrix.zeros(rows, cols);
  const y: number[] = [];
  for (let i = 0; i < rows; i++) {
    const c = i % classes;
    y.push(c);
    for (let j = 0; j < cols; j++) X.data[i * cols + j] = (r() * 2 - 1) + (j < 2 ? Math.cos(c + j) * 1.5 : 0);
  }
  return { X, y };
}

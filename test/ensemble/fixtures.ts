/** scikit-learn references (test/fixtures/sklearn_ensemble.py wrote them) and a user-written TS estimator. */
import { readFileSync } from 'node:fs';
import { BaseEstimator, registerEstimator, type Classifier, type FitOptions } from '../../lib/core/estimator.js';
import { encodeClasses, toLabels, toMatrix, type LabelInput, type MatrixInput } from '../../lib/core/input.js';
import { Matrix } from '../../lib/core/matrix.js';
import type { ParamTable } from '../../lib/core/params.js';

export const skEns: any = JSON.parse(readFileSync(new URL('../fixtures/sklearn_ensemble.json', import.meta.url), 'utf8'));

export function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s / a.length;
}

/**
 * A user-written classifier in plain TypeScript: nearest class centroid with softmax(-distance²/T)
 * probabilities. Uses the library's BaseEstimator for params, clone and JSON, as a user would.
 */
export class CentroidClassifier extends BaseEstimator<{ temperature?: number; seed?: number }> implements Classifier {
  static readonly params: ParamTable = [
    { name: 'temperature', type: 'number', default: 1, gt: 0, doc: 'Softmax temperature.' },
    { name: 'seed', type: 'int', default: 0, doc: 'Unused; checks that bagging hands seeds down.' },
  ];
  #classes: number[] | string[] = [];
  #centroids: Float64Array[] = [];
  fitCount = 0;

  constructor(o: { temperature?: number; seed?: number } = {}) {
    super(o);
  }

  async fit(X: MatrixInput, y?: LabelInput, opts: FitOptions = {}): Promise<this> {
    return this.fitSync(X, y, opts);
  }

  fitSync(X: MatrixInput, y?: LabelInput, _opts: Pick<FitOptions, 'sampleWeight'> = {}): this {
    const m = toMatrix(X);
    const { classes, indices } = encodeClasses(toLabels(y, m.rows));
    this.#classes = classes;
    this.#centroids = classes.map(() => new Float64Array(m.cols));
    const counts = new Float64Array(classes.length);
    for (let i = 0; i < m.rows; i++) {
      const c = indices[i]!;
      counts[c]!++;
      for (let j = 0; j < m.cols; j++) this.#centroids[c]![j]! += m.data[i * m.cols + j]!;
    }
    this.#centroids.forEach((cen, c) => cen.forEach((v, j) => (cen[j] = v / counts[c]!)));
    this.fitCount++;
    this.markFitted();
    return this;
  }

  get classes(): number[] | string[] {
    this.assertFitted('classes');
    return this.#classes;
  }

  predictProba(X: MatrixInput): Matrix {
    this.assertFitted('predictProba');
    const m = toMatrix(X);
    const k = this.#classes.length;
    const T = this.resolved().temperature;
    const out = Matrix.zeros(m.rows, k);
    for (let i = 0; i < m.rows; i++) {
      const d = this.#centroids.map((cen) => cen.reduce((s, v, j) => s + (m.data[i * m.cols + j]! - v) ** 2, 0));
      const lo = Math.min(...d);
      const e = d.map((v) => Math.exp(-(v - lo) / T));
      const s = e.reduce((a, b) => a + b, 0);
      e.forEach((v, c) => (out.data[i * k + c] = v / s));
    }
    return out;
  }

  predict(X: MatrixInput): Float64Array | string[] {
    const p = this.predictProba(X);
    const k = p.cols;
    const idx = Array.from({ length: p.rows }, (_, i) => {
      let b = 0;
      for (let c = 1; c < k; c++) if (p.data[i * k + c]! > p.data[i * k + b]!) b = c;
      return b;
    });
    return typeof this.#classes[0] === 'string' ? idx.map((b) => (this.#classes as string[])[b]!) : Float64Array.from(idx, (b) => (this.#classes as number[])[b]!);
  }

  protected stateToJSON(): unknown {
    return { classes: this.#classes, centroids: this.#centroids.map((c) => Array.from(c)) };
  }

  protected stateFromJSON(state: unknown): void {
    const s = state as { classes: number[]; centroids: number[][] };
    this.#classes = s.classes;
    this.#centroids = s.centroids.map((c) => Float64Array.from(c));
  }
}
registerEstimator('CentroidClassifier', CentroidClassifier as never);

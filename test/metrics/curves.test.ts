import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { metrics } from '../../lib/index.js';

interface Case {
  y: number[];
  score: number[];
  w: number[] | null;
  precision: number[];
  recall: number[];
  pr_thresholds: number[];
  average_precision: number;
  fpr: number[];
  tpr: number[];
  roc_thresholds: (number | null)[];
}
// Made by test/fixtures/sklearn_curves.py (scikit-learn 1.2.1).
const ref = JSON.parse(readFileSync(new URL('../fixtures/sklearn_curves.json', import.meta.url), 'utf8')) as { cases: Record<string, Case> };

function closeArrays(a: ArrayLike<number>, b: readonly number[], what: string) {
  expect(a.length, `${what} length`).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(Math.abs(a[i]! - b[i]!), `${what}[${i}]: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(1e-12);
}

describe('ROC and precision-recall curves vs sklearn.metrics', () => {
  for (const [name, c] of Object.entries(ref.cases)) {
    it(`precisionRecallCurve and averagePrecisionScore: ${name}`, () => {
      const w = c.w ?? undefined;
      const { precision, recall, thresholds } = metrics.precisionRecallCurve(c.y, c.score, w);
      closeArrays(precision, c.precision, 'precision');
      closeArrays(recall, c.recall, 'recall');
      closeArrays(thresholds, c.pr_thresholds, 'thresholds');
      expect(Math.abs(metrics.averagePrecisionScore(c.y, c.score, w) - c.average_precision)).toBeLessThanOrEqual(1e-12);
    });
    it(`rocCurve: ${name}`, () => {
      const { fpr, tpr, thresholds } = metrics.rocCurve(c.y, c.score, c.w ?? undefined);
      closeArrays(fpr, c.fpr, 'fpr');
      closeArrays(tpr, c.tpr, 'tpr');
      // scikit-learn 1.2 puts max(score) + 1 first where we put Infinity; the rest are the scores.
      expect(thresholds[0]).toBe(Infinity);
      closeArrays(thresholds.subarray(1), c.roc_thresholds.slice(1) as number[], 'roc thresholds');
    });
  }

  it('no positive label: recall is 1 at every threshold, as scikit-learn', () => {
    const { precision, recall } = metrics.precisionRecallCurve([0, 0, 0], [0.2, 0.5, 0.9]);
    expect(Array.from(recall)).toEqual([1, 1, 1, 0]);
    expect(Array.from(precision)).toEqual([0, 0, 0, 1]);
  });

  it('rejects labels and scores of different lengths', () => {
    expect(() => metrics.precisionRecallCurve([0, 1], [0.1, 0.2, 0.3])).toThrow(/Expected 3 labels/);
    expect(() => metrics.rocCurve([0, 1, 1], [0.1, 0.2, 0.3], [1, 1])).toThrow(/Expected 3 sample weights/);
  });
});

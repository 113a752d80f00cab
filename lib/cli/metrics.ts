/**
 * The scores the CLI prints for a model on labelled data: accuracy, log-loss and ROC AUC for a
 * classifier (the last two when it has predictProba and the data allows them), RMSE, MAE and R² for
 * a regressor.
 */
import { isClassifier, type Estimator } from '../core/estimator.js';
import type { Matrix } from '../core/matrix.js';
import { accuracyScore, logLoss } from '../metrics/classification.js';
import { rocAucScore } from '../metrics/ranking.js';
import { meanAbsoluteError, r2Score, rootMeanSquaredError } from '../metrics/regression.js';
import type { Task } from './models.js';

export const metricNames = { classification: ['accuracy', 'logloss', 'auc'], regression: ['rmse', 'mae', 'r2'] };

export function evaluate(est: Estimator, X: Matrix, y: Float64Array | string[], task: Task): Record<string, number> {
  if (task === 'regression') {
    const pred = est.predict(X) as Float64Array;
    return { rmse: rootMeanSquaredError(y, pred), mae: meanAbsoluteError(y, pred), r2: r2Score(y, pred) };
  }
  const out: Record<string, number> = { accuracy: accuracyScore(y, est.predict(X)) };
  if (!isClassifier(est)) return out;
  const classes = est.classes as (number | string)[];
  const P = est.predictProba(X);
  // Labels outside the model's classes, or a single class in y, leave these undefined (not 0).
  try {
    out.logloss = logLoss(y, P, { labels: classes });
  } catch {
    /* not defined for these labels */
  }
  try {
    if (classes.length === 2) {
      const positive = classes[1];
      const y01 = Float64Array.from(y as ArrayLike<number | string>, (v) => (v === positive ? 1 : 0));
      const score = Float64Array.from({ length: P.rows }, (_, i) => P.data[i * 2 + 1]!);
      out.auc = rocAucScore(y01, score) as number;
    } else {
      out.auc = rocAucScore(y, P, { multiClass: 'ovr', labels: classes }) as number;
    }
  } catch {
    /* one class only in y */
  }
  return out;
}

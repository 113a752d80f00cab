/**
 * The validation metric of a gradient-boosted model shown on the progress bar at every round. The
 * trainer reports only a fraction per round, so while the bar is drawn the CLI fits with a custom
 * metric computing the objective's own default metric (binary or multi-class log-loss, RMSE) from
 * the raw margins; the model's parameters are restored after the fit, so the saved model is the same.
 */
import type { CustomMetric } from '../tree/gradient-boosting.js';
import { GradientBoostingClassifier, GradientBoostingRegressor } from '../tree/gradient-boosting.js';

const eps = 1e-15;

/** Log-loss of margins (`rows x k`, k = 1: binary logistic) against class indices. */
export function marginLogLoss(raw: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = labels.length;
  const k = raw.length / n;
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (k === 1) {
      const p = 1 / (1 + Math.exp(-raw[i]!));
      s -= Math.log(Math.min(1 - eps, Math.max(eps, labels[i] === 1 ? p : 1 - p)));
    } else {
      let m = -Infinity;
      for (let j = 0; j < k; j++) m = Math.max(m, raw[i * k + j]!);
      let z = 0;
      for (let j = 0; j < k; j++) z += Math.exp(raw[i * k + j]! - m);
      const p = Math.exp(raw[i * k + labels[i]!]! - m) / z;
      s -= Math.log(Math.min(1 - eps, Math.max(eps, p)));
    }
  }
  return s / n;
}

/** RMSE of one-output margins (squared error: margin = prediction). */
export function marginRmse(raw: ArrayLike<number>, labels: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < labels.length; i++) s += (raw[i]! - labels[i]!) ** 2;
  return Math.sqrt(s / labels.length);
}

/**
 * A custom metric equal to the model's default one that also reports each value, or undefined when
 * the model has its own evalMetric or objective (the bar then shows rounds only). `nClasses`: of the
 * training labels (names the metric as the trainer would).
 */
export function liveMetric(est: unknown, report: (name: string, value: number) => void, nClasses = 2): CustomMetric | undefined {
  if (!(est instanceof GradientBoostingClassifier) && !(est instanceof GradientBoostingRegressor)) return undefined;
  const p = est.getParams(false);
  if (p.evalMetric !== null && p.evalMetric !== undefined) return undefined;
  if (est instanceof GradientBoostingClassifier && p.objective === 'auto') {
    // Named as the built-in metric would be, so the model's evalsResult reads the same.
    const name = nClasses > 2 ? 'multi_logloss' : 'logloss';
    return {
      name,
      fn: (raw, labels) => {
        const v = marginLogLoss(raw, labels);
        report(name, v);
        return v;
      },
    };
  }
  if (est instanceof GradientBoostingRegressor && p.objective === 'squared_error') {
    return {
      name: 'rmse',
      fn: (raw, labels) => {
        const v = marginRmse(raw, labels);
        report('rmse', v);
        return v;
      },
    };
  }
  return undefined;
}

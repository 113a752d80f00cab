/**
 * What the report shows for a model: each function reads what the model has (evalsResult, feature
 * importances, members) or scores it on the data, and returns HTML sections with their charts.
 * Nothing here needs to know the concrete estimator classes: it asks for the getters and methods.
 */
import type { Estimator } from '../core/estimator.js';
import { InvalidInputError } from '../core/errors.js';
import { toLabels, toMatrix, type LabelInput, type Labels, type MatrixInput } from '../core/input.js';
import { Matrix } from '../core/matrix.js';
import { accuracyScore, balancedAccuracyScore, confusionMatrix, logLoss } from '../metrics/classification.js';
import { averagePrecisionScore, precisionRecallCurve, rocAucScore, rocCurve } from '../metrics/ranking.js';
import { meanAbsoluteError, r2Score, rootMeanSquaredError } from '../metrics/regression.js';
import { classesOf, hasMethod, probaOf, predictOf } from '../metrics/outputs.js';
import type { LabelList } from '../metrics/labels.js';
import { barChart, esc, fmt, heatmap, lineChart, scatterChart, type Series } from './svg.js';

/** A section of the page: an id for anchors, a heading, its HTML. */
export interface Section {
  id: string;
  title: string;
  html: string;
}

/** Reads a getter that may throw (not fitted, not available): undefined instead. */
export function read<T>(obj: unknown, key: string): T | undefined {
  try {
    const v = (obj as Record<string, unknown>)[key];
    return v === undefined || v === null ? undefined : (v as T);
  } catch {
    return undefined;
  }
}

function table(rows: [string, string][]): string {
  return `<table class="kv">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
}

/** Learning curves from a gradient-boosting model's `evalsResult`: one chart per metric, one line per eval set. */
export function learningCurves(model: unknown, maxPoints: number): Section | undefined {
  const evals = read<Record<string, Record<string, number[]>>>(model, 'evalsResult');
  if (!evals || Object.keys(evals).length === 0) return undefined;
  const metricNames: string[] = [];
  for (const m of Object.values(evals)) for (const k of Object.keys(m)) if (!metricNames.includes(k)) metricNames.push(k);
  if (metricNames.length === 0) return undefined;
  const best = read<number>(model, 'bestIteration');
  const kept = read<number>(model, 'nEstimatorsFitted');
  const charts = metricNames.map((metric) => {
    const series: Series[] = [];
    let rounds = 0;
    for (const [set, m] of Object.entries(evals)) {
      const v = m[metric];
      if (!v) continue;
      rounds = Math.max(rounds, v.length);
      series.push({ name: set, x: Float64Array.from(v, (_, i) => i + 1), y: v });
    }
    // An early stop keeps bestIteration + 1 rounds of more trained: mark that round.
    const marker = best !== undefined && kept !== undefined && kept < rounds ? { x: best + 1, label: `best: ${best + 1}` } : undefined;
    return lineChart({
      chart: 'learning-curve',
      title: `${metric} per boosting round`,
      xLabel: 'round',
      yLabel: metric,
      series,
      marker,
      maxPoints,
      attrs: { metric, rounds },
    });
  });
  return { id: 'learning-curves', title: 'Learning curves', html: charts.join('') };
}

function featureName(names: string[] | undefined, i: number): string {
  return names && names[i] ? names[i]! : `f${i}`;
}

function importanceChart(kind: string, values: ArrayLike<number>, names: string[] | undefined, top: number, xLabel: string): string {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[b]! - values[a]! || a - b);
  const bars = order.slice(0, Math.min(top, values.length)).map((i) => ({ label: featureName(names, i), value: values[i]! }));
  const title = values.length > bars.length ? `Feature importance (${kind}), top ${bars.length} of ${values.length}` : `Feature importance (${kind})`;
  return barChart({ chart: `importance-${kind}`, title, bars, xLabel });
}

/**
 * Feature importance: 'gain' and 'split' for gradient boosting (a `featureImportances(type)`
 * method), the impurity importance for forests and AdaBoost (a `featureImportances` getter).
 */
export function importance(model: unknown, names: string[] | undefined, top: number): Section | undefined {
  const f = read<unknown>(model, 'featureImportances');
  let html = '';
  if (typeof f === 'function') {
    try {
      const gain = (f as (t: string) => Float64Array).call(model, 'gain');
      const split = (f as (t: string) => Float64Array).call(model, 'split');
      html = importanceChart('gain', gain, names, top, 'total gain of the splits') + importanceChart('split', split, names, top, 'number of splits');
    } catch {
      return undefined;
    }
  } else if (f !== undefined && typeof (f as ArrayLike<number>).length === 'number') {
    html = importanceChart('impurity', f as ArrayLike<number>, names, top, 'mean impurity decrease (normalised)');
  }
  return html ? { id: 'importance', title: 'Feature importance', html } : undefined;
}

function labelStrings(classes: LabelList): string[] {
  return (classes as (number | string)[]).map((c) => String(c));
}

/** 1 where the label equals `cls`, else 0. */
function oneVsRest(labels: Labels, cls: number | string): Float64Array {
  return Float64Array.from(labels.values as ArrayLike<number | string>, (v) => (v === cls ? 1 : 0));
}

/** Scores of a classifier: accuracy, balanced accuracy, log loss and ROC AUC; ROC, PR and confusion-matrix charts. */
export function classification(model: Estimator, X: Matrix, y: LabelInput, maxPoints: number): Section[] {
  const labels = toLabels(y, X.rows);
  const pred = predictOf(model, X);
  const classes = classesOf(model);
  const names = labelStrings(classes);
  const rows: [string, string][] = [
    ['rows', String(X.rows)],
    ['accuracy', fmt(accuracyScore(labels.values, pred))],
    ['balanced accuracy', fmt(balancedAccuracyScore(labels.values, pred))],
  ];
  const sections: Section[] = [];
  const curves: string[] = [];
  if (hasMethod(model, 'predictProba')) {
    const P = probaOf(model, X);
    const k = classes.length;
    const present = (classes as (number | string)[]).filter((c) => (labels.values as (number | string)[]).includes(c));
    try {
      rows.push(['log loss', fmt(logLoss(labels.values, P, { labels: classes as (number | string)[] }))]);
    } catch {
      // log loss needs every label of y among the classes; the other scores still stand.
    }
    // Binary: the curve of the second class (the positive one, as scikit-learn); several classes: one per class, one-vs-rest.
    const targets = k === 2 ? [1] : Array.from({ length: k }, (_, c) => c);
    const roc: Series[] = [];
    const pr: Series[] = [];
    const auc: string[] = [];
    for (const c of targets) {
      const cls = (classes as (number | string)[])[c]!;
      if (!present.includes(cls) || present.length < 2) continue;
      const y01 = oneVsRest(labels, cls);
      const score = Float64Array.from({ length: X.rows }, (_, i) => P.data[i * k + c]!);
      const r = rocCurve(y01, score);
      const p = precisionRecallCurve(y01, score);
      const a = rocAucScore(y01, score) as number;
      const ap = averagePrecisionScore(y01, score);
      const name = k === 2 ? String(cls) : `${String(cls)} vs rest`;
      roc.push({ name: `${name} (AUC ${fmt(a)})`, x: r.fpr, y: r.tpr });
      pr.push({ name: `${name} (AP ${fmt(ap)})`, x: p.recall, y: p.precision });
      auc.push(k === 2 ? fmt(a) : `${name}: ${fmt(a)}`);
    }
    if (roc.length > 0) {
      rows.push([k === 2 ? 'ROC AUC' : 'ROC AUC (one-vs-rest)', auc.join(', ')]);
      curves.push(
        lineChart({ chart: 'roc', title: 'ROC curve', xLabel: 'false positive rate', yLabel: 'true positive rate', series: roc, xDomain: [0, 1], yDomain: [0, 1.02], reference: [0, 0, 1, 1], legend: 'bottom-right', maxPoints }),
        lineChart({ chart: 'pr', title: 'Precision-recall curve', xLabel: 'recall', yLabel: 'precision', series: pr, xDomain: [0, 1], yDomain: [0, 1.02], legend: 'bottom-left', maxPoints }),
      );
    }
  }
  const cm = confusionMatrix(labels.values, pred, { labels: classes as (number | string)[] });
  sections.push({ id: 'scores', title: 'Scores on the data', html: table(rows) });
  if (curves.length > 0) sections.push({ id: 'curves', title: 'ROC and precision-recall', html: curves.join('') });
  sections.push({ id: 'confusion', title: 'Confusion matrix', html: heatmap({ chart: 'confusion', title: 'Confusion matrix (rows: true, columns: predicted)', labels: names, counts: cm.data }) });
  return sections;
}

/** Scores of a regressor (R², RMSE, MAE) and the predicted-vs-true and residual scatters. */
export function regression(model: Estimator, X: Matrix, y: LabelInput, maxPoints: number): Section[] {
  const labels = toLabels(y, X.rows);
  if (labels.kind !== 'number') throw new InvalidInputError('Expected numeric targets in data.y for the report of a regressor but received strings');
  const yt = labels.values;
  const pred = Float64Array.from(predictOf(model, X) as Float64Array);
  const resid = Float64Array.from(pred, (p, i) => yt[i]! - p);
  const rows: [string, string][] = [
    ['rows', String(X.rows)],
    ['R²', fmt(r2Score(yt, pred))],
    ['RMSE', fmt(rootMeanSquaredError(yt, pred))],
    ['MAE', fmt(meanAbsoluteError(yt, pred))],
  ];
  const note = X.rows > maxPoints ? `<p class="note">${maxPoints} of ${X.rows} rows drawn (evenly spaced).</p>` : '';
  return [
    { id: 'scores', title: 'Scores on the data', html: table(rows) },
    {
      id: 'residuals',
      title: 'Predictions and residuals',
      html:
        scatterChart({ chart: 'pred-vs-true', title: 'Predicted vs true', xLabel: 'true', yLabel: 'predicted', x: yt, y: pred, reference: 'diagonal', maxPoints }) +
        scatterChart({ chart: 'residuals', title: 'Residuals (true − predicted) vs predicted', xLabel: 'predicted', yLabel: 'residual', x: pred, y: resid, reference: 'zero', maxPoints }) +
        note,
    },
  ];
}

function columns(X: Matrix, cols: ArrayLike<number>): Matrix {
  const k = cols.length;
  const out = new Float64Array(X.rows * k);
  for (let i = 0; i < X.rows; i++) for (let j = 0; j < k; j++) out[i * k + j] = X.data[i * X.cols + cols[j]!]!;
  return new Matrix(out, X.rows, k);
}

/**
 * The members of an ensemble with the inputs each sees: named members (Stacking, Voting, Blending:
 * `namedEstimators`) or Bagging's members on their feature subsets (`estimators`, `estimatorsFeatures`).
 */
export function ensembleMembers(model: unknown, X: Matrix): { name: string; est: Estimator; X: Matrix }[] | undefined {
  const named = read<Record<string, Estimator>>(model, 'namedEstimators');
  if (named && typeof named === 'object') return Object.entries(named).map(([name, est]) => ({ name, est, X }));
  const list = read<Estimator[]>(model, 'estimators');
  const feats = read<Int32Array[]>(model, 'estimatorsFeatures');
  if (Array.isArray(list) && Array.isArray(feats) && list.length === feats.length && list.every((e) => hasMethod(e, 'predict'))) {
    return list.map((est, i) => ({ name: `member ${i}`, est, X: feats[i]!.length === X.cols && feats[i]!.every((c, j) => c === j) ? X : columns(X, feats[i]!) }));
  }
  return undefined;
}

/** Each member's score beside the ensemble's: accuracy for classifiers, R² for regressors. */
export function members(model: Estimator, X: Matrix, y: LabelInput, isClassifier: boolean): Section | undefined {
  const list = ensembleMembers(model, X);
  if (!list || list.length === 0) return undefined;
  const labels = toLabels(y, X.rows);
  const score = (est: Estimator, Xm: Matrix) => {
    const p = predictOf(est, Xm);
    return isClassifier ? accuracyScore(labels.values, p) : r2Score(labels.values as Float64Array, p as Float64Array);
  };
  const metric = isClassifier ? 'accuracy' : 'R²';
  const bars: { label: string; value: number; highlight?: boolean }[] = list.map((m) => ({ label: m.name, value: score(m.est, m.X) }));
  bars.push({ label: 'ensemble', value: score(model, X), highlight: true });
  const domain: [number, number] | undefined = isClassifier ? [0, 1] : undefined;
  return {
    id: 'members',
    title: 'Ensemble members',
    html: barChart({ chart: 'members', title: `${metric} of each member and of the ensemble`, bars, xLabel: metric, domain }),
  };
}

/** The model at a glance: kind, task, features, classes, rounds. */
export function summary(model: unknown, isClassifier: boolean): Section {
  const rows: [string, string][] = [];
  const name = read<string>(model, 'name') ?? (model as object).constructor?.name ?? 'model';
  rows.push(['model', String(name)]);
  rows.push(['task', isClassifier ? 'classification' : 'regression']);
  const nf = read<number>(model, 'nFeaturesIn');
  if (nf !== undefined) rows.push(['features', String(nf)]);
  if (isClassifier) {
    const c = read<unknown[]>(model, 'classes');
    if (Array.isArray(c)) rows.push(['classes', c.map(String).join(', ')]);
  }
  const rounds = read<number>(model, 'nEstimatorsFitted');
  if (rounds !== undefined) rows.push(['boosting rounds kept', String(rounds)]);
  const named = read<Record<string, unknown>>(model, 'namedEstimators');
  if (named) rows.push(['members', Object.keys(named).join(', ')]);
  const bag = read<unknown[]>(model, 'estimators');
  if (!named && Array.isArray(bag) && read(model, 'estimatorsFeatures')) rows.push(['members', String(bag.length)]);
  return { id: 'summary', title: 'Model', html: table(rows) };
}

/** X as a Matrix once, so every member and chart reads the same copy. */
export function dataMatrix(X: MatrixInput): Matrix {
  const m = toMatrix(X, { allowInfinity: true, name: 'data.X' });
  return m instanceof Matrix ? m : new Matrix(m.data instanceof Float64Array ? m.data : Float64Array.from(m.data), m.rows, m.cols);
}

/**
 * The model report: one self-contained HTML page (inline SVG and CSS, no script, no network) with
 * learning curves, feature importance, the scores and curves of the task on given data, and the
 * members of an ensemble beside it. `ensemblekit report MODEL --data TEST.csv --out report.html`
 * writes what {@link report} returns.
 */
import type { Estimator } from '../core/estimator.js';
import { InvalidInputError, InvalidParameterError } from '../core/errors.js';
import type { LabelInput, MatrixInput } from '../core/input.js';
import { isClassifierLike } from '../metrics/outputs.js';
import { classification, dataMatrix, importance, learningCurves, members, read, regression, summary, type Section } from './sections.js';
import { esc } from './svg.js';

/** Data the model is scored on (a test set): features and true targets. */
export interface ReportData {
  X: MatrixInput;
  y: LabelInput;
}

/** Options of {@link report}. */
export interface ReportOptions {
  /** Page title and heading. Default: `"<model name> report"`. */
  title?: string;
  /** Feature names for the importance charts. Default: the model's `featureNames` when it has them, else `f0, f1, ...`. */
  featureNames?: string[];
  /** Bars in each importance chart: the `topFeatures` most important features (all when fewer). Default 10. */
  topFeatures?: number;
  /** Most points per curve or scatter; longer ones are thinned evenly, keeping the ends. Default 2000. */
  maxPoints?: number;
}

const css = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;background:#fafafa}
body{max-width:1320px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:1.6em;margin:.4em 0}h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:1.6em}
nav a{margin-right:1em;color:#0072B2}
section>div.charts{display:flex;flex-wrap:wrap;gap:16px}
svg{background:#fff;border:1px solid #e3e3e3;border-radius:4px;max-width:100%;height:auto;font-size:12px}
svg .title{font-size:14px;font-weight:600}svg .label{font-size:12px;fill:#444}svg .note{font-size:11px;fill:#D55E00}
svg .plot{fill:none;stroke:#bbb}svg .grid{stroke:#eee}svg .axis text{fill:#555}
svg .ref{stroke:#888;stroke-dasharray:4 4}svg .value{fill:#333;font-size:11px}
table.kv{border-collapse:collapse;background:#fff}table.kv th,table.kv td{border:1px solid #e3e3e3;padding:4px 10px;text-align:left}
table.kv th{font-weight:600;background:#f3f3f3}p.note{color:#555;font-size:.9em}
`;

/**
 * The report of a fitted model as one HTML string. With `data`, the model is scored on it:
 * classifiers get accuracy, log loss, ROC and precision-recall curves and the confusion matrix;
 * regressors R², RMSE, MAE, predicted-vs-true and residual plots; ensembles (Stacking, Voting,
 * Blending, Bagging) each member's score beside the ensemble's. Without data, the page has what
 * the model itself holds: the learning curves of gradient boosting fitted with an `evalSet`
 * (`evalsResult`: one line per eval set, so pass the training set too, e.g. named 'train', to see
 * it beside the validation set) and the feature importances.
 *
 * The page loads nothing: charts are inline SVG, styles inline, no script, and a
 * Content-Security-Policy forbids any request. Output is deterministic for a given model and data.
 *
 * @example
 * ```ts
 * const html = report(model, { X: Xtest, y: ytest });
 * await writeFile('report.html', html);
 * ```
 */
export function report(model: Estimator, data?: ReportData, options: ReportOptions = {}): string {
  if (model === null || typeof model !== 'object' || typeof (model as { predict?: unknown }).predict !== 'function') {
    throw new InvalidParameterError('Expected a fitted estimator (an object with predict) for report(model) but received ' + (model === null ? 'null' : typeof model), 'model');
  }
  const top = options.topFeatures ?? 10;
  if (!Number.isInteger(top) || top < 1) throw new InvalidParameterError(`Expected a positive integer for report option 'topFeatures' but received ${String(top)}`, 'topFeatures');
  const maxPoints = options.maxPoints ?? 2000;
  if (!Number.isInteger(maxPoints) || maxPoints < 2) throw new InvalidParameterError(`Expected an integer >= 2 for report option 'maxPoints' but received ${String(maxPoints)}`, 'maxPoints');
  if (data !== undefined && (data === null || typeof data !== 'object' || data.X === undefined || data.y === undefined)) {
    throw new InvalidInputError('Expected { X, y } for report(model, data)');
  }

  const isClassifier = isClassifierLike(model);
  const names = options.featureNames ?? (() => {
    const n = read<string[]>(model, 'featureNames');
    return Array.isArray(n) && n.length > 0 ? n : undefined;
  })();
  const modelName = read<string>(model, 'name') ?? model.constructor?.name ?? 'model';
  const title = options.title ?? `${modelName} report`;

  const sections: Section[] = [summary(model, isClassifier)];
  if (data !== undefined) {
    const X = dataMatrix(data.X);
    sections.push(...(isClassifier ? classification(model, X, data.y, maxPoints) : regression(model, X, data.y, maxPoints)));
    const m = members(model, X, data.y, isClassifier);
    if (m) sections.push(m);
  }
  const lc = learningCurves(model, maxPoints);
  if (lc) sections.push(lc);
  const imp = importance(model, names, top);
  if (imp) sections.push(imp);

  const nav = sections.map((s) => `<a href="#${esc(s.id)}">${esc(s.title)}</a>`).join('');
  const body = sections.map((s) => `<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2><div class="charts">${s.html}</div></section>`).join('\n');
  const noData = data === undefined ? '<p class="note">No data given: scores, curves and member comparisons need <code>report(model, { X, y })</code> (the CLI\'s <code>--data</code>).</p>' : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ensemblekit">
<title>${esc(title)}</title>
<link rel="icon" href="data:,">
<style>${css}</style>
</head>
<body>
<header><h1>${esc(title)}</h1><nav>${nav}</nav>${noData}</header>
${body}
</body>
</html>
`;
}

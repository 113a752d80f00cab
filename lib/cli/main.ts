/**
 * The `ensemblekit` command line. Each subcommand is one entry of {@link commands} (its options, usage
 * and a `run` that returns a result object); `main` parses, dispatches, prints the result as text or
 * as JSON (`--json`) and maps failures to exit codes: 0 ok, 1 error, 2 usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EnsembleError, InvalidParameterError } from '../core/errors.js';
import { isClassifier, type Estimator } from '../core/estimator.js';
import { saveModel } from '../io/persist.js';
import { importLightGBM } from '../io/lightgbm.js';
import { importXGBoost } from '../io/xgboost.js';
import { KFold, StratifiedKFold, trainTestSplit } from '../model_selection/split.js';
import { Matrix } from '../core/matrix.js';
import { GradientBoostingClassifier, GradientBoostingRegressor } from '../tree/gradient-boosting.js';
import { alignColumns, datasets, detectTask, loadCsvTable, loadDataset, takeLabels, takeRows, type Table } from './data.js';
import { evaluate, metricNames } from './metrics.js';
import { declareCategorical, makeModel, models, type Task } from './models.js';
import { readCliModel, writeCliModel, type CliModelMeta } from './model_file.js';
import { Progress } from './progress.js';
import { liveMetric } from './live_metric.js';
import { report } from '../report/index.js';

/** A command-line mistake: printed with the usage, exit code 2. */
export class UsageError extends Error {
  readonly code = 'ERR_USAGE';
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

interface Context {
  progress: Progress;
  json: boolean;
}

interface Result {
  /** The machine-readable result (printed with --json). */
  json: Record<string, unknown>;
  /** The human-readable form. */
  text: string;
}

interface Command {
  summary: string;
  usage: string;
  options: Options;
  /** Allowed number of positional arguments [min, max]. */
  positionals: [number, number];
  run(values: Values, positionals: string[], ctx: Context): Promise<Result>;
}

const common: Options = {
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
};

const dataOptions: Options = {
  target: { type: 'string', short: 't' },
  dataset: { type: 'string', short: 'd' },
};

const trainOptions: Options = {
  ...dataOptions,
  model: { type: 'string', short: 'm' },
  params: { type: 'string', short: 'p' },
  task: { type: 'string' },
  seed: { type: 'string' },
};

// ---------------------------------------------------------------------------------------------
// Helpers

function str(v: Values, key: string): string | undefined {
  const x = v[key];
  return typeof x === 'string' ? x : undefined;
}

function intOption(v: Values, key: string, fallback: number, min: number): number {
  const s = str(v, key);
  if (s === undefined) return fallback;
  const n = Number(s);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${key} expects an integer >= ${min} but received '${s}'`);
  return n;
}

/** --params: inline JSON or @file. */
function paramsOption(v: Values): Record<string, unknown> {
  const s = str(v, 'params');
  if (s === undefined) return {};
  let text = s;
  if (s.startsWith('@')) {
    try {
      text = readFileSync(s.slice(1), 'utf8');
    } catch (e) {
      throw new UsageError(`--params: cannot read ${s.slice(1)}: ${(e as Error).message}`);
    }
  }
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--params expects a JSON object or @file: ${(e as Error).message}`);
  }
  if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new UsageError('--params expects a JSON object');
  return p as Record<string, unknown>;
}

/** The training table from a file positional or --dataset. */
function trainingTable(v: Values, positionals: string[]): Table {
  const dataset = str(v, 'dataset');
  if (dataset !== undefined) {
    if (positionals.length > 0) throw new UsageError('Give either a CSV file or --dataset, not both');
    if (!(dataset.replace(/-/g, '_') in datasets)) throw new UsageError(`Unknown --dataset '${dataset}'; expected one of ${Object.keys(datasets).join(', ')}`);
    const t = loadDataset(dataset);
    const target = str(v, 'target');
    if (target !== undefined && target !== t.targetName) {
      throw new UsageError(`--target '${target}' is not the target of --dataset ${dataset} (its target column is '${t.targetName}'); leave --target out`);
    }
    return t;
  }
  if (positionals.length === 0) throw new UsageError('Missing the data: a CSV file or --dataset NAME');
  const target = str(v, 'target');
  if (target === undefined) throw new UsageError('Missing --target COLUMN (a header name or a 0-based index)');
  const t = loadCsvTable(positionals[0]!, target);
  if (t.y === undefined) throw new UsageError(`--target '${target}' named no column`);
  return t;
}

function taskOf(v: Values, t: Table): Task {
  const task = str(v, 'task');
  if (task !== undefined) {
    if (task !== 'classification' && task !== 'regression') throw new UsageError(`--task expects classification or regression but received '${task}'`);
    return task;
  }
  return t.task ?? detectTask(t.y!);
}

function modelOf(v: Values, task: Task, t: Table): { name: string; est: Estimator } {
  const name = str(v, 'model') ?? 'gbdt';
  if (!(name in models)) throw new UsageError(`Unknown --model '${name}'; expected one of ${Object.keys(models).join(', ')}`);
  const seed = intOption(v, 'seed', 0, 0);
  const est = makeModel(name, task, seed, paramsOption(v));
  declareCategorical(
    est,
    t.featureNames.flatMap((n, i) => (n in t.categories ? [i] : [])),
  );
  return { name, est };
}

/** Labels as the estimator wants them: numbers for regression, numbers or strings for classes. */
function checkLabels(y: Float64Array | string[], task: Task): Float64Array | string[] {
  if (task === 'regression' && !(y instanceof Float64Array)) throw new InvalidParameterError('The target holds strings: a regression needs numbers (use --task classification)', 'task');
  return y;
}

function isGbdt(est: Estimator): boolean {
  return est instanceof GradientBoostingClassifier || est instanceof GradientBoostingRegressor;
}

function formatMetrics(m: Record<string, number>): string {
  return Object.entries(m)
    .map(([k, x]) => `${k} ${Number.isFinite(x) ? x.toFixed(4) : String(x)}`)
    .join('  ');
}

/** A model and the columns it reads, from a CLI model file or a plain model file. */
function openModel(path: string): { model: Estimator; meta: CliModelMeta } {
  const { model, meta } = readCliModel(path);
  if (meta !== undefined) return { model, meta };
  const names = (model as { featureNames?: string[] }).featureNames;
  return {
    model,
    meta: { task: isClassifier(model) ? 'classification' : 'regression', target: '', featureNames: Array.isArray(names) ? names : [], categories: {} },
  };
}

/** The table to predict on or evaluate: file (read with the model's mapping) or --dataset. */
function scoringTable(v: Values, positionals: string[], meta: CliModelMeta, needTarget: boolean): { X: Matrix; y: Float64Array | string[] | undefined } {
  const dataset = str(v, 'dataset');
  let t: Table;
  let source: string;
  if (dataset !== undefined) {
    if (positionals.length > 1) throw new UsageError('Give either a CSV file or --dataset, not both');
    if (!(dataset.replace(/-/g, '_') in datasets)) throw new UsageError(`Unknown --dataset '${dataset}'`);
    t = loadDataset(dataset);
    source = dataset;
  } else {
    if (positionals.length < 2) throw new UsageError('Missing the data: a CSV file or --dataset NAME');
    source = positionals[1]!;
    const target = str(v, 'target') ?? (meta.target !== '' ? meta.target : undefined);
    if (needTarget && target === undefined) throw new UsageError('Missing --target COLUMN (the model file does not name its target)');
    t = loadCsvTable(source, target, { categories: meta.categories, optionalTarget: !needTarget });
  }
  if (needTarget && t.y === undefined) throw new UsageError(`${source} has no target column`);
  return { X: alignColumns(t, meta.featureNames, source), y: t.y };
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// ---------------------------------------------------------------------------------------------
// Commands: one entry each.

export const commands: Record<string, Command> = {
  train: {
    summary: 'train a model on a CSV file or a bundled data set and save it',
    usage:
      'ensemblekit train DATA.csv --target COL [--model NAME] [--params JSON|@file] [--valid FILE | --valid-fraction F] [--out MODEL]\n' +
      '       ensemblekit train --dataset iris [--model NAME] ...\n' +
      `  --model      ${Object.entries(models).map(([k, m]) => `${k} (${m.doc})`).join(', ')}; default gbdt\n` +
      '  --params     estimator options as JSON (nested members as member__option), or @file.json\n' +
      '  --task       classification | regression (default: from the target)\n' +
      '  --seed       seed of the model and of --valid-fraction (default 0)\n' +
      '  --out        where to save the model (default model.ek)',
    options: { ...trainOptions, valid: { type: 'string' }, 'valid-fraction': { type: 'string' }, out: { type: 'string', short: 'o' } },
    positionals: [0, 1],
    async run(v, positionals, ctx) {
      const t = trainingTable(v, positionals);
      const task = taskOf(v, t);
      const { name, est } = modelOf(v, task, t);
      let X = t.X;
      let y = checkLabels(t.y!, task);
      let valid: { X: Matrix; y: Float64Array | string[] } | undefined;
      const validFile = str(v, 'valid');
      const fraction = str(v, 'valid-fraction');
      if (validFile !== undefined && fraction !== undefined) throw new UsageError('Give --valid or --valid-fraction, not both');
      if (validFile !== undefined) {
        const vt = loadCsvTable(validFile, t.targetName, { categories: t.categories });
        if (vt.y === undefined) throw new UsageError(`${validFile} has no column '${t.targetName}'`);
        valid = { X: alignColumns(vt, t.featureNames, validFile), y: vt.y };
      } else if (fraction !== undefined) {
        const f = Number(fraction);
        if (!(f > 0 && f < 1)) throw new UsageError(`--valid-fraction expects a number in (0, 1) but received '${fraction}'`);
        const s = trainTestSplit(X, y, { testSize: f, seed: intOption(v, 'seed', 0, 0), stratify: task === 'classification' ? true : undefined });
        X = new Matrix(Float64Array.from(s.XTrain.data), s.XTrain.rows, s.XTrain.cols);
        y = s.yTrain!;
        valid = { X: new Matrix(Float64Array.from(s.XTest.data), s.XTest.rows, s.XTest.cols), y: s.yTest! };
      }
      const rounds = Number(est.getParams(false).nEstimators ?? 0);
      let last = '';
      const onProgress = (f: number, label: string): void =>
        ctx.progress.update(f, label === 'boosting' && rounds > 0 ? `boosting round ${Math.round(f * rounds)}/${rounds}${last}` : label || `training ${name}`);
      const t0 = performance.now();
      const fitOpts: Record<string, unknown> = { onProgress };
      // While the bar is drawn, a gbdt with a validation set reports its metric every round.
      const live = ctx.progress.enabled && valid !== undefined ? liveMetric(est, (metric, value) => (last = `  valid ${metric} ${value.toFixed(5)}`), new Set<number | string>(y).size) : undefined;
      const savedMetric = est.getParams(false).evalMetric;
      if (live !== undefined) est.setParams({ evalMetric: live });
      if (valid !== undefined && isGbdt(est)) fitOpts.evalSet = [{ X: valid.X, y: valid.y, name: 'valid' }];
      ctx.progress.update(0, `training ${name}`);
      try {
        await est.fit(X, y, fitOpts);
      } finally {
        if (live !== undefined) est.setParams({ evalMetric: savedMetric });
      }
      ctx.progress.done();
      const seconds = (performance.now() - t0) / 1000;
      const out = str(v, 'out') ?? 'model.ek';
      writeCliModel(out, est, { task, target: t.targetName, featureNames: t.featureNames, categories: t.categories, model: name });
      const json: Record<string, unknown> = {
        model: name,
        estimator: est.constructor.name,
        task,
        rows: X.rows,
        features: X.cols,
        seconds,
        out,
        train: evaluate(est, X, y, task),
      };
      if (valid !== undefined) json.valid = evaluate(est, valid.X, valid.y, task);
      const lines = [
        `trained ${name} (${est.constructor.name}, ${task}) on ${X.rows} rows x ${X.cols} features in ${seconds.toFixed(2)} s`,
        `train: ${formatMetrics(json.train as Record<string, number>)}`,
      ];
      if (json.valid !== undefined) lines.push(`valid: ${formatMetrics(json.valid as Record<string, number>)}`);
      lines.push(`saved to ${out}`);
      return { json, text: lines.join('\n') };
    },
  },

  predict: {
    summary: 'predict with a saved model; writes CSV (one prediction per row)',
    usage:
      'ensemblekit predict MODEL DATA.csv [--out FILE] [--proba]\n' +
      '  the target column, when the file has one, is ignored; --proba adds one probability column per class',
    options: { ...dataOptions, out: { type: 'string', short: 'o' }, proba: { type: 'boolean' } },
    positionals: [1, 2],
    async run(v, positionals) {
      const { model, meta } = openModel(positionals[0]!);
      const { X } = scoringTable(v, positionals, meta, false);
      const pred = model.predict(X);
      const wantProba = v.proba === true;
      if (wantProba && !isClassifier(model)) throw new UsageError('--proba needs a classifier');
      const proba = wantProba && isClassifier(model) ? model.predictProba(X) : undefined;
      const classes = proba !== undefined && isClassifier(model) ? model.classes.map(String) : [];
      const lines = [['prediction', ...classes.map((c) => `proba_${c}`)].map(csvField).join(',')];
      for (let i = 0; i < X.rows; i++) {
        const row = [String(pred[i])];
        if (proba !== undefined) for (let k = 0; k < proba.cols; k++) row.push(String(proba.data[i * proba.cols + k]));
        lines.push(row.map(csvField).join(','));
      }
      const text = lines.join('\n') + '\n';
      const out = str(v, 'out');
      if (out !== undefined) {
        const { writeFileSync } = await import('node:fs');
        writeFileSync(out, text);
      }
      const json: Record<string, unknown> = { rows: X.rows, predictions: Array.from(pred as ArrayLike<number | string>) };
      if (proba !== undefined) json.proba = proba.toArray();
      if (out !== undefined) json.out = out;
      return { json, text: out !== undefined ? `wrote ${X.rows} predictions to ${out}` : text.trimEnd() };
    },
  },

  evaluate: {
    summary: `score a saved model on labelled data (${metricNames.classification.join('/')} or ${metricNames.regression.join('/')})`,
    usage: 'ensemblekit evaluate MODEL DATA.csv [--target COL]\n       ensemblekit evaluate MODEL --dataset iris',
    options: { ...dataOptions },
    positionals: [1, 2],
    async run(v, positionals) {
      const { model, meta } = openModel(positionals[0]!);
      const { X, y } = scoringTable(v, positionals, meta, true);
      const task: Task = isClassifier(model) ? 'classification' : 'regression';
      const metrics = evaluate(model, X, y!, task);
      return { json: { task, rows: X.rows, metrics }, text: `${task} on ${X.rows} rows: ${formatMetrics(metrics)}` };
    },
  },

  cv: {
    summary: 'k-fold cross-validation scores of a model on a CSV file or a bundled data set',
    usage: 'ensemblekit cv DATA.csv --target COL [--model NAME] [--params JSON|@file] [--folds K]\n       ensemblekit cv --dataset iris --model rf',
    options: { ...trainOptions, folds: { type: 'string', short: 'k' } },
    positionals: [0, 1],
    async run(v, positionals, ctx) {
      const t = trainingTable(v, positionals);
      const task = taskOf(v, t);
      const { name, est } = modelOf(v, task, t);
      const y = checkLabels(t.y!, task);
      const k = intOption(v, 'folds', 5, 2);
      const seed = intOption(v, 'seed', 0, 0);
      const splitter = task === 'classification' ? new StratifiedKFold({ nSplits: k, shuffle: true, seed }) : new KFold({ nSplits: k, shuffle: true, seed });
      const splits = splitter.split(t.X, y);
      const folds: Record<string, number>[] = [];
      for (let i = 0; i < splits.length; i++) {
        const [train, test] = splits[i]!;
        const label = `fold ${i + 1}/${splits.length}`;
        ctx.progress.update(i / splits.length, label);
        const fold = est.clone();
        await fold.fit(takeRows(t.X, train), takeLabels(y, train), { onProgress: (f: number) => ctx.progress.update((i + f) / splits.length, label) });
        folds.push(evaluate(fold, takeRows(t.X, test), takeLabels(y, test), task));
      }
      ctx.progress.done();
      const mean: Record<string, number> = {};
      const std: Record<string, number> = {};
      for (const key of Object.keys(folds[0] ?? {})) {
        const xs = folds.map((f) => f[key]!);
        const m = xs.reduce((a, b) => a + b, 0) / xs.length;
        mean[key] = m;
        std[key] = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
      }
      const lines = folds.map((f, i) => `fold ${i + 1}: ${formatMetrics(f)}`);
      lines.push(`mean:   ${formatMetrics(mean)}`, `std:    ${formatMetrics(std)}`);
      return { json: { model: name, task, folds, mean, std }, text: `${k}-fold cross-validation of ${name} (${task}), ${t.X.rows} rows\n${lines.join('\n')}` };
    },
  },

  import: {
    summary: 'convert an XGBoost JSON or LightGBM text model to the ensemblekit format',
    usage: 'ensemblekit import MODEL.json|MODEL.txt --out MODEL.ek [--format xgboost|lightgbm]',
    options: { out: { type: 'string', short: 'o' }, format: { type: 'string' } },
    positionals: [1, 1],
    async run(v, positionals) {
      const path = positionals[0]!;
      const out = str(v, 'out');
      if (out === undefined) throw new UsageError('Missing --out FILE');
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (e) {
        throw new EnsembleError(`Cannot read ${path}: ${(e as Error).message}`, 'ERR_INVALID_INPUT');
      }
      let format = str(v, 'format');
      if (format === undefined) format = text.trimStart().startsWith('{') ? 'xgboost' : 'lightgbm';
      if (format !== 'xgboost' && format !== 'lightgbm') throw new UsageError(`--format expects xgboost or lightgbm but received '${format}'`);
      const model = format === 'xgboost' ? importXGBoost(text) : importLightGBM(text);
      saveModel(model, out);
      const s = summary(model, undefined);
      return { json: { format, out, ...s }, text: `imported ${format} model: ${s.kind}, ${s.trees} trees, ${s.features} features -> ${out}` };
    },
  },

  report: {
    summary: 'write a self-contained HTML report (learning curves, importance, ROC/PR or residuals) of a saved model',
    usage:
      'ensemblekit report MODEL [DATA.csv | --dataset NAME] [--target COL] [--out report.html] [--title TEXT]\n' +
      '  with data, the model is scored on it (curves, confusion matrix or residual plots); without, the page has\n' +
      '  what the model holds (learning curves of a gbdt trained with a validation set, feature importance)',
    options: { ...dataOptions, out: { type: 'string', short: 'o' }, title: { type: 'string' } },
    positionals: [1, 2],
    async run(v, positionals) {
      const { model, meta } = openModel(positionals[0]!);
      const withData = positionals.length > 1 || str(v, 'dataset') !== undefined;
      const data = withData ? scoringTable(v, positionals, meta, true) : undefined;
      const html = report(model, data !== undefined ? { X: data.X, y: data.y! } : undefined, {
        title: str(v, 'title'),
        featureNames: meta.featureNames.length > 0 ? meta.featureNames : undefined,
      });
      const out = str(v, 'out') ?? 'report.html';
      const { writeFileSync } = await import('node:fs');
      writeFileSync(out, html);
      const charts = (html.match(/<svg data-chart=/g) ?? []).length;
      return {
        json: { out, bytes: Buffer.byteLength(html), charts, rows: data?.X.rows ?? 0 },
        text: `wrote ${out}: ${charts} charts${data !== undefined ? ` on ${data.X.rows} rows` : ''} (${(Buffer.byteLength(html) / 1024).toFixed(1)} KiB, self-contained)`,
      };
    },
  },

  info: {
    summary: 'describe a saved model: kind, trees, features, classes, top-10 importance',
    usage: 'ensemblekit info MODEL',
    options: {},
    positionals: [1, 1],
    async run(_v, positionals) {
      const { model, meta } = openModel(positionals[0]!);
      const s = summary(model, meta);
      const lines = [
        `kind:      ${s.kind}${meta.model ? ` (--model ${meta.model})` : ''}`,
        `task:      ${s.task}`,
        `trees:     ${s.trees ?? '-'}`,
        `features:  ${s.features}`,
      ];
      if (s.classes !== undefined) lines.push(`classes:   ${s.classes.join(', ')}`);
      if (meta.target) lines.push(`target:    ${meta.target}`);
      const cats = Object.keys(meta.categories);
      if (cats.length > 0) lines.push(`categorical: ${cats.join(', ')}`);
      if (s.importance !== undefined) {
        lines.push(`importance (${s.importanceType}, top ${s.importance.length}):`);
        for (const { feature, value } of s.importance) lines.push(`  ${value.toFixed(4)}  ${feature}`);
      }
      return { json: { ...s, target: meta.target, categorical: cats }, text: lines.join('\n') };
    },
  },
};

interface Summary {
  kind: string;
  task: Task;
  trees: number | undefined;
  features: number;
  classes: (number | string)[] | undefined;
  importanceType: string | undefined;
  importance: { feature: string; value: number }[] | undefined;
}

function summary(model: Estimator, meta: CliModelMeta | undefined): Summary {
  const m = model as unknown as Record<string, unknown> & { trees?: () => { nodeCounts: Int32Array }; featureImportances?: unknown };
  const get = (f: () => unknown): unknown => {
    try {
      return f();
    } catch {
      return undefined;
    }
  };
  let trees: number | undefined;
  if (typeof m.trees === 'function') trees = m.trees().nodeCounts.length;
  else if (Array.isArray(get(() => m.estimators))) trees = (m.estimators as unknown[]).length;
  else if (typeof model.getParams(false).nEstimators === 'number' && /Forest|Trees/.test(model.constructor.name)) trees = model.getParams(false).nEstimators as number;
  const nIn = get(() => m.nFeaturesIn);
  const features = typeof nIn === 'number' ? nIn : (meta?.featureNames.length ?? 0);
  const classes = isClassifier(model) ? (get(() => model.classes) as (number | string)[] | undefined) : undefined;
  let importance: Float64Array | undefined;
  let importanceType: string | undefined;
  if (typeof m.featureImportances === 'function') {
    importance = get(() => (m.featureImportances as (t: string) => Float64Array).call(model, 'gain')) as Float64Array | undefined;
    importanceType = 'gain';
  } else {
    importance = get(() => m.featureImportances) as Float64Array | undefined;
    importanceType = 'impurity';
  }
  let top: Summary['importance'];
  if (importance instanceof Float64Array && importance.length > 0) {
    const total = importance.reduce((a, b) => a + b, 0) || 1;
    const names = meta?.featureNames.length === importance.length ? meta.featureNames : ((get(() => m.featureNames) as string[] | undefined) ?? []);
    top = Array.from(importance, (value, i) => ({ feature: names[i] ?? `x${i}`, value: value / total }))
      .sort((a, b) => b.value - a.value)
      .slice(0, 10);
  } else {
    importanceType = undefined;
  }
  return { kind: model.constructor.name, task: isClassifier(model) ? 'classification' : 'regression', trees, features, classes, importanceType, importance: top };
}

// ---------------------------------------------------------------------------------------------

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    'Usage: ensemblekit <command> [options]',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Common options: --json (machine-readable output), --quiet (no progress bar), --help',
    "Run 'ensemblekit <command> --help' for a command's options.",
  ].join('\n');
}

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Runs the CLI; resolves to the exit code (0 ok, 1 error, 2 usage). */
export async function main(argv: string[], io: Io = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    const { packageRoot } = await import('../core/package_root.cjs');
    const { join } = await import('node:path');
    io.stdout(`${(JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version}\n`);
    return 0;
  }
  const command = commands[name];
  if (command === undefined) {
    io.stderr(`ensemblekit: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  let json = rest.includes('--json');
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...common, ...command.options }, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const values = parsed.values as Values;
    json = values.json === true;
    if (values.help === true) {
      io.stdout(`${command.usage}\n`);
      return 0;
    }
    const [min, max] = command.positionals;
    if (parsed.positionals.length < min || parsed.positionals.length > max) {
      throw new UsageError(`'${name}' expects ${min === max ? min : `${min} to ${max}`} positional argument(s) but received ${parsed.positionals.length}`);
    }
    const progress = new Progress({ quiet: values.quiet === true });
    const result = await command.run(values, parsed.positionals, { progress, json });
    progress.done();
    io.stdout(json ? `${JSON.stringify(result.json)}\n` : `${result.text}\n`);
    return 0;
  } catch (e) {
    const usageError = e instanceof UsageError;
    const err = e as Error & { code?: string };
    if (json) {
      io.stdout(`${JSON.stringify({ error: { message: err.message, code: usageError ? 'ERR_USAGE' : (err.code ?? 'ERR_UNKNOWN'), name: err.name } })}\n`);
    }
    io.stderr(`ensemblekit ${name}: ${err.message}\n`);
    if (usageError) {
      io.stderr(`Usage: ${command.usage}\n`);
      return 2;
    }
    if (!(e instanceof EnsembleError) && process.env.ENSEMBLEKIT_DEBUG) io.stderr(`${err.stack}\n`);
    return 1;
  }
}

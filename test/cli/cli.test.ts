/**
 * The `ensemblekit` command, spawned as users run it (bin/ensemblekit.mjs on the built dist/, made by
 * `npm run build:ts`): train / predict / evaluate / cv / import / info on the bundled data and on the
 * XGBoost / LightGBM fixtures (predictions checked against the probabilities and values those
 * libraries wrote), the categorical mapping carried from train to predict, --json output, and the
 * exit codes (0 ok, 1 error, 2 usage).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const bin = join(root, 'bin', 'ensemblekit.mjs');
const fixtures = join(root, 'test', 'io', 'fixtures', 'shared');
const dir = mkdtempSync(join(tmpdir(), 'ensemblekit-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: dir, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

async function cliJson(...args: string[]): Promise<Record<string, any>> {
  const r = await cli(...args, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, any>;
}

/** Parses simple numeric CSV text (a header, no quotes) into named columns. */
function columns(text: string): Record<string, number[]> {
  const [head, ...rows] = text.trim().split('\n');
  const names = head!.split(',');
  const out: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (const r of rows) r.split(',').forEach((v, i) => out[names[i]!]!.push(Number(v)));
  return out;
}

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'esm', 'lib', 'cli', 'main.js'))) throw new Error('dist/ is not built: run npm run build:ts first');
  // iris split by row: every fifth row held out (10 of each class). scikit-learn 1.2.1's
  // HistGradientBoostingClassifier(random_state=0) with the same defaults (min_samples_leaf 20) scores
  // 0.967 on these 30 rows.
  const [head, ...rows] = readFileSync(join(root, 'data', 'iris.csv'), 'utf8').trim().split('\n');
  writeFileSync(join(dir, 'iris_train.csv'), [head, ...rows.filter((_, i) => i % 5 !== 0)].join('\n') + '\n');
  writeFileSync(join(dir, 'iris_test.csv'), [head, ...rows.filter((_, i) => i % 5 === 0)].join('\n') + '\n');
});

describe('ensemblekit CLI: usage and errors', () => {
  it('exits 2 on usage errors and prints the usage', async () => {
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/Usage: ensemblekit <command>/);
    expect((await cli('frobnicate')).code).toBe(2);
    const bad = await cli('train', '--dataset', 'iris', '--bogus');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--bogus'/);
    expect((await cli('train', '--dataset', 'iris', '--valid-fraction', '2')).code).toBe(2);
    expect((await cli('train', 'x.csv')).code).toBe(2); // no --target
    expect((await cli('train', '--dataset', 'iris', '--model', 'nope')).code).toBe(2);
    const help = await cli('train', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--valid-fraction/);
  });

  it('exits 1 on a missing or malformed file, naming the file and the line', async () => {
    const missing = await cli('train', 'nope.csv', '--target', 'y');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Cannot open 'nope\.csv'/);
    writeFileSync(join(dir, 'ragged.csv'), 'a,y\n1,0\n2,1,5\n');
    const ragged = await cli('train', 'ragged.csv', '--target', 'y', '--json');
    expect(ragged.code).toBe(1);
    expect(ragged.stderr).toMatch(/ragged\.csv: line 3: expected 2 fields but found 3/);
    const err = JSON.parse(ragged.stdout);
    expect(err.error.code).toBe('ERR_INVALID_INPUT');
    expect((await cli('info', 'ragged.csv')).code).toBe(1); // not a model
  });
});

describe('ensemblekit CLI: train, evaluate, predict, cv', () => {
  it('trains a gbdt on iris (CSV) that scores accuracy > 0.9 on held-out rows', async () => {
    const t = await cliJson('train', 'iris_train.csv', '--target', 'target', '--model', 'gbdt', '--out', 'iris.ek');
    expect(t.task).toBe('classification');
    expect(t.rows).toBe(120);
    expect(t.features).toBe(4);
    const e = await cliJson('evaluate', 'iris.ek', 'iris_test.csv');
    expect(e.rows).toBe(30);
    expect(e.metrics.accuracy).toBeGreaterThan(0.9);
    expect(e.metrics.logloss).toBeGreaterThan(0);
    expect(e.metrics.auc).toBeGreaterThan(0.9);
    // predict agrees with evaluate: the accuracy of its labels is evaluate's accuracy.
    const p = await cliJson('predict', 'iris.ek', 'iris_test.csv', '--proba');
    const truth = columns(readFileSync(join(dir, 'iris_test.csv'), 'utf8')).target!;
    const hits = (p.predictions as number[]).filter((v, i) => v === truth[i]).length;
    expect(hits / truth.length).toBeCloseTo(e.metrics.accuracy, 12);
    for (const row of p.proba as number[][]) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // Plain CSV output: a header and one line per row.
    const csv = await cli('predict', 'iris.ek', 'iris_test.csv');
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('prediction');
    expect(lines.slice(1).map(Number)).toEqual(p.predictions);
  });

  it('scores a --valid file during training as evaluate scores it afterwards', async () => {
    const t = await cliJson('train', 'iris_train.csv', '--target', 'target', '--model', 'rf', '--valid', 'iris_test.csv', '--out', 'iris_valid.ek', '--quiet');
    const e = await cliJson('evaluate', 'iris_valid.ek', 'iris_test.csv');
    expect(Object.keys(t.valid)).toEqual(Object.keys(e.metrics));
    for (const k of Object.keys(e.metrics)) expect(t.valid[k], k).toBeCloseTo(e.metrics[k], 12);
    // --valid and --valid-fraction together are a usage error.
    expect((await cli('train', 'iris_train.csv', '--target', 'target', '--valid', 'iris_test.csv', '--valid-fraction', '0.2')).code).toBe(2);
  });

  it('writes the HTML report of a saved model, with and without test data', async () => {
    await cliJson('train', 'iris_train.csv', '--target', 'target', '--model', 'gbdt', '--valid-fraction', '0.25', '--out', 'iris_report.ek', '--quiet');
    const r = await cliJson('report', 'iris_report.ek', 'iris_test.csv', '--out', 'iris.html');
    expect(r.rows).toBe(30);
    const html = readFileSync(join(dir, 'iris.html'), 'utf8');
    expect(r.bytes).toBe(Buffer.byteLength(html));
    // Scored on data: ROC, precision-recall and the confusion matrix (3 x 3 cells), beside the model's own charts.
    for (const chart of ['roc', 'pr', 'confusion']) expect(html, chart).toMatch(new RegExp(`<svg data-chart="${chart}`));
    expect((html.match(/data-cell/g) ?? []).length).toBe(9);
    expect((html.match(/<svg data-chart=/g) ?? []).length).toBe(r.charts);
    // The CSV header's feature names label the importance bars; nothing is fetched from the network.
    expect(html).toContain('sepal length');
    expect(html).not.toMatch(/(src|href)="https?:/);
    const bare = await cliJson('report', 'iris_report.ek', '--out', 'bare.html');
    expect(bare.rows).toBe(0);
    expect(bare.charts).toBeLessThan(r.charts);
    expect((await cli('report')).code).toBe(2);
  });

  it('trains every model kind on a bundled data set with no file', async () => {
    for (const model of ['rf', 'et', 'adaboost', 'logreg', 'stack', 'blend', 'vote']) {
      const t = await cliJson('train', '--dataset', 'iris', '--model', model, '--valid-fraction', '0.3', '--out', `${model}.ek`, '--quiet');
      expect(t.valid.accuracy, model).toBeGreaterThan(0.85);
      const info = await cliJson('info', `${model}.ek`);
      expect(info.features).toBe(4);
      expect(info.classes).toEqual([0, 1, 2]);
    }
    const r = await cliJson('train', '--dataset', 'diabetes', '--model', 'ridge', '--params', '{"alpha": 0.5}', '--out', 'ridge.ek');
    expect(r.task).toBe('regression');
    expect(Object.keys(r.train)).toEqual(['rmse', 'mae', 'r2']);
    expect(r.train.r2).toBeGreaterThan(0.4);
    expect((await cli('train', '--dataset', 'iris', '--model', 'ridge')).code).toBe(1); // ridge is for regression
  });

  it('reads --params from a file and passes nested member options', async () => {
    writeFileSync(join(dir, 'params.json'), JSON.stringify({ nEstimators: 7, maxDepth: 2 }));
    await cliJson('train', '--dataset', 'wine', '--model', 'rf', '--params', '@params.json', '--out', 'rf7.ek');
    const info = await cliJson('info', 'rf7.ek');
    expect(info.trees).toBe(7);
    expect(info.importance.length).toBe(10);
    const total = (info.importance as { value: number }[]).reduce((a, b) => a + b.value, 0);
    expect(total).toBeLessThanOrEqual(1 + 1e-12);
  });

  it('cross-validates with k folds', async () => {
    const cv = await cliJson('cv', '--dataset', 'iris', '--model', 'rf', '--folds', '3');
    expect(cv.folds.length).toBe(3);
    const mean = (cv.folds as { accuracy: number }[]).reduce((a, f) => a + f.accuracy, 0) / 3;
    expect(cv.mean.accuracy).toBeCloseTo(mean, 12);
    expect(cv.mean.accuracy).toBeGreaterThan(0.9);
    const reg = await cliJson('cv', '--dataset', 'diabetes', '--model', 'gbdt', '--folds', '2', '--params', '{"nEstimators": 20}');
    expect(reg.folds.length).toBe(2);
    expect(Object.keys(reg.mean)).toEqual(['rmse', 'mae', 'r2']);
  });

  it('saves the categorical mapping with the model and applies it at predict time', async () => {
    const colors = ['red', 'green', 'blue'];
    const train = ['size,color,label'];
    for (let i = 0; i < 120; i++) {
      const c = colors[i % 3]!;
      train.push(`${(i * 7) % 10},${c},${c === 'red' ? 'hot' : 'cold'}`);
    }
    writeFileSync(join(dir, 'colors.csv'), train.join('\n') + '\n');
    // Columns in another order, an unseen colour, no label column.
    writeFileSync(join(dir, 'colors_new.csv'), 'color,size\nblue,1\nred,2\npurple,3\n');
    await cliJson('train', 'colors.csv', '--target', 'label', '--out', 'colors.ek');
    const info = await cliJson('info', 'colors.ek');
    expect(info.categorical).toEqual(['color', 'label']);
    expect(info.classes).toEqual(['cold', 'hot']);
    const p = await cliJson('predict', 'colors.ek', 'colors_new.csv');
    expect(p.predictions.slice(0, 2)).toEqual(['cold', 'hot']);
    expect(['cold', 'hot']).toContain(p.predictions[2]);
    // A string in a column that was numeric at training time is an error, not a new encoding.
    writeFileSync(join(dir, 'colors_bad.csv'), 'color,size\nblue,big\n');
    const bad = await cli('predict', 'colors.ek', 'colors_bad.csv');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/line 2, column 2 \('size'\): expected a number but found 'big'/);
  });
});

describe('ensemblekit CLI: import', () => {
  it('imports an XGBoost JSON model that predicts the probabilities XGBoost wrote', async () => {
    const src = join(fixtures, 'xgboost', 'multi_softprob.json');
    const im = await cliJson('import', src, '--out', 'xgb.ek');
    const trees = Number(JSON.parse(readFileSync(src, 'utf8')).learner.gradient_booster.model.gbtree_model_param.num_trees);
    expect(im.trees).toBe(trees);
    expect(im.format).toBe('xgboost');
    const exp = columns(readFileSync(join(fixtures, 'xgboost', 'multi_softprob.expected.csv'), 'utf8'));
    const n = exp.x0!.length;
    writeFileSync(join(dir, 'xgb_in.csv'), ['x0,x1,x2,x3', ...Array.from({ length: n }, (_, i) => [0, 1, 2, 3].map((j) => String(exp[`x${j}`]![i])).join(','))].join('\n') + '\n');
    const p = await cliJson('predict', 'xgb.ek', 'xgb_in.csv', '--proba');
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < 3; k++) expect(Math.abs(p.proba[i][k] - exp[`pred${k}`]![i]!)).toBeLessThan(1e-6);
    }
    const info = await cliJson('info', 'xgb.ek');
    expect(info.kind).toBe('GradientBoostingClassifier');
    expect(info.features).toBe(4);
  });

  it('imports a LightGBM text model that predicts the values LightGBM wrote (missing values as nan)', async () => {
    const src = join(fixtures, 'lightgbm', 'regression_bagging.txt');
    const im = await cliJson('import', src, '--out', 'lgb.ek');
    expect(im.format).toBe('lightgbm');
    expect(im.task).toBe('regression');
    const text = readFileSync(join(fixtures, 'lightgbm', 'regression_bagging.expected.csv'), 'utf8');
    const exp = columns(text);
    // The fixture itself (x0..x9, margin, pred) with the two output columns cut off.
    const lines = text.trim().split('\n').map((l) => l.split(',').slice(0, 10).join(','));
    writeFileSync(join(dir, 'lgb_in.csv'), lines.join('\n') + '\n');
    const p = await cliJson('predict', 'lgb.ek', 'lgb_in.csv');
    const pred = exp.pred!;
    expect(p.predictions.length).toBe(pred.length);
    pred.forEach((v, i) => expect(Math.abs(p.predictions[i] - v)).toBeLessThan(1e-6 * Math.max(1, Math.abs(v))));
    expect((await cli('import', src)).code).toBe(2); // --out is required
  });
});

/**
 * The report's HTML string: the right charts for each kind of model, bar and point counts derived
 * from the model (not from the report's own code), values that match lib/metrics, and nothing that
 * could load from the network. test/report/browser.test.ts renders the same pages in Chromium.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError, InvalidParameterError, LogisticRegression, RandomForestClassifier, VotingClassifier, loadIris, metrics, report } from '../../lib/index.js';
import { bagging, gbdtClassifier, gbdtRegressor, ROUNDS, stacking } from './models.js';

/** Every `<svg data-chart="name" ...>...</svg>` of the page. */
function charts(html: string, name: string): string[] {
  const re = new RegExp(`<svg data-chart="${name}"[\\s\\S]*?</svg>`, 'g');
  return html.match(re) ?? [];
}
const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;
const attr = (s: string, re: RegExp) => s.match(re)?.[1];

/** What may never appear in a self-contained page. */
function expectOffline(html: string) {
  expect(html).not.toMatch(/https?:\/\//i);
  expect(html).not.toMatch(/\b(?:src|href|xlink:href)\s*=\s*["']?\s*(?!#|data:)[^"'\s>]/i);
  expect(html).not.toMatch(/<script|<iframe|<object|<embed|@import|url\(/i);
  expect(html).toContain("Content-Security-Policy\" content=\"default-src 'none'");
}

describe('report(): gradient boosting classifier with eval sets (breast_cancer)', () => {
  let html: string;
  let fit: Awaited<ReturnType<typeof gbdtClassifier>>;
  beforeAll(async () => {
    fit = await gbdtClassifier();
    html = report(fit.model, { X: fit.d.XTest, y: fit.d.yTest }, { featureNames: fit.d.featureNames });
  });

  it('is one offline HTML page', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expectOffline(html);
  });

  it('learning curves: one chart per metric, one line per eval set with one point per round', () => {
    const lc = charts(html, 'learning-curve');
    expect(lc.map((s) => attr(s, /data-metric="([^"]+)"/)).sort()).toEqual(['error', 'logloss']);
    const evals = fit.model.evalsResult;
    for (const s of lc) {
      const metric = attr(s, /data-metric="([^"]+)"/)!;
      const lines = s.match(/<polyline [^>]*>/g)!;
      expect(lines.map((l) => attr(l, /data-series="([^"]+)"/))).toEqual(['train', 'valid']);
      for (const l of lines) {
        const set = attr(l, /data-series="([^"]+)"/)!;
        expect(Number(attr(l, /data-points="(\d+)"/))).toBe(evals[set]![metric]!.length);
        expect(attr(l, / points="([^"]*)"/)!.split(' ')).toHaveLength(ROUNDS);
      }
    }
  });

  it('importance: gain and split, the 10 greatest of 30 features in order, with their names and values', () => {
    for (const kind of ['gain', 'split'] as const) {
      const [svg] = charts(html, `importance-${kind}`);
      expect(svg).toBeDefined();
      const imp = fit.model.featureImportances(kind);
      const want = Array.from(imp, (v, i) => [v, i] as const)
        .sort((a, b) => b[0] - a[0] || a[1] - b[1])
        .slice(0, 10);
      const bars = svg!.match(/<rect data-bar [^>]*>/g)!;
      expect(bars).toHaveLength(10);
      expect(bars.map((b) => attr(b, /data-label="([^"]+)"/))).toEqual(want.map(([, i]) => fit.d.featureNames[i]));
      expect(bars.map((b) => Number(attr(b, /data-value="([^"]+)"/)))).toEqual(want.map(([v]) => v));
    }
  });

  it('ROC and PR curves have the points of metrics.rocCurve / precisionRecallCurve, and the AUC shown is rocAucScore', () => {
    const p = fit.model.predictProba(fit.d.XTest);
    const score = Float64Array.from({ length: p.rows }, (_, i) => p.data[2 * i + 1]!);
    const roc = metrics.rocCurve(fit.d.yTest, score);
    const pr = metrics.precisionRecallCurve(fit.d.yTest, score);
    const [rocSvg] = charts(html, 'roc');
    const [prSvg] = charts(html, 'pr');
    expect(count(rocSvg!, /<polyline /g)).toBe(1);
    expect(Number(attr(rocSvg!, /data-points="(\d+)"/))).toBe(roc.fpr.length);
    expect(Number(attr(prSvg!, /data-points="(\d+)"/))).toBe(pr.recall.length);
    const auc = metrics.rocAucScore(fit.d.yTest, p) as number;
    expect(rocSvg).toContain(`AUC ${Number(auc.toPrecision(4))}`);
  });

  it('confusion matrix: 2 x 2 cells holding the counts of (true, predicted) pairs', () => {
    const [svg] = charts(html, 'confusion');
    const cells = svg!.match(/<rect data-cell [^>]*>/g)!;
    expect(cells).toHaveLength(4);
    const pred = fit.model.predict(fit.d.XTest) as Float64Array;
    const want = [0, 0, 0, 0];
    fit.d.yTest.forEach((t, i) => want[t * 2 + pred[i]!]!++);
    expect(cells.map((c) => Number(attr(c, /data-value="([^"]+)"/)))).toEqual(want);
  });

  it('scores table has the accuracy of the model on the data', () => {
    const acc = metrics.accuracyScore(fit.d.yTest, fit.model.predict(fit.d.XTest));
    expect(html).toContain(`<th>accuracy</th><td>${Number(acc.toPrecision(4))}</td>`);
  });

  it('without data: learning curves and importance only', () => {
    const bare = report(fit.model);
    expect(charts(bare, 'learning-curve')).toHaveLength(2);
    expect(charts(bare, 'importance-gain')).toHaveLength(1);
    expect(charts(bare, 'roc')).toHaveLength(0);
    expect(charts(bare, 'confusion')).toHaveLength(0);
    expect(bare).toContain('No data given');
    expectOffline(bare);
    // Names default to f0, f1, ... and the topFeatures option sets the bar count.
    const top3 = report(fit.model, undefined, { topFeatures: 3 });
    expect(count(charts(top3, 'importance-split')[0]!, /<rect data-bar /g)).toBe(3);
    expect(top3).toMatch(/data-label="f\d+"/);
  });

  it('escapes text from the user (feature names, title)', () => {
    const names = fit.d.featureNames.map((n, i) => (i === 0 ? '<script>alert("x")</script>' : n));
    const out = report(fit.model, undefined, { featureNames: names, title: 'a < b & "c"', topFeatures: 30 });
    expect(out).not.toContain('<script>');
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(out).toContain('<title>a &lt; b &amp; &quot;c&quot;</title>');
  });

  it('is deterministic', () => {
    expect(report(fit.model, { X: fit.d.XTest, y: fit.d.yTest }, { featureNames: fit.d.featureNames })).toBe(html);
  });

  it('rejects what is not a model and bad options', () => {
    expect(() => report({} as never)).toThrow(InvalidParameterError);
    expect(() => report(fit.model, undefined, { topFeatures: 0 })).toThrow(/topFeatures/);
    expect(() => report(fit.model, undefined, { maxPoints: 1 })).toThrow(/maxPoints/);
  });
});

describe('report(): regressor (diabetes)', () => {
  it('predicted-vs-true and residual scatters with one point per row, R² as lib/metrics', async () => {
    const { model, d } = await gbdtRegressor();
    const html = report(model, { X: d.XTest, y: d.yTest });
    expectOffline(html);
    const n = d.yTest.length;
    for (const name of ['pred-vs-true', 'residuals']) {
      const [svg] = charts(html, name);
      expect(count(svg!, /<circle data-point /g)).toBe(n);
      expect(Number(attr(svg!, /data-points="(\d+)"/))).toBe(n);
    }
    expect(charts(html, 'roc')).toHaveLength(0);
    expect(charts(html, 'learning-curve')).toHaveLength(1);
    // 10 features, so every one has a bar.
    expect(count(charts(html, 'importance-gain')[0]!, /<rect data-bar /g)).toBe(10);
    const r2 = metrics.r2Score(d.yTest, model.predict(d.XTest));
    expect(html).toContain(`<th>R²</th><td>${Number(r2.toPrecision(4))}</td>`);
    // maxPoints thins the scatters evenly.
    const thin = report(model, { X: d.XTest, y: d.yTest }, { maxPoints: 25 });
    expect(count(charts(thin, 'residuals')[0]!, /<circle data-point /g)).toBe(25);
    expect(thin).toContain(`25 of ${n} rows drawn`);
    expect(() => report(model, { X: d.XTest, y: Array.from(d.yTest, String) })).toThrow(InvalidInputError);
  });

  it('bagging: each member scored on its own columns beside the ensemble', async () => {
    const { model, d } = await bagging();
    const html = report(model, { X: d.XTest, y: d.yTest });
    const [svg] = charts(html, 'members');
    const bars = svg!.match(/<rect data-bar [^>]*>/g)!;
    expect(bars).toHaveLength(model.estimators.length + 1);
    const feats = model.estimatorsFeatures;
    expect(feats[0]!.length).toBe(5);
    const X = d.XTest;
    const want = model.estimators.map((est, m) => {
      const cols = feats[m]!;
      const sub = Array.from({ length: X.rows }, (_, i) => Array.from(cols, (c) => X.data[i * X.cols + c]!));
      return metrics.r2Score(d.yTest, est.predict(sub) as Float64Array);
    });
    want.push(metrics.r2Score(d.yTest, model.predict(X)));
    expect(bars.map((b) => Number(attr(b, /data-value="([^"]+)"/)))).toEqual(want);
    expect(attr(bars[bars.length - 1]!, /data-label="([^"]+)"/)).toBe('ensemble');
  });
});

describe('report(): StackingClassifier (iris, three classes)', () => {
  it('member accuracies beside the ensemble, a ROC and PR line per class, a 3 x 3 confusion matrix', async () => {
    const { model, d } = await stacking();
    const html = report(model, { X: d.XTest, y: d.yTest });
    expectOffline(html);
    const bars = charts(html, 'members')[0]!.match(/<rect data-bar [^>]*>/g)!;
    const named = model.namedEstimators;
    expect(bars.map((b) => attr(b, /data-label="([^"]+)"/))).toEqual([...Object.keys(named), 'ensemble']);
    const want = [...Object.values(named), model].map((e) => metrics.accuracyScore(d.yTest, e.predict(d.XTest)));
    expect(bars.map((b) => Number(attr(b, /data-value="([^"]+)"/)))).toEqual(want);
    const roc = charts(html, 'roc')[0]!;
    expect(count(roc, /<polyline /g)).toBe(3);
    const P = model.predictProba(d.XTest);
    const lens = [0, 1, 2].map((c) => metrics.rocCurve(Float64Array.from(d.yTest, (v) => (v === c ? 1 : 0)), Float64Array.from({ length: P.rows }, (_, i) => P.data[i * 3 + c]!)).fpr.length);
    expect(roc.match(/data-points="(\d+)"/g)!.map((s) => Number(s.slice(13, -1)))).toEqual(lens);
    expect(count(charts(html, 'pr')[0]!, /<polyline /g)).toBe(3);
    expect(count(charts(html, 'confusion')[0]!, /<rect data-cell /g)).toBe(9);
    // A stack has no importances of its own.
    expect(html).not.toContain('data-chart="importance');
  });

  it('a forest shows its impurity importance', async () => {
    const { d } = await stacking();
    const rf = await new RandomForestClassifier({ nEstimators: 10, seed: 1 }).fit(d.XTrain, d.yTrain);
    const html = report(rf, { X: d.XTest, y: d.yTest });
    expect(count(charts(html, 'importance-impurity')[0]!, /<rect data-bar /g)).toBe(2);
    expect(charts(html, 'learning-curve')).toHaveLength(0);
  });
});

describe('report(): string class labels', () => {
  it('VotingClassifier on iris with species names: labels in the confusion matrix, member bars, one ROC line per class', async () => {
    const iris = loadIris();
    const y = Array.from(iris.y, (v) => iris.targetNames[v]!);
    const model = await new VotingClassifier({
      estimators: [
        ['lr', new LogisticRegression({ maxIter: 500 })],
        ['rf', new RandomForestClassifier({ nEstimators: 5, seed: 2 })],
      ],
      voting: 'soft',
    }).fit(iris.X, y);
    const html = report(model, { X: iris.X, y });
    const cm = charts(html, 'confusion')[0]!;
    expect(count(cm, /<rect data-cell /g)).toBe(9);
    for (const name of iris.targetNames) expect(cm).toContain(`>${name}</text>`);
    const want = metrics.confusionMatrix(y, model.predict(iris.X), { labels: model.classes });
    expect(cm.match(/<rect data-cell [^>]*>/g)!.map((c) => Number(attr(c, /data-value="([^"]+)"/)))).toEqual(Array.from(want.data));
    expect(count(charts(html, 'members')[0]!, /<rect data-bar /g)).toBe(3);
    expect(charts(html, 'roc')[0]!.match(/data-series="([^"]+)"/g)!.map((s) => s.split(' ')[0]!.slice(13))).toEqual(iris.targetNames);
  });
});

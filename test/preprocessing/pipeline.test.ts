import { describe, expect, it } from 'vitest';
import {
  AbortError,
  InvalidParameterError,
  LogisticRegression,
  Matrix,
  MinMaxScaler,
  NotFittedError,
  Pipeline,
  Ridge,
  SimpleImputer,
  StandardScaler,
  loadBreastCancer,
  loadDiabetes,
  loadIris,
  makePipeline,
} from '../../lib/index.js';
import { isClassifier, isEstimator } from '../../lib/core/estimator.js';
import { revive } from '../linear/fixtures.js';

function withMissing(X: Matrix, every: number): Matrix {
  const d = X.data.slice();
  for (let i = 0; i < d.length; i += every) d[i] = Number.NaN;
  return new Matrix(d, X.rows, X.cols);
}

describe('Pipeline', () => {
  const { X, y } = loadBreastCancer();

  it('makePipeline names steps by lower-cased class name, numbering repeats', () => {
    const p = makePipeline(new StandardScaler(), new LogisticRegression());
    expect(p.steps.map(([n]) => n)).toEqual(['standardscaler', 'logisticregression']);
    const q = makePipeline(new StandardScaler(), new MinMaxScaler(), new StandardScaler(), 'passthrough', new Ridge());
    expect(q.steps.map(([n]) => n)).toEqual(['standardscaler-1', 'minmaxscaler', 'standardscaler-2', 'passthrough', 'ridge']);
    expect(Object.keys(q.namedSteps)).toEqual(['standardscaler-1', 'minmaxscaler', 'standardscaler-2', 'passthrough', 'ridge']);
  });

  it('fits and predicts as the chain of its steps', async () => {
    const p = makePipeline(new StandardScaler(), new LogisticRegression({ maxIter: 500 }));
    expect(await p.fit(X, y)).toBe(p);
    const s = new StandardScaler().fitSync(X);
    const m = new LogisticRegression({ maxIter: 500 }).fitSync(s.transform(X), y);
    expect(Array.from(p.predictProba!(X).data)).toEqual(Array.from(m.predictProba(s.transform(X)).data));
    expect(Array.from(p.predict(X) as Float64Array)).toEqual(Array.from(m.predict(s.transform(X)) as Float64Array));
    expect(p.classes).toEqual([0, 1]);
    expect(p.score!(X, y)).toBe(m.score(s.transform(X), y));
    expect((p.decisionFunction!(X) as Matrix).data).toEqual(m.decisionFunction(s.transform(X)).data);
    const sync = makePipeline(new StandardScaler(), new LogisticRegression({ maxIter: 500 })).fitSync(X, y);
    expect(Array.from(sync.predictProba!(X).data)).toEqual(Array.from(p.predictProba!(X).data));
  });

  it('has predictProba / transform only when the final step has them (isClassifier tells the truth)', () => {
    const clf = makePipeline(new StandardScaler(), new LogisticRegression());
    const reg = makePipeline(new StandardScaler(), new Ridge());
    const tr = makePipeline(new SimpleImputer(), new StandardScaler());
    expect(isClassifier(clf)).toBe(true);
    expect(isClassifier(reg)).toBe(false);
    expect(reg.predictProba).toBeUndefined();
    expect(clf.transform).toBeUndefined();
    expect(typeof tr.transform).toBe('function');
    expect(typeof tr.inverseTransform).toBe('undefined'); // SimpleImputer has none
    expect(typeof makePipeline(new StandardScaler(), new MinMaxScaler()).inverseTransform).toBe('function');
    expect(isEstimator(clf) && isEstimator(reg) && isEstimator(tr)).toBe(true);
    // Replacing the final step updates the available methods.
    reg.setParams({ ridge: new LogisticRegression() });
    expect(isClassifier(reg)).toBe(true);
  });

  it('transform / inverseTransform when all steps are transformers', async () => {
    const p = makePipeline(new StandardScaler(), new MinMaxScaler({ featureRange: [-1, 1] }));
    const Z = await p.fitTransform!(X);
    const s = new StandardScaler().fitSync(X);
    const mm = new MinMaxScaler({ featureRange: [-1, 1] }).fitSync(s.transform(X));
    expect(Array.from(Z.data)).toEqual(Array.from(mm.transform(s.transform(X)).data));
    expect(Array.from(p.transform!(X).data)).toEqual(Array.from(Z.data));
    const back = p.inverseTransform!(Z);
    let worst = 0;
    for (let i = 0; i < X.data.length; i++) worst = Math.max(worst, Math.abs(back.data[i]! - X.data[i]!) / Math.max(1, Math.abs(X.data[i]!)));
    expect(worst).toBeLessThan(1e-12);
  });

  it('imputes before a model that rejects NaN', () => {
    const Xm = withMissing(X, 13);
    expect(() => new LogisticRegression().fitSync(Xm, y)).toThrow(/NaN/);
    const p = makePipeline(new SimpleImputer({ strategy: 'median' }), new StandardScaler(), new LogisticRegression()).fitSync(Xm, y);
    expect(p.score!(Xm, y)).toBeGreaterThan(0.95);
  });

  it("getParams / setParams with scikit-learn's step__param names", () => {
    const p = makePipeline(new StandardScaler(), new LogisticRegression({ C: 2 }));
    const params = p.getParams();
    expect(Object.keys(params)).toEqual([
      'steps', 'standardscaler', 'logisticregression',
      'standardscaler__withMean', 'standardscaler__withStd',
      'logisticregression__penalty', 'logisticregression__C', 'logisticregression__fitIntercept', 'logisticregression__classWeight',
      'logisticregression__maxIter', 'logisticregression__tol', 'logisticregression__ftol', 'logisticregression__nThreads',
    ]);
    expect(params.logisticregression__C).toBe(2);
    expect(params.standardscaler).toBe(p.namedSteps.standardscaler);
    expect(Object.keys(p.getParams(false))).toEqual(['steps', 'standardscaler', 'logisticregression']);

    expect(p.setParams({ logisticregression__C: 10, standardscaler__withMean: false })).toBe(p);
    expect(p.getParams().logisticregression__C).toBe(10);
    expect((p.namedSteps.standardscaler as StandardScaler).getParams().withMean).toBe(false);

    // Replacing a step and setting its params in one call (the step first, as scikit-learn).
    p.setParams({ standardscaler: new MinMaxScaler(), standardscaler__clip: true });
    expect(p.namedSteps.standardscaler).toBeInstanceOf(MinMaxScaler);
    expect(p.getParams().standardscaler__clip).toBe(true);
    p.setParams({ standardscaler: 'passthrough' });
    expect(p.getParams().standardscaler).toBe('passthrough');

    expect(() => p.setParams({ logisticregression__Cc: 1 })).toThrow(/Did you mean 'C'/);
    expect(() => p.setParams({ nosuchstep__C: 1 })).toThrow(InvalidParameterError);
    expect(() => p.setParams({ nosuchstep: new Ridge() })).toThrow(InvalidParameterError);
    expect(() => p.setParams({ standardscaler__withMean: true })).toThrow(/passthrough/);

    // Nested pipelines: outer__inner__param.
    const outer = new Pipeline([['prep', makePipeline(new SimpleImputer(), new StandardScaler())], ['model', new Ridge()]]);
    expect(outer.getParams().prep__simpleimputer__strategy).toBe('mean');
    outer.setParams({ prep__simpleimputer__strategy: 'median', model__alpha: 3 });
    expect(outer.getParams().prep__simpleimputer__strategy).toBe('median');
    expect(outer.getParams().model__alpha).toBe(3);
  });

  it('clone gives an unfitted copy with equal params and cloned steps', () => {
    const p = makePipeline(new StandardScaler({ withMean: false }), new LogisticRegression({ C: 0.5 })).fitSync(X, y);
    const c = p.clone();
    expect(c).toBeInstanceOf(Pipeline);
    expect(c.isFitted).toBe(false);
    expect(() => c.predict(X)).toThrow(NotFittedError);
    const strip = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => k.includes('__')));
    expect(strip(c.getParams())).toEqual(strip(p.getParams()));
    expect(c.namedSteps.logisticregression).not.toBe(p.namedSteps.logisticregression);
    expect((c.namedSteps.logisticregression as LogisticRegression).isFitted).toBe(false);
    expect(p.isFitted).toBe(true);
  });

  it('JSON round trip (nested, fitted) gives identical predictions', () => {
    const { X: Xi, y: yi } = loadIris();
    const names = ['a', 'b', 'c'];
    const ys = Array.from(yi, (v) => names[v]!);
    const p = new Pipeline([
      ['prep', makePipeline(new SimpleImputer(), new StandardScaler())],
      ['skip', 'passthrough'],
      ['clf', new LogisticRegression({ C: 0.3 })],
    ]).fitSync(withMissing(Xi, 17), ys);
    const json = JSON.parse(JSON.stringify(p.toJSON()));
    expect(json.type).toBe('Pipeline');
    const back = revive<Pipeline>(json);
    expect(back).toBeInstanceOf(Pipeline);
    expect(back.isFitted).toBe(true);
    const Xm = withMissing(Xi, 17);
    expect(Array.from(back.predictProba!(Xm).data)).toEqual(Array.from(p.predictProba!(Xm).data));
    expect(back.predict(Xm)).toEqual(p.predict(Xm));
    expect(back.classes).toEqual(['a', 'b', 'c']);
    expect(back.getParams().prep__standardscaler__withStd).toBe(true);
    // An unfitted pipeline revives unfitted.
    const u = revive<Pipeline>(JSON.parse(JSON.stringify(makePipeline(new StandardScaler(), new Ridge({ alpha: 2 })).toJSON())));
    expect(u.isFitted).toBe(false);
    expect(u.getParams().ridge__alpha).toBe(2);
  });

  it('passes sampleWeight to every step; async fit reports progress and honours the signal', async () => {
    const { X: Xd, y: yd } = loadDiabetes();
    const w = Float64Array.from({ length: Xd.rows }, (_, i) => 1 + (i % 3));
    const p = await makePipeline(new StandardScaler(), new Ridge()).fit(Xd, yd, { sampleWeight: w });
    const s = new StandardScaler().fitSync(Xd, undefined, { sampleWeight: w });
    const r = new Ridge().fitSync(s.transform(Xd), yd, { sampleWeight: w });
    expect(Array.from(p.predict(Xd) as Float64Array)).toEqual(Array.from(r.predict(s.transform(Xd))));

    const seen: [number, string][] = [];
    await makePipeline(new StandardScaler(), new LogisticRegression()).fit(X, y, { onProgress: (f, label) => seen.push([f, label]) });
    expect(seen.at(-1)![0]).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).toBeGreaterThanOrEqual(seen[i - 1]![0]);
    expect(seen.some(([, l]) => l.startsWith('standardscaler'))).toBe(true);

    const c = new AbortController();
    c.abort();
    await expect(makePipeline(new StandardScaler(), new LogisticRegression()).fit(X, y, { signal: c.signal })).rejects.toBeInstanceOf(AbortError);
  });

  it('rejects malformed steps at fit', async () => {
    const bad: [string, unknown][][] = [
      [],
      [['a', new StandardScaler()], ['a', new Ridge()]],
      [['a__b', new Ridge()]],
      [['model', new Ridge()], ['scaler', new StandardScaler()]], // a non-transformer before the end
      [['x', { not: 'an estimator' }]],
    ];
    for (const steps of bad) {
      await expect(new Pipeline(steps as never).fit(X, y), JSON.stringify(steps.map(([n]) => n))).rejects.toBeInstanceOf(InvalidParameterError);
    }
    expect(() => new Pipeline([['m', new Ridge()]]).predict(X)).toThrow(NotFittedError);
    expect(() => new Pipeline([['m', new Ridge()]]).classes).toThrow(NotFittedError);
  });
});

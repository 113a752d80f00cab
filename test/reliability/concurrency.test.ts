/**
 * Concurrency and isolation (issue 8).
 *
 * - The addon in several worker_threads at once: each trains and predicts exactly as the main thread.
 * - 32 concurrent async fits and 10,000 concurrent predictAsync calls over shared and separate models
 *   give the same bytes as running them one by one.
 * - Predicting while the model is being refit. The documented behaviour: a fit prepares everything
 *   on the side and swaps the new fitted state in at once when it succeeds; until then every predict
 *   (sync or async) sees the previous fitted state, a model never fitted throws NotFittedError, and
 *   a refit that fails or is aborted leaves the previous state in place. Overlapping fits of one
 *   instance: each one swaps in its own complete state when it finishes (the last to finish wins).
 * - An AbortSignal fired before the start, right after it, and mid-fit rejects with AbortError and
 *   leaves no thread running (Threads in /proc/self/status back to the baseline, no thread lease
 *   held), and no memory held (in a child process with --expose-gc), and the process exits promptly.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  buildInfo,
  GradientBoostingClassifier,
  GradientBoostingRegressor,
  LogisticRegression,
  MLPClassifier,
  modelToBuffer,
  NotFittedError,
  RandomForestClassifier,
  RandomForestRegressor,
  Ridge,
  type Estimator,
} from '../../lib/index.js';
import { rng, underAsan } from '../helpers.js';
import { runChild, scriptFile } from './child.js';

function makeData(rows: number, cols: number, seed: number) {
  const r = rng(seed);
  const data = new Float64Array(rows * cols);
  const yc = new Float64Array(rows);
  const yr = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) data[i * cols + j] = r() * 2 - 1;
    const s = data[i * cols]! - data[i * cols + 1]! + 0.5 * data[i * cols + 2]! * data[i * cols + 3]!;
    yc[i] = s + 0.2 * (r() - 0.5) > 0 ? 1 : 0;
    yr[i] = s + 0.1 * r();
  }
  return { X: { data, rows, cols }, yc, yr };
}

const bytes = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const same = (a: Float64Array, b: Float64Array) => bytes(a).equals(bytes(b));
const threads = () => Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('worker_threads', () => {
  it('the addon loads in 3 workers at once; each trains and predicts as the main thread', async () => {
    const { Worker } = await import('node:worker_threads');
    const file = scriptFile(
      'worker.mjs',
      `
import { parentPort, workerData } from 'node:worker_threads';
const ek = await import(workerData.lib);
const { X, yc, yr } = workerData;
const out = {};
const g = await new ek.GradientBoostingClassifier({ nEstimators: 20, seed: 1, subsample: 0.8 }).fit(X, yc);
out.gbdt = g.predictProba(X).data;
out.gbdtAsync = await g.predictAsync(X);
out.forest = (await new ek.RandomForestRegressor({ nEstimators: 10, seed: 2 }).fit(X, yr)).predict(X);
out.logistic = new ek.LogisticRegression().fitSync(X, yc).predictProba(X).data;
out.ridge = (await new ek.Ridge({ alpha: 0.5 }).fit(X, yr)).predict(X);
out.isa = ek.buildInfo().isa;
parentPort.postMessage(out);
`,
    );
    const { X, yc, yr } = makeData(1500, 6, 3);
    const g = await new GradientBoostingClassifier({ nEstimators: 20, seed: 1, subsample: 0.8 }).fit(X, yc);
    const ref = {
      gbdt: g.predictProba(X).data,
      gbdtAsync: (await g.predictAsync(X)) as Float64Array,
      forest: (await new RandomForestRegressor({ nEstimators: 10, seed: 2 }).fit(X, yr)).predict(X),
      logistic: new LogisticRegression().fitSync(X, yc).predictProba(X).data,
      ridge: (await new Ridge({ alpha: 0.5 }).fit(X, yr)).predict(X),
    };
    const { compiledLib } = await import('./child.js');
    const results = await Promise.all(
      [0, 1, 2].map(
        () =>
          new Promise<Record<string, Float64Array | string>>((resolve, reject) => {
            const w = new Worker(file, { workerData: { lib: compiledLib(), X, yc, yr } });
            w.once('message', (m: Record<string, Float64Array | string>) => {
              resolve(m);
              void w.terminate();
            });
            w.once('error', reject);
            w.once('exit', (code) => code !== 0 && code !== 1 && reject(new Error(`worker exited with ${code}`)));
          }),
      ),
    );
    for (const r of results) {
      expect(r.isa).toBe(buildInfo().isa);
      for (const [k, v] of Object.entries(ref)) expect(same(r[k] as Float64Array, v), k).toBe(true);
    }
  }, 360_000);
});

describe('concurrent async work', () => {
  const d = makeData(2000, 6, 7);

  it('32 concurrent async fits give the same models as 32 sequential fits', async () => {
    const makers: (() => Estimator)[] = [];
    for (let i = 0; i < 32; i++) {
      const seed = i;
      const k = i % 4;
      makers.push(() =>
        k === 0 ? new GradientBoostingClassifier({ nEstimators: 10, subsample: 0.7, seed })
          : k === 1 ? new RandomForestClassifier({ nEstimators: 5, seed })
            : k === 2 ? new LogisticRegression({ C: 0.1 + seed })
              : new GradientBoostingRegressor({ nEstimators: 10, colsampleBytree: 0.5, seed }),
      );
    }
    const yOf = (i: number) => (i % 4 === 3 ? d.yr : d.yc);
    const sequential: Buffer[] = [];
    for (let i = 0; i < 32; i++) sequential.push(modelToBuffer(await makers[i]!().fit(d.X, yOf(i))));
    const leased = buildInfo().threadsLeased;
    const concurrent = await Promise.all(makers.map((make, i) => make().fit(d.X, yOf(i)).then((m) => modelToBuffer(m))));
    for (let i = 0; i < 32; i++) expect(concurrent[i]!.equals(sequential[i]!), `fit ${i}`).toBe(true);
    expect(buildInfo().threadsLeased).toBe(leased);
  });

  it('10,000 concurrent predictAsync calls over shared and separate models match sequential predictions', async () => {
    const models = await Promise.all([
      new GradientBoostingClassifier({ nEstimators: 15, seed: 1 }).fit(d.X, d.yc),
      new GradientBoostingRegressor({ nEstimators: 15, seed: 2 }).fit(d.X, d.yr),
      new GradientBoostingRegressor({ nEstimators: 5, numLeaves: 7, seed: 3 }).fit(d.X, d.yr),
    ]);
    // Call i predicts rows [s, s + n) with model i % 3 (models 0 and 1 shared by thousands of calls;
    // every call also gets its own input array).
    const n = 10_000;
    const calls = Array.from({ length: n }, (_, i) => {
      const rows = 1 + (i % 17);
      const start = (i * 37) % (d.X.rows - rows);
      return { model: models[i % 3]!, X: { data: d.X.data.slice(start * 6, (start + rows) * 6), rows, cols: 6 } };
    });
    const expected = calls.map((c) => c.model.predict(c.X) as Float64Array);
    const got = await Promise.all(calls.map((c) => c.model.predictAsync(c.X) as Promise<Float64Array>));
    let mismatches = 0;
    for (let i = 0; i < n; i++) if (!same(got[i]!, expected[i]!)) mismatches++;
    expect(mismatches).toBe(0);
  });
});

describe('predicting while refitting', () => {
  const a = makeData(3000, 6, 11);
  const b = makeData(3000, 6, 12);

  it.each([
    ['GradientBoostingRegressor', () => new GradientBoostingRegressor({ nEstimators: 40, seed: 1 })],
    ['RandomForestRegressor', () => new RandomForestRegressor({ nEstimators: 20, seed: 1 })],
    ['Ridge', () => new Ridge()],
  ] as const)('%s: the previous fitted state until the new one is swapped in', async (_n, make) => {
    const model = make();
    await model.fit(a.X, a.yr);
    const before = model.predict(a.X) as Float64Array;
    const fresh = (await make().fit(b.X, b.yr)).predict(a.X) as Float64Array;
    expect(same(before, fresh)).toBe(false);

    const refit = model.fit(b.X, b.yr);
    const during: Float64Array[] = [];
    let settled = false;
    void refit.then(() => (settled = true));
    do {
      // Sampled while the refit runs (the first sample is taken before it can have finished).
      if (!settled) during.push(model.predict(a.X) as Float64Array);
      await sleep(0);
    } while (!settled);
    await refit;
    expect(during.length).toBeGreaterThan(0);
    for (const p of during) expect(same(p, before)).toBe(true);
    expect(same(model.predict(a.X) as Float64Array, fresh)).toBe(true);
  });

  it('a predictAsync started during a refit answers with the previous state', async () => {
    const model = await new GradientBoostingRegressor({ nEstimators: 40, seed: 1 }).fit(a.X, a.yr);
    const before = model.predict(a.X);
    const refit = model.fit(b.X, b.yr);
    const during = model.predictAsync(a.X);
    await refit;
    expect(same(await during, before)).toBe(true);
  });

  it('a model never fitted throws NotFittedError while its first fit runs', async () => {
    const model = new GradientBoostingRegressor({ nEstimators: 30 });
    const fit = model.fit(a.X, a.yr);
    expect(() => model.predict(a.X)).toThrow(NotFittedError);
    await fit;
    expect(model.predict(a.X).length).toBe(3000);
  });

  it('an aborted or failed refit leaves the previous state in place', async () => {
    const model = await new GradientBoostingRegressor({ nEstimators: 200, seed: 1 }).fit(a.X, a.yr);
    const before = modelToBuffer(model);
    const controller = new AbortController();
    const refit = model.fit(b.X, b.yr, { signal: controller.signal });
    await sleep(5);
    controller.abort();
    await expect(refit).rejects.toBeInstanceOf(AbortError);
    expect(modelToBuffer(model).equals(before)).toBe(true);
    await expect(model.fit(b.X, b.yr.subarray(1))).rejects.toThrow(/labels in y/);
    expect(modelToBuffer(model).equals(before)).toBe(true);
  });

  it('overlapping fits of one MLPClassifier: the state swapped in is one fit whole (classes with their weights)', async () => {
    const labels3 = Array.from(a.yc, (v, i) => (i % 3 === 0 ? 'c' : v ? 'b' : 'a'));
    const model = new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 30, seed: 1 });
    const slow = model.fit(a.X, labels3);
    const quick = model.fit({ data: a.X.data.subarray(0, 600), rows: 100, cols: 6 }, a.yc.subarray(0, 100));
    await Promise.all([slow, quick]);
    const p = model.predictProba(a.X);
    expect(p.cols).toBe(model.classes.length);
    const ref = new MLPClassifier({ hiddenLayerSizes: [8], maxIter: 30, seed: 1 });
    if (model.classes.length === 3) await ref.fit(a.X, labels3);
    else await ref.fit({ data: a.X.data.subarray(0, 600), rows: 100, cols: 6 }, a.yc.subarray(0, 100));
    expect(same(p.data, ref.predictProba(a.X).data)).toBe(true);
  });
});

describe('AbortSignal', () => {
  const d = makeData(20000, 10, 21);
  const long = () => new GradientBoostingClassifier({ nEstimators: 2000, numLeaves: 63, minChildSamples: 5, seed: 1 });

  it('before the start, right after it, and mid-fit: AbortError, no thread left running, no lease held', async () => {
    // Warm up the pools (libuv, OpenMP) so the baseline counts their threads.
    await new GradientBoostingClassifier({ nEstimators: 3 }).fit(d.X, d.yc);
    await sleep(50);
    const baseline = threads();

    const pre = new AbortController();
    pre.abort();
    await expect(long().fit(d.X, d.yc, { signal: pre.signal })).rejects.toBeInstanceOf(AbortError);

    const early = new AbortController();
    const e = long().fit(d.X, d.yc, { signal: early.signal });
    early.abort();
    await expect(e).rejects.toBeInstanceOf(AbortError);

    for (const fraction of [0.001, 0.01]) {
      const mid = new AbortController();
      let seen = 0;
      const started = performance.now();
      const m = long().fit(d.X, d.yc, {
        signal: mid.signal,
        onProgress: (f) => {
          seen = f;
          if (f >= fraction) mid.abort();
        },
      });
      const err = await m.then(() => undefined, (x: unknown) => x);
      expect(err).toBeInstanceOf(AbortError);
      expect(seen).toBeGreaterThanOrEqual(fraction);
      expect(performance.now() - started).toBeLessThan(60_000);
    }
    // Several at once, aborted mid-way.
    const many = Array.from({ length: 4 }, () => new AbortController());
    const runs = many.map((c) => long().fit(d.X, d.yc, { signal: c.signal }).then(() => undefined, (x: unknown) => x));
    await sleep(30);
    many.forEach((c) => c.abort());
    for (const r of runs) expect(await r).toBeInstanceOf(AbortError);

    expect(buildInfo().threadsLeased).toBe(0);
    let now = threads();
    for (let i = 0; i < 50 && now > baseline; i++) {
      await sleep(20);
      now = threads();
    }
    expect(now).toBeLessThanOrEqual(baseline);
  });

  it('200 mid-fit aborts hold no memory and the process exits promptly', async () => {
    const file = scriptFile(
      'abort-child.mjs',
      `
import { readFileSync } from 'node:fs';
const ek = await import(process.env.EK_LIB);
const rss = () => Number(/VmRSS:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
const threads = () => Number(/Threads:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
async function settle() { for (let i = 0; i < 6; i++) { globalThis.gc(); await new Promise((r) => setTimeout(r, 20)); } }
let s = 7;
const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
const rows = 3000, cols = 8;
const X = { data: new Float64Array(rows * cols).map(() => rand() * 2 - 1), rows, cols };
const y = new Float64Array(rows).map((_, i) => (X.data[i * cols] > X.data[i * cols + 1] ? 1 : 0));
const makers = [
  () => new ek.GradientBoostingClassifier({ nEstimators: 500, minChildSamples: 5 }),
  () => new ek.RandomForestClassifier({ nEstimators: 500 }),
  () => new ek.MLPClassifier({ hiddenLayerSizes: [64], maxIter: 500 }),
];
async function round(i) {
  const c = new AbortController();
  const p = makers[i % 3]().fit(X, y, { signal: c.signal, onProgress: (f) => { if (f > 0) c.abort(); } });
  setTimeout(() => c.abort(), 2);
  try { await p; throw new Error('not aborted'); } catch (e) { if (!(e instanceof ek.AbortError)) throw e; }
}
for (let i = 0; i < 30; i++) await round(i);
await settle();
const before = rss(), threadsBefore = threads();
const checkpoints = [before];
for (let i = 0; i < 200; i++) {
  await round(i);
  if (i % 50 === 49) { await settle(); checkpoints.push(rss()); }
}
const after = checkpoints[checkpoints.length - 1], threadsAfter = threads();
console.log(JSON.stringify({ before, after, checkpoints, threadsBefore, threadsAfter, leased: ek.buildInfo().threadsLeased, at: Date.now() }));
`,
    );
    const child = await runChild(file, { flags: ['--expose-gc'], timeoutMs: 120_000 });
    const exitedAt = Date.now();
    expect(child.code, child.stderr).toBe(0);
    const r = child.result as { before: number; after: number; checkpoints: number[]; threadsBefore: number; threadsAfter: number; leased: number; at: number };
    const mib = (b: number) => (b / 2 ** 20).toFixed(2);
    console.log(
      `abort: 200 aborted fits: RSS ${r.checkpoints.map(mib).join(' -> ')} MB (every 50), threads ${r.threadsBefore} -> ${r.threadsAfter}, exit ${exitedAt - r.at} ms after the last line`,
    );
    expect(r.leased).toBe(0);
    expect(r.threadsAfter).toBeLessThanOrEqual(r.threadsBefore);
    // Under ASan freed memory stays in its quarantine (and exit is slower): bounds checked by the normal runs.
    if (!underAsan) {
      // A leak grows resident memory in every stretch of 50 aborted fits. glibc may instead keep
      // freed memory of a fit that got far before its abort (a busy machine delays the abort): one
      // step of 25-35 MB seen in about a third of the runs, with this session's build and the one
      // before it alike, never repeated. So: growth outside the largest single step stays under
      // 5 MB (a leak of 35 KB per fit fails it), and no step is as large as 64 MB.
      const steps = r.checkpoints.slice(1).map((v, i) => v - r.checkpoints[i]!);
      const largest = Math.max(...steps);
      expect(r.after - r.before - Math.max(0, largest)).toBeLessThan(5 * 2 ** 20);
      expect(largest).toBeLessThan(64 * 2 ** 20);
      expect(exitedAt - r.at).toBeLessThan(3000);
    }
  }, 360_000);
});

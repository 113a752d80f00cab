/**
 * The report in a real browser: headless Chromium (Debian's `chromium`, installed by .ci/run) opens
 * each page from a file, takes a screenshot, and the rendered DOM must hold every chart with the
 * number of bars and points the model implies, make no request besides the file itself, and log no
 * error. In CI a missing browser fails the run; locally the test is skipped with a message.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metrics, report } from '../../lib/index.js';
import { Browser, chromiumAvailable, chromiumPath } from './chromium.js';
import { gbdtClassifier, gbdtRegressor, ROUNDS, stacking } from './models.js';

const inCI = process.env.CI === 'true';
/** Set REPORT_SCREENSHOT_DIR to keep the pages and screenshots there (to look at them, or as CI artifacts). */
const keep = process.env.REPORT_SCREENSHOT_DIR || undefined;
const have = chromiumAvailable();
if (!have && !inCI) console.warn(`test/report/browser.test.ts skipped: no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`);

/** What the page reports about its charts after rendering. */
interface Rendered {
  charts: { chart: string; width: number; height: number; bars: number; cells: number; circles: number; lines: { series: string; points: number; length: number }[] }[];
  title: string;
}

// Runs in the page: counts what the browser built from the SVG markup (parsed points, laid-out boxes).
const inspect = `(() => ({
  title: document.title,
  charts: Array.from(document.querySelectorAll('svg[data-chart]')).map((svg) => {
    const box = svg.getBoundingClientRect();
    return {
      chart: svg.dataset.chart,
      width: box.width,
      height: box.height,
      bars: svg.querySelectorAll('rect[data-bar]').length,
      cells: svg.querySelectorAll('rect[data-cell]').length,
      circles: Array.from(svg.querySelectorAll('circle[data-point]')).filter((c) => c.getBBox().width > 0).length,
      lines: Array.from(svg.querySelectorAll('polyline[data-series]')).map((l) => ({ series: l.dataset.series, points: l.points.numberOfItems, length: l.getTotalLength() })),
    };
  }),
}))()`;

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe.skipIf(!have && !inCI)('report in headless Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    if (!have) throw new Error(`CI=true but there is no Chromium at ${chromiumPath}: .ci/run installs the Debian package 'chromium'`);
    dir = keep ?? mkdtempSync(join(tmpdir(), 'ek-report-'));
    mkdirSync(dir, { recursive: true });
    browser = await Browser.launch();
  });

  afterAll(async () => {
    await browser?.close();
    if (dir && !keep) rmSync(dir, { recursive: true, force: true });
  });

  /** Writes the page, opens it, checks screenshot, requests and errors; returns the rendered charts. */
  async function render(name: string, html: string): Promise<Rendered> {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, html);
    const errorsBefore = browser.errors.length;
    const requestsBefore = browser.requests.length;
    await browser.open(pathToFileURL(file).href);
    const png = await browser.screenshot();
    const shot = join(dir, `${name}.png`);
    writeFileSync(shot, png);
    const back = readFileSync(shot);
    expect(back.length).toBeGreaterThan(10_000);
    expect(back.subarray(0, 8).equals(PNG)).toBe(true);
    // IHDR: a page at least as wide as the viewport and taller than one chart.
    expect(back.readUInt32BE(16)).toBeGreaterThanOrEqual(1000);
    expect(back.readUInt32BE(20)).toBeGreaterThan(400);
    const r = await browser.evaluate<Rendered>(inspect);
    expect(browser.errors.slice(errorsBefore), 'console and log errors').toEqual([]);
    expect(browser.requests.slice(requestsBefore), 'requests').toEqual([pathToFileURL(file).href]);
    for (const c of r.charts) {
      expect(c.width, `${c.chart} width`).toBeGreaterThan(100);
      expect(c.height, `${c.chart} height`).toBeGreaterThan(100);
      for (const l of c.lines) expect(l.length, `${c.chart} ${l.series} drawn`).toBeGreaterThan(0);
    }
    return r;
  }

  const of = (r: Rendered, chart: string) => r.charts.filter((c) => c.chart === chart);

  it('GBDT classifier with eval sets (breast_cancer)', async () => {
    const { model, d } = await gbdtClassifier();
    const r = await render('gbdt-classifier', report(model, { X: d.XTest, y: d.yTest }, { featureNames: d.featureNames }));
    expect(r.title).toBe('GradientBoostingClassifier report');
    const lc = of(r, 'learning-curve');
    expect(lc).toHaveLength(2);
    for (const c of lc) expect(c.lines).toEqual([expect.objectContaining({ series: 'train', points: ROUNDS }), expect.objectContaining({ series: 'valid', points: ROUNDS })]);
    expect(of(r, 'importance-gain')[0]!.bars).toBe(Math.min(10, d.XTest.cols));
    expect(of(r, 'importance-split')[0]!.bars).toBe(10);
    const p = model.predictProba(d.XTest);
    const score = Float64Array.from({ length: p.rows }, (_, i) => p.data[2 * i + 1]!);
    expect(of(r, 'roc')[0]!.lines.map((l) => l.points)).toEqual([metrics.rocCurve(d.yTest, score).fpr.length]);
    expect(of(r, 'pr')[0]!.lines.map((l) => l.points)).toEqual([metrics.precisionRecallCurve(d.yTest, score).recall.length]);
    expect(of(r, 'confusion')[0]!.cells).toBe(4);
  });

  it('GBDT regressor (diabetes)', async () => {
    const { model, d } = await gbdtRegressor();
    const r = await render('gbdt-regressor', report(model, { X: d.XTest, y: d.yTest }));
    expect(of(r, 'pred-vs-true')[0]!.circles).toBe(d.yTest.length);
    expect(of(r, 'residuals')[0]!.circles).toBe(d.yTest.length);
    expect(of(r, 'learning-curve')[0]!.lines).toEqual([expect.objectContaining({ series: 'valid', points: ROUNDS })]);
    expect(of(r, 'importance-gain')[0]!.bars).toBe(10);
    expect(of(r, 'roc')).toHaveLength(0);
  });

  it('StackingClassifier (iris)', async () => {
    const { model, d } = await stacking();
    const r = await render('stacking', report(model, { X: d.XTest, y: d.yTest }));
    expect(of(r, 'members')[0]!.bars).toBe(Object.keys(model.namedEstimators).length + 1);
    expect(of(r, 'roc')[0]!.lines).toHaveLength(3);
    expect(of(r, 'pr')[0]!.lines).toHaveLength(3);
    expect(of(r, 'confusion')[0]!.cells).toBe(9);
  });
});

/**
 * Train in Python, serve from Node: import an XGBoost model (`booster.save_model('model.json')`)
 * and answer single-row predictions over HTTP.
 *
 * The model is one of the test fixtures (test/io/fixtures/shared/xgboost/binary_logistic_d4.json:
 * binary:logistic, depth 4, trained by XGBoost 1.7.4 on breast cancer with 5% of the values
 * missing), shipped with XGBoost's own predictions for its 569 rows. The script starts a `node:http`
 * server on a free port, sends every row as `POST /predict {"row": [...]}` (missing values as
 * null), checks each answer against XGBoost's, prints the request latency and the in-process
 * `predictOne` latency, and closes the server.
 *
 *   REQUESTS=5000 node dist/examples/import-xgboost-and-serve.js
 */
import { existsSync, readFileSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GradientBoostingClassifier, InvalidInputError, importXGBoost } from 'ensemblekit';

/** The fixture, found from this file whether it runs from examples/ or dist/examples/. */
function fixture(name: string): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const path = join(dir, 'test', 'io', 'fixtures', 'shared', 'xgboost', name);
    if (existsSync(path)) return path;
    if (dirname(dir) === dir) throw new Error(`Cannot find the fixture ${name} above ${fileURLToPath(import.meta.url)}`);
  }
}

const model = importXGBoost(readFileSync(fixture('binary_logistic_d4.json'), 'utf8'));
if (!(model instanceof GradientBoostingClassifier)) throw new Error('Expected the binary:logistic fixture to import as a classifier');
const nFeatures = model.nFeaturesIn;

// XGBoost's inputs and predictions: x0..x29, margin, pred; 'nan' marks a missing value.
const [header, ...lines] = readFileSync(fixture('binary_logistic_d4.expected.csv'), 'utf8').trim().split('\n');
const columns = header!.split(',');
const predColumn = columns.indexOf('pred');
const rows = lines.map((l) => l.split(',').map((v) => (v === 'nan' ? NaN : Number(v))));
console.log(`Imported XGBoost model: ${model.constructor.name}, ${nFeatures} features, classes ${JSON.stringify(model.classes)}; ${rows.length} rows to serve`);

/** POST /predict with {"row": [x0, ..., null, ...]} -> {"probability": p}. */
function handle(req: IncomingMessage, res: ServerResponse): void {
  const reply = (status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  if (req.method !== 'POST' || req.url !== '/predict') return reply(404, { error: 'POST /predict' });
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { row?: unknown };
      if (!Array.isArray(body.row)) return reply(400, { error: 'Expected {"row": [numbers or null]}' });
      // JSON has no NaN: null means missing. predictOne checks the length and copies into a reused row.
      const row = body.row.map((v: unknown) => (v === null ? NaN : v)) as number[];
      reply(200, { probability: model.predictOne(row) });
    } catch (e) {
      reply(e instanceof InvalidInputError || e instanceof SyntaxError ? 400 : 500, { error: (e as Error).message });
    }
  });
}

const server = createServer(handle);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address() as AddressInfo;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
console.log(`Serving on http://127.0.0.1:${port}/predict`);

function post(payload: string): Promise<{ status: number; body: { probability?: number; error?: string } }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/predict', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const nRequests = Number(process.env.REQUESTS ?? 2000);
const requestUs = new Float64Array(nRequests);
let maxError = 0;
try {
  for (let i = 0; i < nRequests; i++) {
    const row = rows[i % rows.length]!;
    const payload = JSON.stringify({ row: row.slice(0, nFeatures).map((v) => (Number.isNaN(v) ? null : v)) });
    const t0 = process.hrtime.bigint();
    const { status, body } = await post(payload);
    requestUs[i] = Number(process.hrtime.bigint() - t0) / 1e3;
    if (status !== 200 || typeof body.probability !== 'number') throw new Error(`Request ${i} failed: ${status} ${JSON.stringify(body)}`);
    maxError = Math.max(maxError, Math.abs(body.probability - row[predColumn]!));
  }
  const bad = await post(JSON.stringify({ row: [1, 2, 3] }));
  console.log(`A short row is refused: ${bad.status} ${bad.body.error}`);
} finally {
  agent.destroy();
  await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
}
requestUs.sort();
console.log(`${nRequests} HTTP requests, one at a time: p50 ${percentile(requestUs, 0.5).toFixed(1)} µs, p99 ${percentile(requestUs, 0.99).toFixed(1)} µs`);
console.log(`Largest |served probability - XGBoost's|: ${maxError.toExponential(2)}`);

// The same model in process: predictOne on a Float64Array row allocates nothing and stays on this thread.
const typed = rows.map((r) => Float64Array.from(r.slice(0, nFeatures)));
const nCalls = 20 * typed.length;
const callUs = new Float64Array(nCalls);
let sink = 0;
for (let i = 0; i < nCalls; i++) {
  const t0 = process.hrtime.bigint();
  sink += model.predictOne(typed[i % typed.length]!);
  callUs[i] = Number(process.hrtime.bigint() - t0) / 1e3;
}
callUs.sort();
console.log(`${nCalls} in-process predictOne calls: p50 ${percentile(callUs, 0.5).toFixed(2)} µs, p99 ${percentile(callUs, 0.99).toFixed(2)} µs (mean probability ${(sink / nCalls).toFixed(4)})`);
console.log(
  `Serve summary: ${JSON.stringify({ requests: nRequests, requestP50Us: percentile(requestUs, 0.5), requestP99Us: percentile(requestUs, 0.99), predictOneP50Us: percentile(callUs, 0.5), predictOneP99Us: percentile(callUs, 0.99), maxError })}`,
);

import { describe, expect, it } from 'vitest';
import { AbortError, buildInfo, InvalidInputError, linalg } from '../../lib/index.js';
import { native } from '../../lib/native.js';
import { randomArray } from '../helpers.js';

function square(n: number, seed: number) {
  return { data: randomArray(Float64Array, n * n, seed), rows: n, cols: n };
}

describe('async native jobs', () => {
  it('resolve with the same result as the synchronous call and report progress in order', async () => {
    const n = 600;
    const a = square(n, 1);
    const b = square(n, 2);
    const sync = { data: new Float64Array(n * n), rows: n, cols: n };
    linalg.gemm(a, b, sync);
    const async = { data: new Float64Array(n * n), rows: n, cols: n };
    const seen: number[] = [];
    await linalg.gemmAsync(a, b, async, { onProgress: (f, label) => { seen.push(f); expect(label).toBe('gemm'); } });
    expect(Buffer.from(async.data.buffer).equals(Buffer.from(sync.data.buffer))).toBe(true);
    expect(seen.length).toBeGreaterThan(0);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(seen.every((f) => f >= 0 && f <= 1)).toBe(true);
  });

  it('keep the event loop free while they run', async () => {
    const n = 1200;
    const a = square(n, 3);
    const b = square(n, 4);
    const c = { data: new Float64Array(n * n), rows: n, cols: n };
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await linalg.gemmAsync(a, b, c, { nThreads: 1 });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(3);
  });

  it('stop on an AbortSignal within ~100 ms and reject with AbortError carrying the caller stack', async () => {
    // A long real kernel: 3000^3 float64 multiply-adds, several seconds on this machine's cores.
    const n = 3000;
    const a = square(n, 5);
    const b = square(n, 6);
    const c = { data: new Float64Array(n * n), rows: n, cols: n };
    const controller = new AbortController();
    let progressed = false;
    const pending = linalg.gemmAsync(a, b, c, { signal: controller.signal, onProgress: () => { progressed = true; } });
    // From the moment the call returns: gemmAsync copies its operands (72 MB each) before that.
    const started = performance.now();
    await new Promise((r) => setTimeout(r, 150));
    const abortedAt = performance.now();
    controller.abort();
    const err = await pending.then(() => undefined, (e: unknown) => e);
    const latency = performance.now() - abortedAt;
    expect(err).toBeInstanceOf(AbortError);
    expect((err as AbortError).code).toBe('ABORT_ERR');
    expect((err as Error).stack).toContain('async.test.ts');
    expect(progressed || performance.now() - started < 1000).toBe(true);
    // The contract is ~100 ms; allow slack for a shared, noisy 2-core machine.
    expect(latency).toBeLessThan(500);
  });

  it('reject at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const m = square(4, 7);
    await expect(linalg.gemmAsync(m, m, square(4, 8), { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
  });

  it('run concurrently and independently', async () => {
    const n = 400;
    const jobs = [0, 1, 2, 3].map(async (i) => {
      const a = square(n, 10 + i);
      const b = square(n, 20 + i);
      const c = { data: new Float64Array(n * n), rows: n, cols: n };
      await linalg.gemmAsync(a, b, c, { nThreads: 1 });
      const ref = { data: new Float64Array(n * n), rows: n, cols: n };
      linalg.gemm(a, b, ref, { nThreads: 1 });
      return Buffer.from(c.data.buffer).equals(Buffer.from(ref.data.buffer));
    });
    expect(await Promise.all(jobs)).toEqual([true, true, true, true]);
  });

  it('share one thread budget: jobs that start when it is spent run on one thread', async () => {
    const { defaultThreads } = buildInfo();
    const n = 900;
    const jobs = 3;
    const operands = Array.from({ length: jobs }, (_, i) => [square(n, 30 + i), square(n, 40 + i), { data: new Float64Array(n * n), rows: n, cols: n }] as const);
    let peak = 0;
    let running = true;
    const sampler = (async () => {
      while (running) {
        peak = Math.max(peak, buildInfo().threadsLeased);
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await Promise.all(operands.map(([a, b, c]) => linalg.gemmAsync(a, b, c, { nThreads: defaultThreads })));
    running = false;
    await sampler;
    expect(peak).toBeGreaterThanOrEqual(1);
    // Unbudgeted this would be jobs * defaultThreads; budgeted, the budget plus one per late job.
    expect(peak).toBeLessThanOrEqual(defaultThreads + jobs - 1);
    expect(buildInfo().threadsLeased).toBe(0);
  });

  it('a throwing progress callback does not break the job', async () => {
    const n = 500;
    const c = { data: new Float64Array(n * n), rows: n, cols: n };
    await expect(linalg.gemmAsync(square(n, 1), square(n, 2), c, { onProgress: () => { throw new Error('boom'); } })).resolves.toBeUndefined();
  });

  it('native argument checks throw typed errors instead of crashing', () => {
    const f = new Float64Array(4);
    expect(() => native.linalg.gemm(false, false, 2, 2, 2, 1, f, 2, f, 2, 0, new Float64Array(3), 2, 0)).toThrow(InvalidInputError);
    expect(() => native.linalg.gemm(false, false, 2, 2, 2, 1, f, 1, f, 2, 0, f, 2, 0)).toThrow(/Expected ldA >= 2/);
    expect(() => native.linalg.gemm(false, false, -1, 2, 2, 1, f, 2, f, 2, 0, f, 2, 0)).toThrow(/'m' >= 0/);
    expect(() => (native.linalg.gemm as unknown as (...a: unknown[]) => void)(false, false, 2)).toThrow(/Missing argument/);
    expect(() => native.linalg.dot(new Float64Array(3), new Float64Array(4))).toThrow(InvalidInputError);
    expect(() => native.linalg.gemmAsync(false, false, 2, 2, 2, 1, f, 2, f, 2, 0, f, 2, 0, {} as never, undefined)).toThrow(/Job/);
  });
});

import { describe, expect, it } from 'vitest';
import { linalg } from '../../lib/index.js';
import { InvalidInputError } from '../../lib/core/errors.js';
import { availableIsas, randomArray, threadCounts, withIsa } from '../helpers.js';

type F = Float32Array | Float64Array;

/** Reference C = alpha op(A) op(B) + beta C in float64 (row-major). */
function naive(ta: boolean, tb: boolean, m: number, n: number, k: number, alpha: number, a: F, b: F, beta: number, c: F): Float64Array {
  const lda = ta ? m : k;
  const ldb = tb ? k : n;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = ta ? a[p * lda + i]! : a[i * lda + p]!;
        const bv = tb ? b[j * ldb + p]! : b[p * ldb + j]!;
        s += av * bv;
      }
      out[i * n + j] = alpha * s + (beta === 0 ? 0 : beta * c[i * n + j]!);
    }
  }
  return out;
}

const shapes: [number, number, number][] = [
  [1, 1, 1], [7, 13, 5], [13, 7, 29], [1000, 3, 7], [3, 1000, 2], [65, 67, 129], [97, 33, 300], [257, 129, 513], [2, 2, 1000],
];

function check(ctor: typeof Float32Array | typeof Float64Array, tol: number) {
  let seed = 1;
  for (const [m, n, k] of shapes) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const a = randomArray(ctor, m * k, seed++);
        const b = randomArray(ctor, k * n, seed++);
        const c0 = randomArray(ctor, m * n, seed++);
        for (const [alpha, beta] of [[1, 0], [0.5, -2]] as const) {
          const want = naive(ta, tb, m, n, k, alpha, a, b, beta, c0);
          for (const isa of availableIsas()) {
            for (const nThreads of threadCounts()) {
              const c = c0.slice();
              withIsa(isa, () =>
                linalg.gemm({ data: a, rows: ta ? k : m, cols: ta ? m : k }, { data: b, rows: tb ? n : k, cols: tb ? k : n }, { data: c, rows: m, cols: n }, { transA: ta, transB: tb, alpha, beta, nThreads }),
              );
              let worst = 0;
              for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(c[i]! - want[i]!) / (1 + Math.abs(want[i]!)));
              expect(worst, `${ctor.name} ${m}x${n}x${k} ta=${ta} tb=${tb} alpha=${alpha} beta=${beta} ${isa} threads=${nThreads}`).toBeLessThan(tol * Math.sqrt(k));
            }
          }
        }
      }
    }
  }
}

describe('gemm', () => {
  it('matches a naive float64 reference (float64, odd shapes, transposes, all ISAs, 1 and 2 threads)', () => check(Float64Array, 1e-14));
  it('matches a naive float64 reference (float32)', () => check(Float32Array, 2e-6));

  it('beta = 0 overwrites C without reading it (NaN in C does not leak)', () => {
    for (const isa of availableIsas()) {
      const a = randomArray(Float64Array, 64 * 64, 5);
      const b = randomArray(Float64Array, 64 * 64, 6);
      const c = new Float64Array(64 * 64).fill(Number.NaN);
      withIsa(isa, () => linalg.gemm({ data: a, rows: 64, cols: 64 }, { data: b, rows: 64, cols: 64 }, { data: c, rows: 64, cols: 64 }));
      expect(c.every((v) => Number.isFinite(v)), isa).toBe(true);
    }
  });

  it('gives the same bits whatever the thread count', () => {
    const n = 300;
    const a = randomArray(Float32Array, n * n, 11);
    const b = randomArray(Float32Array, n * n, 12);
    const results = threadCounts().map((nThreads) => {
      const c = new Float32Array(n * n);
      linalg.gemm({ data: a, rows: n, cols: n }, { data: b, rows: n, cols: n }, { data: c, rows: n, cols: n }, { nThreads });
      return c;
    });
    expect(Buffer.from(results[0]!.buffer).equals(Buffer.from(results[1]!.buffer))).toBe(true);
  });

  it('rejects mismatched shapes and mixed types before touching memory', () => {
    const a = { data: new Float64Array(6), rows: 2, cols: 3 };
    const b = { data: new Float64Array(8), rows: 4, cols: 2 };
    const c = { data: new Float64Array(4), rows: 2, cols: 2 };
    expect(() => linalg.gemm(a, b, c)).toThrow(InvalidInputError);
    const b32 = { data: new Float32Array(6), rows: 3, cols: 2 };
    expect(() => linalg.gemm(a, b32, c)).toThrow(/same type/);
  });
});

describe('gemv, dot, axpy', () => {
  it('match naive references on all ISAs', () => {
    for (const isa of availableIsas()) {
      for (const [m, n] of [[1, 1], [7, 13], [100, 3], [33, 257]] as const) {
        for (const ctor of [Float32Array, Float64Array]) {
          const tol = ctor === Float32Array ? 1e-5 : 1e-13;
          const a = randomArray(ctor, m * n, m + n);
          for (const ta of [false, true]) {
            const x = randomArray(ctor, ta ? m : n, 3);
            const y0 = randomArray(ctor, ta ? n : m, 4);
            const y = y0.slice();
            withIsa(isa, () => linalg.gemv({ data: a, rows: m, cols: n }, x, y, { transA: ta, alpha: 2, beta: 0.5 }));
            for (let i = 0; i < y.length; i++) {
              let s = 0;
              for (let j = 0; j < x.length; j++) s += (ta ? a[j * n + i]! : a[i * n + j]!) * x[j]!;
              expect(Math.abs(y[i]! - (2 * s + 0.5 * y0[i]!)), `${isa} gemv ${m}x${n} ta=${ta}`).toBeLessThan(tol * (1 + Math.abs(s)) * Math.sqrt(x.length));
            }
          }
          const u = randomArray(ctor, m * n, 7);
          const v = randomArray(ctor, m * n, 8);
          let ref = 0;
          for (let i = 0; i < u.length; i++) ref += u[i]! * v[i]!;
          expect(Math.abs(withIsa(isa, () => linalg.dot(u, v)) - ref), `${isa} dot`).toBeLessThan(tol * Math.sqrt(u.length) * 4);
          const w = v.slice();
          withIsa(isa, () => linalg.axpy(-1.5, u, w));
          for (let i = 0; i < w.length; i++) expect(Math.abs(w[i]! - (v[i]! - 1.5 * u[i]!))).toBeLessThan(tol * 4);
        }
      }
    }
  });
});

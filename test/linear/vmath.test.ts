// The vector exp / log kernels under the logistic loss (native/core/simd/vmath_*.cc): every SIMD
// path against the scalar twin (libm), over the whole range and at the edges.
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { availableIsas, rng, withIsa } from '../helpers.js';

const kUlp = 2 ** -52;

/** Largest error in units of the reference's last place (subnormal references: absolute, in units of 2^-1074). */
function worstUlps(got: Float64Array, want: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const a = got[i]!;
    const b = want[i]!;
    if (Number.isNaN(b)) {
      if (!Number.isNaN(a)) return Infinity;
      continue;
    }
    if (a === b) continue;
    if (!Number.isFinite(b) || !Number.isFinite(a)) return Infinity;
    const scale = Math.abs(b) >= 2.2250738585072014e-308 ? Math.abs(b) * kUlp : 5e-324;
    worst = Math.max(worst, Math.abs(a - b) / scale);
  }
  return worst;
}

function inputs(kind: 'exp' | 'log'): Float64Array {
  const r = rng(kind === 'exp' ? 1 : 2);
  const values: number[] = [];
  if (kind === 'exp') {
    for (let i = 0; i < 20000; i++) values.push(-745 + r() * 1455); // the whole finite range
    for (let i = 0; i < 5000; i++) values.push((r() - 0.5) * 2); // around 0
    for (let i = 0; i < 2000; i++) values.push(-40 * r()); // the softmax range
    values.push(0, -0, 1, -1, 709.78, 709.79, 710, 800, -708.3, -708.5, -720, -745.1, -745.2, -746, -1e300, 1e300, Infinity, -Infinity, Number.NaN, 1e-300, -1e-300);
  } else {
    for (let i = 0; i < 20000; i++) values.push(Math.exp((r() - 0.5) * 1400)); // all binades
    for (let i = 0; i < 5000; i++) values.push(1 + r()); // log(1 + e), the binary loss
    for (let i = 0; i < 2000; i++) values.push(1 + r() * 1e-8);
    values.push(1, 2, 0.5, Math.SQRT2, Math.SQRT1_2, 1.7976931348623157e308, 2.2250738585072014e-308, 5e-324, 1e-310, 0, -0, -1, Infinity, -Infinity, Number.NaN);
  }
  // Lengths that are not multiples of the vector width exercise the tails.
  return Float64Array.from(values.slice(0, values.length - 3));
}

describe('vector exp / log kernels', () => {
  for (const kind of ['exp', 'log'] as const) {
    it(`${kind}: every SIMD path within 2 ulp of the scalar twin (libm), special values identical`, () => {
      const x = inputs(kind);
      const ref = withIsa('scalar', () => native.linear.vmath(kind, x));
      for (const isa of availableIsas()) {
        const got = withIsa(isa, () => native.linear.vmath(kind, x));
        expect(worstUlps(got, ref), isa).toBeLessThanOrEqual(2);
        for (let n = 0; n < 20; n++) {
          // Short arrays: tails only.
          const part = x.subarray(n, n + n);
          const small = withIsa(isa, () => native.linear.vmath(kind, Float64Array.from(part)));
          expect(worstUlps(small, withIsa('scalar', () => native.linear.vmath(kind, Float64Array.from(part)))), `${isa} n=${n}`).toBeLessThanOrEqual(2);
        }
      }
      // Against V8's Math too (another libm): a sanity check on the reference itself.
      expect(worstUlps(ref, x.map(kind === 'exp' ? Math.exp : Math.log))).toBeLessThanOrEqual(1);
    });
  }

  it('edge values', () => {
    for (const isa of availableIsas()) {
      withIsa(isa, () => {
        const e = native.linear.vmath('exp', Float64Array.of(-Infinity, Infinity, Number.NaN, 0, -746, 710, -745.2));
        expect(Array.from(e.subarray(0, 6))).toEqual([0, Infinity, Number.NaN, 1, 0, Infinity]);
        expect(e[6]).toBe(0);
        const l = native.linear.vmath('log', Float64Array.of(0, -1, Infinity, Number.NaN, 1, 5e-324));
        expect(Array.from(l.subarray(0, 5))).toEqual([-Infinity, Number.NaN, Infinity, Number.NaN, 0]);
        expect(l[5]).toBeCloseTo(-744.4400719213812, 12);
      });
    }
    expect(() => native.linear.vmath('sin' as never, new Float64Array(1))).toThrow(/'exp' or 'log'/);
  });
});

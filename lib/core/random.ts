/**
 * The library's seeded pseudo-random number generator. Everything that draws random numbers in
 * TypeScript (data set generators, shuffles, seeds handed to ensemble members) goes through one
 * `Random`, so that the same `seed` gives the same result (DESIGN.md, "Determinism").
 *
 * Algorithm: xoshiro128** 1.1 (Blackman & Vigna, 2018) on four 32-bit words, seeded through a
 * 32-bit SplitMix-style mixer. It needs no BigInt, has a 2^128 - 1 period and passes BigCrush;
 * a draw costs a handful of `Math.imul`, shifts and xors.
 *
 * Stability: the sequences (`nextU32`, `random`, `int`, `normal`, `shuffle`, `permutation`,
 * `sample`) are part of the public contract. A given seed yields the same values in every
 * version of ensemblekit; tests pin them (test/core/random.test.ts). Changing any of the code
 * below is a breaking change. The algorithm is fully specified here so that other runtimes (the
 * native core, a Python check) can reproduce it.
 */
import { getRandomValues } from 'node:crypto';
import { InvalidParameterError } from './errors.js';

const TWO_POW_32 = 4294967296;
const TWO_POW_53 = 9007199254740992;

/** A writable indexed collection: a plain array or any typed array. */
export interface MutableArrayLike<T> {
  readonly length: number;
  [index: number]: T;
}

/** The 32-bit finalizer of SplitMix32 / "lowbias32" (Wellons): a bijection with good avalanche. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x21f0aaad);
  x ^= x >>> 15;
  x = Math.imul(x, 0x735a2d97);
  x ^= x >>> 15;
  return x >>> 0;
}

/** Seeded generator; see the module comment for the algorithm and the stability promise. */
export class Random {
  /** The seed this generator was made from (a random one when none was given). */
  readonly seed: number;

  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** Box-Muller makes normals in pairs; the second one waits here (NaN: none waiting). */
  private spare = NaN;

  /**
   * @param seed Any safe integer (negative allowed). Seeding: with `lo = seed mod 2^32` and
   *   `hi = floor(seed / 2^32) mod 2^32`, word `i` (0..3) of the state is
   *   `mix32(lo + (i+1)·0x9E3779B9) XOR mix32(hi + (i+1)·0x7F4A7C15)` (additions mod 2^32); an
   *   all-zero state (which xoshiro cannot leave) is replaced by word 0 = 1.
   * @throws InvalidParameterError when `seed` is not a safe integer.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new InvalidParameterError(`Expected a safe integer for seed but received ${String(seed)}`, 'seed');
    }
    this.seed = seed;
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    const words = new Uint32Array(4);
    for (let i = 0; i < 4; i++) {
      words[i] = mix32((lo + Math.imul(i + 1, 0x9e3779b9)) | 0) ^ mix32((hi + Math.imul(i + 1, 0x7f4a7c15)) | 0);
    }
    this.setWords(words[0]!, words[1]!, words[2]!, words[3]!);
  }

  /**
   * A generator for `seed`, or for a fresh seed from the operating system when `seed` is
   * `undefined` (read it back from {@link Random.seed} to reproduce the run).
   */
  static fromSeed(seed?: number): Random {
    if (seed !== undefined) return new Random(seed);
    const w = getRandomValues(new Uint32Array(2));
    // 53 bits: every value is a safe integer.
    return new Random((w[0]! & 0x1fffff) * TWO_POW_32 + w[1]!);
  }

  /**
   * A generator whose xoshiro128** state is exactly `state` (four unsigned 32-bit words, not all
   * zero). For checking against reference implementations and for interoperating with another
   * xoshiro128** runtime; `seed` of the result is NaN.
   */
  static fromState(state: ArrayLike<number>): Random {
    const ok = state.length === 4 && Array.from(state).every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32);
    if (!ok || Array.from(state).every((w) => w === 0)) {
      throw new InvalidParameterError('Expected four unsigned 32-bit integers, not all zero, for state', 'state');
    }
    const r = new Random(0);
    (r as { seed: number }).seed = NaN;
    r.setWords(state[0]!, state[1]!, state[2]!, state[3]!);
    return r;
  }

  private setWords(a: number, b: number, c: number, d: number): void {
    if ((a | b | c | d) === 0) a = 1;
    this.s0 = a | 0;
    this.s1 = b | 0;
    this.s2 = c | 0;
    this.s3 = d | 0;
    this.spare = NaN;
  }

  /** The next 32 random bits as an integer in [0, 2^32). */
  nextU32(): number {
    const s1 = this.s1;
    const r5 = Math.imul(s1, 5);
    const result = Math.imul((r5 << 7) | (r5 >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** A float64 uniform in [0, 1) with 53 random bits (two `nextU32` calls: high 27 bits, then 26). */
  random(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / TWO_POW_53;
  }

  /** A float64 uniform in [low, high): `low + (high - low) * random()`. */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.random();
  }

  /**
   * An unbiased integer in [0, n) by rejection: for n <= 2^32 one `nextU32` per try, rejecting
   * the top `2^32 mod n` values; for larger n (up to 2^53) the 53-bit draw of `random()`, likewise.
   * @throws InvalidParameterError unless `n` is an integer in [1, 2^53].
   */
  int(n: number): number {
    if (!(Number.isInteger(n) && n >= 1 && n <= TWO_POW_53)) {
      throw new InvalidParameterError(`Expected an integer in [1, 2^53] for n but received ${String(n)}`, 'n');
    }
    if (n <= TWO_POW_32) {
      const limit = TWO_POW_32 - (TWO_POW_32 % n);
      let x = this.nextU32();
      while (x >= limit) x = this.nextU32();
      return x % n;
    }
    const limit = TWO_POW_53 - (TWO_POW_53 % n);
    let x = this.random() * TWO_POW_53;
    while (x >= limit) x = this.random() * TWO_POW_53;
    return x % n;
  }

  /**
   * A standard normal N(0, 1) by the Box-Muller transform, `sqrt(-2 ln(1 - u1))` times
   * `cos(2 pi u2)` and then `sin(2 pi u2)` on the next call (u1 drawn first). The pending `sin`
   * value belongs to the generator's state.
   */
  normal(): number {
    const spare = this.spare;
    if (spare === spare) {
      this.spare = NaN;
      return spare;
    }
    const r = Math.sqrt(-2 * Math.log(1 - this.random()));
    const theta = 2 * Math.PI * this.random();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /**
   * Shuffles `array` in place (Fisher-Yates from the end: for i = n-1 down to 1, swap i with
   * `int(i + 1)`) and returns it.
   */
  shuffle<A extends MutableArrayLike<unknown>>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }

  /** A random permutation of 0..n-1: `shuffle` applied to [0, 1, ..., n-1]. */
  permutation(n: number): Int32Array {
    checkCount('n', n);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }

  /**
   * `k` distinct integers drawn uniformly from [0, n), in random order (a partial Fisher-Yates
   * over a sparse map: O(k) time and memory whatever n is). `sample(n, n)` is not the same
   * sequence as `permutation(n)`.
   * @throws InvalidParameterError unless 0 <= k <= n <= 2^31 - 1.
   */
  sample(n: number, k: number): Int32Array {
    checkCount('n', n);
    checkCount('k', k);
    if (k > n) throw new InvalidParameterError(`Expected k <= n for sample but received k=${k}, n=${n}`, 'k');
    const moved = new Map<number, number>();
    const out = new Int32Array(k);
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const vj = moved.get(j) ?? j;
      out[i] = vj;
      moved.set(j, moved.get(i) ?? i);
    }
    return out;
  }
}

function checkCount(name: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 0 && value <= 0x7fffffff)) {
    throw new InvalidParameterError(`Expected an integer in [0, 2^31 - 1] for ${name} but received ${String(value)}`, name);
  }
}

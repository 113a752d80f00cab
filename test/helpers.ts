/** Small helpers shared by tests: seeded data, naive references, ISA and thread matrices. */
import { buildInfo, setSimd } from '../lib/core/build_info.js';

/** A tiny deterministic generator (mulberry32) so test data never depends on library code. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomArray(ctor: typeof Float64Array, n: number, seed: number): Float64Array;
export function randomArray(ctor: typeof Float32Array, n: number, seed: number): Float32Array;
export function randomArray(ctor: typeof Float32Array | typeof Float64Array, n: number, seed: number): Float32Array | Float64Array;
export function randomArray(ctor: typeof Float32Array | typeof Float64Array, n: number, seed: number): Float32Array | Float64Array {
  const r = rng(seed);
  const out = new ctor(n);
  for (let i = 0; i < n; i++) out[i] = r() * 2 - 1;
  return out;
}

/** The ISAs this machine runs, scalar first; tests loop over them and restore the default after. */
export function availableIsas(): ('scalar' | 'avx2' | 'avx512')[] {
  const all = ['scalar', 'avx2', 'avx512'] as const;
  const detected = buildInfo().detectedIsa;
  const start = buildInfo().isa;
  // Under ENSEMBLEKIT_SIMD=scalar the run is about the scalar path only.
  const cap = all.indexOf(start);
  return all.filter((isa) => all.indexOf(isa) <= Math.min(all.indexOf(detected), cap));
}

export function withIsa<T>(isa: 'scalar' | 'avx2' | 'avx512', fn: () => T): T {
  const before = buildInfo().isa;
  setSimd(isa);
  try {
    return fn();
  } finally {
    setSimd(before);
  }
}

/** Thread counts to test: 1 and the default budget (2 here), or just 1 when the run is pinned to 1. */
export function threadCounts(): number[] {
  const d = buildInfo().defaultThreads;
  return d > 1 ? [1, d] : [1, 2];
}

/**
 * The environment for a child process that is not Node (Chromium, Python): this one's, without the
 * sanitizer runtime that scripts/test-asan.sh preloads for Node (an uninstrumented program under
 * LD_PRELOAD=libasan runs its own allocations through ASan: Chromium spins, Python slows down).
 */
export function foreignChildEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  delete env.ASAN_OPTIONS;
  delete env.UBSAN_OPTIONS;
  return env;
}

/**
 * True in scripts/test-asan.sh's run (the ASan runtime preloaded into Node): freed memory then sits
 * in ASan's quarantine, so resident-memory bounds say nothing and are checked by the normal runs.
 */
export const underAsan = /libasan/.test(process.env.LD_PRELOAD ?? '');

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildInfo, InvalidParameterError, setSimd } from '../../lib/index.js';

const root = join(__dirname, '..', '..');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe('build', () => {
  it('buildInfo reports version, ISA, OpenMP, threads and compiler', () => {
    const info = buildInfo();
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(info.version).toBe(pkg.version);
    expect(['scalar', 'avx2', 'avx512']).toContain(info.isa);
    expect(info.openmp).toBe(true);
    expect(info.defaultThreads).toBeGreaterThanOrEqual(1);
    expect(info.compiler).toMatch(/gcc|clang|msvc/);
    expect(info.addonPath).toMatch(/\.node$/);
    if (process.env.ENSEMBLEKIT_SIMD === 'scalar') {
      expect(info.isa).toBe('scalar');
    } else if (process.arch === 'x64') {
      // This project's machines have AVX2 (and AVX-512); the default path must use them.
      expect(info.detectedIsa).not.toBe('scalar');
      expect(info.isa).toBe(info.detectedIsa);
    }
    if (process.env.ENSEMBLEKIT_NUM_THREADS) expect(info.defaultThreads).toBe(Number(process.env.ENSEMBLEKIT_NUM_THREADS));
  });

  it('setSimd switches the path, never above the CPU, and rejects unknown names', () => {
    const before = buildInfo().isa;
    try {
      expect(setSimd('scalar')).toBe('scalar');
      expect(buildInfo().isa).toBe('scalar');
      expect(['scalar', 'avx2']).toContain(setSimd('avx2'));
    } finally {
      setSimd(before);
    }
    expect(() => setSimd('sse9' as never)).toThrow(InvalidParameterError);
  });

  it('every C++ source is in the one list both builds read, and every listed file exists', () => {
    const gypi = JSON.parse(readFileSync(join(root, 'native', 'sources.gypi'), 'utf8')) as { variables: Record<string, string[]> };
    const listed = Object.values(gypi.variables).flat();
    const onDisk = walk(join(root, 'native')).filter((p) => p.endsWith('.cc')).map((p) => relative(root, p).split('\\').join('/'));
    expect(new Set(listed).size).toBe(listed.length);
    expect([...listed].sort()).toEqual([...onDisk].sort());
    for (const f of gypi.variables['ek_avx2_sources']!) expect(f).toMatch(/_avx2\.cc$/);
    for (const f of gypi.variables['ek_avx512_sources']!) expect(f).toMatch(/_avx512\.cc$/);
    for (const f of gypi.variables['ek_core_sources']!) expect(f).not.toMatch(/_avx(2|512)\.cc$/);
  });

  it('keeps Node out of native/core and raw OpenMP pragmas in the one helper', () => {
    for (const p of walk(join(root, 'native', 'core'))) {
      const text = readFileSync(p, 'utf8');
      expect(text, p).not.toMatch(/#include\s*[<"](napi|node_api|node)\.h/);
      if (!p.endsWith(join('parallel', 'parallel_for.h'))) expect(text, p).not.toMatch(/#pragma\s+omp/);
    }
    for (const p of walk(join(root, 'lib'))) {
      if (p.endsWith('native.ts') || p.endsWith('node-gyp-build.d.ts')) continue;
      expect(readFileSync(p, 'utf8'), p).not.toMatch(/node-gyp-build|\.node['"]/);
    }
  });
});

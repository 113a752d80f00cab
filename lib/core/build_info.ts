/** What was built and what it runs with: version, ISA in use, OpenMP, threads, compiler. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addonPath, native, type NativeBuildInfo } from '../native.js';
import { packageRoot } from './package_root.cjs';
import { InvalidParameterError } from './errors.js';

export interface BuildInfo extends NativeBuildInfo {
  /** The package version. */
  version: string;
  /** The .node file loaded (a prebuild or a local build). */
  addonPath: string;
}

let version: string | undefined;

/** Version, ISA in use (`ENSEMBLEKIT_SIMD=scalar` forces scalar), OpenMP on/off, default threads, compiler. */
export function buildInfo(): BuildInfo {
  version ??= (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  return { version, addonPath, ...native.buildInfo() };
}

/**
 * Switches the SIMD path for the whole process (never above what the CPU has); returns the ISA now in
 * use. For tests and benchmarks that compare paths; `ENSEMBLEKIT_SIMD` does the same at load.
 */
export function setSimd(isa: 'scalar' | 'avx2' | 'avx512'): 'scalar' | 'avx2' | 'avx512' {
  if (isa !== 'scalar' && isa !== 'avx2' && isa !== 'avx512') {
    throw new InvalidParameterError(`Expected 'scalar', 'avx2' or 'avx512' for isa but received ${String(isa)}`, 'isa');
  }
  return native.setIsa(isa);
}

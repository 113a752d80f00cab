/**
 * Child processes and worker threads for the reliability tests: they run plain Node (flags such as
 * --expose-gc, environment such as ENSEMBLEKIT_SIMD, several isolates), so they cannot import the
 * TypeScript sources vitest runs. `compiledLib()` emits lib/ once per test process (tsc --noCheck,
 * a few seconds) into build/reltest-<pid>/ inside the package, where the addon loader finds the
 * package root and build/Release as the sources do. `runChild` runs an ES module script that imports
 * the compiled index through the EK_LIB environment variable and prints one JSON line as its result.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = join(root, 'build', `reltest-${process.pid}`);
let compiled: string | undefined;

/** The file URL of the compiled lib/index.js (compiled on first use; removed at process exit). */
export function compiledLib(): string {
  if (compiled) return compiled;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  mkdirSync(outDir, { recursive: true });
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--noCheck', '--outDir', outDir], { cwd: root, stdio: 'pipe' });
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
  const index = join(outDir, 'lib', 'index.js');
  if (!existsSync(index)) throw new Error(`tsc did not emit ${index}`);
  compiled = pathToFileURL(index).href;
  return compiled;
}

/** Writes `source` (an ES module; `await import(process.env.EK_LIB)` gives the library) next to the compiled lib. */
export function scriptFile(name: string, source: string): string {
  compiledLib();
  const file = join(outDir, name);
  writeFileSync(file, source);
  return file;
}

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The last line of stdout parsed as JSON (scripts print their result last). */
  result: unknown;
  ms: number;
}

/** Runs `node [flags] file` with EK_LIB set; resolves when it exits (rejects only on a timeout). */
export function runChild(file: string, opts: { flags?: string[]; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<ChildResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(opts.flags ?? []), file], {
      cwd: root,
      env: { ...process.env, ...opts.env, EK_LIB: compiledLib() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child ${file} timed out after ${opts.timeoutMs} ms\n${stderr}`));
    }, opts.timeoutMs ?? 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      let result: unknown;
      try {
        result = JSON.parse(last);
      } catch {
        result = undefined;
      }
      resolve({ code, stdout, stderr, result, ms: performance.now() - started });
    });
  });
}

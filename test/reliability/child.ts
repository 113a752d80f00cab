/**
 * Child processes and worker threads for the reliability tests: they run plain Node (flags such as
 * --expose-gc, environment such as ENSEMBLEKIT_SIMD, several isolates), so they cannot import the
 * TypeScript sources vitest runs. `compiledLib()` emits lib/ (tsc --noCheck) into
 * build/reltest-<hash of lib/>/ inside the package, where the addon loader finds the package root
 * and build/Release as the sources do; test files share it (emitted into a temporary folder, then
 * renamed, so concurrent test processes never see half a tree). `runChild` runs an ES module script that imports
 * the compiled index through the EK_LIB environment variable and prints one JSON line as its result.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
function libHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else h.update(p).update(readFileSync(p));
    }
  };
  walk(join(root, 'lib'));
  return h.digest('hex').slice(0, 16);
}

const outDir = join(root, 'build', `reltest-${libHash()}`);
const scriptsDir = join(outDir, `scripts-${process.pid}`);
let compiled: string | undefined;

/** The file URL of the compiled lib/index.js (compiled on first use by any test process). */
export function compiledLib(): string {
  if (compiled) return compiled;
  const index = join(outDir, 'lib', 'index.js');
  if (!existsSync(join(outDir, 'package.json'))) {
    const tmp = `${outDir}.tmp-${process.pid}`;
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    mkdirSync(tmp, { recursive: true });
    execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--noCheck', '--outDir', tmp], { cwd: root, stdio: 'pipe' });
    writeFileSync(join(tmp, 'package.json'), '{ "type": "module" }\n');
    try {
      renameSync(tmp, outDir);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another process got there first
    }
  }
  if (!existsSync(index)) throw new Error(`tsc did not emit ${index}`);
  compiled = pathToFileURL(index).href;
  return compiled;
}

/** Writes `source` (an ES module; `await import(process.env.EK_LIB)` gives the library) next to the compiled lib. */
export function scriptFile(name: string, source: string): string {
  compiledLib();
  if (!existsSync(scriptsDir)) {
    mkdirSync(scriptsDir, { recursive: true });
    process.once('exit', () => rmSync(scriptsDir, { recursive: true, force: true }));
  }
  const file = join(scriptsDir, name);
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

// Compiles lib/ twice: ESM (dist/esm) and CommonJS (dist/cjs), then examples/ (dist/examples). The CJS tree gets its own
// package.json {"type":"commonjs"} because the root package is "type": "module".
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

rmSync(outDir, { recursive: true, force: true });
for (const [config, sub] of [['tsconfig.build.json', 'esm'], ['tsconfig.cjs.json', 'cjs']]) {
  execFileSync(process.execPath, [tsc, '-p', join(root, config), '--outDir', join(outDir, sub)], { stdio: 'inherit', cwd: root });
}
// The examples import 'ensemblekit' itself: Node resolves that through the root package.json's
// exports (self-reference), so dist/examples must not get a package.json of its own.
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.examples.json'), '--outDir', join(outDir, 'examples')], { stdio: 'inherit', cwd: root });
mkdirSync(join(outDir, 'cjs'), { recursive: true });
writeFileSync(join(outDir, 'cjs', 'package.json'), '{ "type": "commonjs" }\n');
writeFileSync(join(outDir, 'esm', 'package.json'), '{ "type": "module" }\n');

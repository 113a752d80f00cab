#!/usr/bin/env node
// `npm run bench -- NAME [args]`: runs bench/NAME.mjs against the built library (dist/, built first
// when missing), prints its table and writes it as markdown to bench/results/NAME.md.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const [name, ...args] = process.argv.slice(2);
const available = readdirSync(here).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs' && f !== 'harness.mjs').map((f) => f.slice(0, -4));

if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [options]`);
  process.exit(name ? 1 : 0);
}
if (!existsSync(join(root, 'dist', 'esm', 'lib', 'index.js'))) {
  execFileSync(process.execPath, [join(root, 'scripts', 'build-ts.mjs')], { stdio: 'inherit', cwd: root });
}

const mod = await import(pathToFileURL(join(here, `${name}.mjs`)).href);
const report = await mod.default(args);
console.log('\n' + report);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', `${name}.md`), report + '\n');
console.log(`\n(written to bench/results/${name}.md)`);

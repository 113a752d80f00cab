// `npm start`: the main job on bundled data — the reference text's Iris stacking example
// (examples/stacking-iris.ts, compiled to dist/examples by `npm run build:ts`, which `npm install`
// runs through `prepare`).
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const example = join(root, 'dist', 'examples', 'stacking-iris.js');
if (!existsSync(example)) execFileSync(process.execPath, [join(root, 'scripts', 'build-ts.mjs')], { stdio: 'inherit', cwd: root });

const { buildInfo } = await import(pathToFileURL(join(root, 'dist', 'esm', 'lib', 'index.js')).href);
const info = buildInfo();
console.log(`ensemblekit ${info.version} (${info.isa}, ${info.defaultThreads} threads)\n`);
await import(pathToFileURL(example).href);

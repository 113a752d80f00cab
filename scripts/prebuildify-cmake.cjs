#!/usr/bin/env node
// Stands in for node-gyp when prebuildify runs (`npm run prebuildify`), so prebuilds come from the
// same cmake-js build development and CI use. prebuildify calls `<this> rebuild --target=.. --devdir=..
// --arch=.. --release|--debug` and then takes the .node from build/Release.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const args = process.argv.slice(2);
const cmakeJs = require.resolve('cmake-js/bin/cmake-js');
const out = ['rebuild'];
for (const a of args) {
  if (a.startsWith('--arch=')) out.push('--arch', a.slice('--arch='.length));
  if (a === '--debug') out.push('--debug');
}
const r = spawnSync(process.execPath, [cmakeJs, ...out], { stdio: 'inherit', cwd: path.join(__dirname, '..') });
process.exit(r.status === null ? 1 : r.status);

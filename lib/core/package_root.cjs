'use strict';
/**
 * The absolute path of the ensemblekit package root: the first folder, walking up from this file,
 * that holds both `package.json` and `binding.gyp`.
 *
 * Why CommonJS: the library is compiled twice (dist/esm and dist/cjs) and `import.meta.url` does not
 * exist in the CommonJS build, while `__dirname` exists in both when this file stays `.cjs`.
 * Why two marker files: `dist/esm` and `dist/cjs` each carry their own `package.json` (a
 * `{"type": ...}` marker), so `package.json` alone would stop the walk at dist/esm or dist/cjs;
 * `binding.gyp` ships only at the real root (see package.json "files").
 *
 * Where this file lives: `<root>/lib/core` (sources, vitest), `<root>/dist/esm/lib/core` and
 * `<root>/dist/cjs/lib/core` (built). Loading fails with a clear Error when no such folder exists,
 * e.g. when the library was bundled into a single file without its package layout.
 *
 * Types: TypeScript reads them from the JSDoc below (allowJs) and emits `package_root.d.cts`
 * beside the built copy. Do not add a hand-written `package_root.d.cts` next to this file: when
 * both match the `include` glob, tsc keeps only the declaration and this file is never emitted
 * to dist/ (the built library then fails to load).
 */
const fs = require('node:fs');
const path = require('node:path');

/**
 * Walks up from `start` to the first folder that contains every one of `markers`.
 * @param {string} start absolute folder to begin with
 * @param {readonly string[]} markers file names that must all exist in the folder
 * @returns {string | undefined} the folder, or undefined when the file system root is passed
 */
function findUp(start, markers) {
  let dir = path.resolve(start);
  for (;;) {
    if (markers.every((name) => fs.existsSync(path.join(dir, name)))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

const found = findUp(__dirname, ['package.json', 'binding.gyp']);
if (found === undefined) {
  throw new Error(
    `ensemblekit: cannot find the package root: no folder from ${__dirname} upwards contains both ` +
      'package.json and binding.gyp. Install the package with its files (data/, binding.gyp) ' +
      'rather than bundling it into a single file.',
  );
}

/**
 * Absolute path of the package root (the folder holding package.json, binding.gyp and data/).
 * @type {string}
 */
const packageRoot = found;
exports.packageRoot = packageRoot;

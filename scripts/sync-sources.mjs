// Rewrites native/sources.gypi from the .cc files under native/ (sorted, grouped by ISA suffix), so
// the one list both builds read never drifts from the tree. `--check` only verifies (exit 1 on drift).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const walk = (d) => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
const files = walk(join(root, 'native')).filter((f) => f.endsWith('.cc')).map((f) => relative(root, f).split('\\').join('/')).sort();
const vars = {
  ek_core_sources: files.filter((f) => f.startsWith('native/core/') && !/_avx(2|512)\.cc$/.test(f)),
  ek_avx2_sources: files.filter((f) => f.endsWith('_avx2.cc')),
  ek_avx512_sources: files.filter((f) => f.endsWith('_avx512.cc')),
  ek_addon_sources: files.filter((f) => f.startsWith('native/addon/')),
};
const text = JSON.stringify({ variables: vars }, null, 2) + '\n';
const path = join(root, 'native', 'sources.gypi');
if (process.argv.includes('--check')) {
  if (readFileSync(path, 'utf8') !== text) {
    console.error('native/sources.gypi is out of date: run node scripts/sync-sources.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(path, text);
}

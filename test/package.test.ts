/**
 * What users install works: pack the package with npm pack (prebuild included), install the tarball
 * into an empty folder, check that no build step ran, and call it from CommonJS and from ESM.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
const prebuild = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'ensemblekit.node');
const work = mkdtempSync(join(tmpdir(), 'ensemblekit-pack-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd: string, args: string[], cwd: string): string {
  // The installed package must load its own prebuild, not the ENSEMBLEKIT_ADDON override that
  // scripts/test-asan.sh sets for the suite.
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_loglevel: 'error' };
  delete env.ENSEMBLEKIT_ADDON;
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env });
}

let consumer = '';

beforeAll(() => {
  // Stage the package as `files` describes it, so the test never writes into the repository.
  const stage = join(work, 'stage');
  mkdirSync(stage);
  for (const f of ['package.json', 'binding.gyp', 'CMakeLists.txt', 'README.md']) {
    if (existsSync(join(root, f))) copyFileSync(join(root, f), join(stage, f));
  }
  cpSync(join(root, 'native'), join(stage, 'native'), { recursive: true });
  cpSync(join(root, 'data'), join(stage, 'data'), { recursive: true });
  cpSync(join(root, 'bin'), join(stage, 'bin'), { recursive: true });
  run(process.execPath, [join(root, 'scripts', 'build-ts.mjs'), join(stage, 'dist')], root);
  // The prebuild made by `npm run prebuildify`; without one (a developer's quick run) stage the
  // local build stripped, as prebuildify would.
  const staged = join(stage, 'prebuilds', `${process.platform}-${process.arch}`);
  mkdirSync(staged, { recursive: true });
  const source = existsSync(prebuild) ? prebuild : join(root, 'build', 'Release', 'ensemblekit.node');
  copyFileSync(source, join(staged, 'ensemblekit.node'));
  if (source !== prebuild) run('strip', ['--strip-all', join(staged, 'ensemblekit.node')], stage);

  const out = run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], stage);
  const tarball = join(work, (JSON.parse(out) as { filename: string }[])[0]!.filename);

  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  run(npm, ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts'], consumer);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed package', () => {
  it('installs from the tarball without compiling anything', () => {
    const installed = join(consumer, 'node_modules', 'ensemblekit');
    expect(existsSync(join(installed, 'prebuilds', `${process.platform}-${process.arch}`, 'ensemblekit.node'))).toBe(true);
    expect(existsSync(join(installed, 'build'))).toBe(false);
    expect(readdirSync(join(installed, 'data')).sort()).toEqual(['breast_cancer.csv', 'diabetes.csv', 'digits.csv', 'iris.csv', 'wine.csv']);
    // Sources ship too, for the node-gyp fallback where no prebuild matches.
    expect(existsSync(join(installed, 'binding.gyp'))).toBe(true);
    expect(existsSync(join(installed, 'native', 'sources.gypi'))).toBe(true);
  });

  it('needs no newer glibc / libstdc++ than Node 20 itself (glibc 2.28, GCC 8 libstdc++)', () => {
    if (process.platform !== 'linux') return;
    const binary = join(consumer, 'node_modules', 'ensemblekit', 'prebuilds', `${process.platform}-${process.arch}`, 'ensemblekit.node');
    const symbols = run('objdump', ['-T', binary], consumer);
    const versions = (prefix: string) =>
      [...symbols.matchAll(new RegExp(`\\(${prefix}_([0-9.]+)\\)`, 'g'))].map((m) => m[1]!.split('.').map(Number));
    const newer = (v: number[], ceiling: number[]) => {
      for (let i = 0; i < Math.max(v.length, ceiling.length); i++) {
        if ((v[i] ?? 0) !== (ceiling[i] ?? 0)) return (v[i] ?? 0) > (ceiling[i] ?? 0);
      }
      return false;
    };
    const glibc = versions('GLIBC');
    expect(glibc.length).toBeGreaterThan(0);
    expect(glibc.filter((v) => newer(v, [2, 28])).map((v) => v.join('.'))).toEqual([]);
    expect(versions('GLIBCXX').filter((v) => newer(v, [3, 4, 25])).map((v) => v.join('.'))).toEqual([]);
  });

  it('installs the ensemblekit command, which trains on a bundled data set with no file', () => {
    const out = run(join(consumer, 'node_modules', '.bin', 'ensemblekit'), ['train', '--dataset', 'iris', '--model', 'rf', '--out', join(work, 'iris.ek'), '--json'], consumer);
    expect((JSON.parse(out) as { train: { accuracy: number } }).train.accuracy).toBeGreaterThan(0.9);
  });

  it('works from CommonJS', () => {
    const script = `
      const ek = require('ensemblekit');
      const info = ek.buildInfo();
      const a = { data: new Float64Array([1, 2, 3, 4]), rows: 2, cols: 2 };
      const c = { data: new Float64Array(4), rows: 2, cols: 2 };
      ek.linalg.gemm(a, a, c);
      const iris = ek.loadIris();
      let err; try { ek.toMatrix([[1], [2, 3]]); } catch (e) { err = e; }
      console.log(JSON.stringify({ info, c: Array.from(c.data), rows: iris.X.rows, err: err instanceof ek.InvalidInputError }));`;
    const out = JSON.parse(run(process.execPath, ['-e', script], consumer)) as { info: { addonPath: string; version: string }; c: number[]; rows: number; err: boolean };
    expect(out.info.addonPath).toContain(join('prebuilds', `${process.platform}-${process.arch}`));
    expect(out.c).toEqual([7, 10, 15, 22]);
    expect(out.rows).toBe(150);
    expect(out.err).toBe(true);
  });

  it('works from ESM, including async native work', () => {
    writeFileSync(
      join(consumer, 'check.mjs'),
      `import { Dataset, loadBreastCancer, buildInfo } from 'ensemblekit';
       const { X } = loadBreastCancer();
       const ds = await Dataset.build(X, { maxBin: 16 });
       console.log(JSON.stringify({ rows: ds.rows, cols: ds.cols, bins: ds.numBins(0), isa: buildInfo().isa }));`,
    );
    const out = JSON.parse(run(process.execPath, ['check.mjs'], consumer)) as { rows: number; cols: number; bins: number; isa: string };
    expect(out).toMatchObject({ rows: 569, cols: 30, bins: 16 });
  });
});

// `npm start`: the main job on bundled data. Until the ensemble facade lands this prints what was
// built (buildInfo) and bins a bundled data set; it trains nothing yet. It becomes the Iris stacking
// demo when StackingClassifier exists.
import { buildInfo, Dataset, loadBreastCancer, linalg, Matrix } from '../dist/esm/lib/index.js';

const info = buildInfo();
console.log('ensemblekit', info.version);
console.log(`  ISA in use: ${info.isa} (CPU supports ${info.detectedIsa})`);
console.log(`  OpenMP: ${info.openmp ? 'on' : 'off'}, default threads: ${info.defaultThreads}`);
console.log(`  compiler: ${info.compiler}`);
console.log(`  addon: ${info.addonPath}`);

const { X, featureNames } = loadBreastCancer();
const ds = await Dataset.build(X);
const bins = featureNames.slice(0, 4).map((name, f) => `${name}: ${ds.numBins(f)} bins`);
console.log(`\nbreast_cancer binned: ${ds.rows} rows x ${ds.cols} features, ${ds.memoryBytes} bytes native`);
console.log('  ' + bins.join(', ') + ', ...');
ds.dispose();

const n = 512;
const a = Matrix.zeros(n, n).data.map((_, i) => (i % 7) - 3);
const b = Matrix.zeros(n, n).data.map((_, i) => (i % 5) - 2);
const c = Matrix.zeros(n, n);
const t0 = process.hrtime.bigint();
linalg.gemm({ data: a, rows: n, cols: n }, { data: b, rows: n, cols: n }, c);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(`\nGEMM ${n}x${n}x${n} float64: ${((2 * n ** 3) / (ms * 1e6)).toFixed(1)} GFLOP/s`);
console.log('\n(Training estimators arrives with the boosting, forest and ensemble releases.)');

/**
 * The CLI's live validation metric (lib/cli/live_metric.ts) must equal the trainer's own default
 * metric: fit once with the built-in metric and once with the live one, compare round by round.
 */
import { describe, expect, it } from 'vitest';
import { GradientBoostingClassifier, GradientBoostingRegressor, loadBreastCancer, loadDiabetes, loadIris, trainTestSplit } from '../../lib/index.js';
import { liveMetric } from '../../lib/cli/live_metric.js';

async function compare(make: () => GradientBoostingClassifier | GradientBoostingRegressor, ds: { X: unknown; y: Float64Array }, metric: string) {
  const s = trainTestSplit(ds.X as never, ds.y, { testSize: 0.3, seed: 1 });
  const evalSet = [{ X: s.XTest, y: s.yTest!, name: 'valid' }];
  const builtin = await make().fit(s.XTrain, s.yTrain!, { evalSet });
  const reported: number[] = [];
  const est = make();
  const live = liveMetric(est, (name, v) => {
    expect(name).toBe(metric);
    reported.push(v);
  }, new Set(ds.y).size);
  expect(live).toBeDefined();
  est.setParams({ evalMetric: live });
  await est.fit(s.XTrain, s.yTrain!, { evalSet });
  expect(Object.keys(est.evalsResult.valid!)).toEqual([metric]);
  const ref = builtin.evalsResult.valid![metric]!;
  expect(reported.length).toBe(ref.length);
  reported.forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(ref[i]!))));
}

describe('CLI live metric', () => {
  it('equals the binary log-loss, the multi-class log-loss and the RMSE the trainer reports', async () => {
    await compare(() => new GradientBoostingClassifier({ nEstimators: 15 }), loadBreastCancer(), 'logloss');
    await compare(() => new GradientBoostingClassifier({ nEstimators: 10 }), loadIris(), 'multi_logloss');
    await compare(() => new GradientBoostingRegressor({ nEstimators: 10 }), loadDiabetes(), 'rmse');
  });

  it('stands aside when the model has its own metric or objective', () => {
    expect(liveMetric(new GradientBoostingClassifier({ evalMetric: 'auc' }), () => {})).toBeUndefined();
    expect(liveMetric(new GradientBoostingRegressor({ objective: 'absolute_error' }), () => {})).toBeUndefined();
  });
});

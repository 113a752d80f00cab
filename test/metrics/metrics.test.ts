import { describe, expect, it } from 'vitest';
import {
  accuracyScore,
  balancedAccuracyScore,
  confusionMatrix,
  f1Score,
  getScorer,
  InvalidInputError,
  InvalidParameterError,
  logLoss,
  meanAbsoluteError,
  meanSquaredError,
  precisionScore,
  r2Score,
  recallScore,
  rocAucScore,
  rootMeanSquaredError,
} from '../../lib/index.js';
import { skEns } from '../ensemble/fixtures.js';

const inp = skEns.metrics.inputs;
const ref = skEns.metrics.values;

function close(a: number, b: number, what: string) {
  expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));
}

describe('metrics vs sklearn.metrics (1e-12)', () => {
  it('accuracy and balanced accuracy, with and without weights', () => {
    close(accuracyScore(inp.yt, inp.yp), ref.accuracy, 'accuracy');
    close(accuracyScore(inp.yt, inp.yp, { sampleWeight: inp.w }), ref.accuracy_w, 'accuracy_w');
    close(balancedAccuracyScore(inp.yt, inp.yp), ref.balanced_accuracy, 'balanced');
    close(balancedAccuracyScore(inp.yt, inp.yp, { sampleWeight: inp.w }), ref.balanced_accuracy_w, 'balanced_w');
  });

  it('precision / recall / F1: macro, weighted, micro, per class, binary', () => {
    for (const avg of ['macro', 'weighted', 'micro'] as const) {
      close(precisionScore(inp.yt, inp.yp, { average: avg }) as number, ref[`precision_${avg}`], `precision_${avg}`);
      close(recallScore(inp.yt, inp.yp, { average: avg }) as number, ref[`recall_${avg}`], `recall_${avg}`);
      close(f1Score(inp.yt, inp.yp, { average: avg }) as number, ref[`f1_${avg}`], `f1_${avg}`);
      close(f1Score(inp.yt, inp.yp, { average: avg, sampleWeight: inp.w }) as number, ref[`f1_${avg}_w`], `f1_${avg}_w`);
    }
    const per = f1Score(inp.yt, inp.yp, { average: null }) as Float64Array;
    ref.f1_none.forEach((v: number, i: number) => close(per[i]!, v, `f1[${i}]`));
    close(precisionScore(inp.bt, inp.bp) as number, ref.precision_binary, 'precision_binary');
    close(recallScore(inp.bt, inp.bp) as number, ref.recall_binary, 'recall_binary');
    close(f1Score(inp.bt, inp.bp) as number, ref.f1_binary, 'f1_binary');
    close(f1Score(inp.bt, inp.bp, { sampleWeight: inp.w }) as number, ref.f1_binary_w, 'f1_binary_w');
    expect(() => f1Score(inp.yt, inp.yp)).toThrow(InvalidInputError);
  });

  it('confusion matrix (counts and weighted, row-normalised)', () => {
    expect(confusionMatrix(inp.yt, inp.yp).toArray()).toEqual(ref.confusion);
    const c = confusionMatrix(inp.yt, inp.yp, { sampleWeight: inp.w, normalize: 'true' });
    ref.confusion_w_true.flat().forEach((v: number, i: number) => close(c.data[i]!, v, `cm[${i}]`));
  });

  it('ROC AUC: binary with ties, weighted, one-vs-rest macro and weighted', () => {
    close(rocAucScore(inp.bt, inp.score) as number, ref.roc_auc_binary_ties, 'auc ties');
    close(rocAucScore(inp.bt, inp.bproba, { sampleWeight: inp.w }) as number, ref.roc_auc_binary_w, 'auc w');
    close(rocAucScore(inp.yt, inp.proba, { multiClass: 'ovr' }) as number, ref.roc_auc_ovr_macro, 'ovr macro');
    close(rocAucScore(inp.yt, inp.proba, { multiClass: 'ovr', average: 'weighted' }) as number, ref.roc_auc_ovr_weighted, 'ovr weighted');
    expect(() => rocAucScore(inp.yt, inp.proba)).toThrow(InvalidParameterError);
  });

  it('log loss: multiclass, weighted, binary 1-D', () => {
    close(logLoss(inp.yt, inp.proba), ref.log_loss, 'log_loss');
    close(logLoss(inp.yt, inp.proba, { sampleWeight: inp.w }), ref.log_loss_w, 'log_loss_w');
    close(logLoss(inp.bt, inp.bproba), ref.log_loss_binary, 'log_loss_binary');
  });

  it('regression: MSE, RMSE, MAE, R²', () => {
    close(meanSquaredError(inp.rt, inp.rp), ref.mse, 'mse');
    close(meanSquaredError(inp.rt, inp.rp, { sampleWeight: inp.w }), ref.mse_w, 'mse_w');
    close(rootMeanSquaredError(inp.rt, inp.rp), ref.rmse, 'rmse');
    close(meanAbsoluteError(inp.rt, inp.rp), ref.mae, 'mae');
    close(r2Score(inp.rt, inp.rp), ref.r2, 'r2');
    close(r2Score(inp.rt, inp.rp, { sampleWeight: inp.w }), ref.r2_w, 'r2_w');
  });

  it('string labels, scorer names with a hint on typos', () => {
    expect(accuracyScore(['a', 'b', 'b'], ['a', 'b', 'a'])).toBeCloseTo(2 / 3, 15);
    expect(getScorer('neg_log_loss').needs).toBe('proba');
    expect(() => getScorer('acuracy')).toThrow(/Did you mean 'accuracy'/);
    expect(() => accuracyScore([1, 2], ['a', 'b'])).toThrow(InvalidInputError);
  });
});

/**
 * Model fusion: one model from the internals of several (not from their outputs). `fuseLinear`
 * averages the coefficients of linear models, so the fused model's decision function is exactly
 * the weighted average of theirs: `x·(Σ wᵢ Wᵢ) + Σ wᵢ bᵢ = Σ wᵢ (x·Wᵢ + bᵢ)` with Σ wᵢ = 1.
 * (`fuseTrees` belongs with the compiled-forest work.)
 */
import { estimatorFromJSON, type EstimatorJSON } from '../core/estimator.js';
import { InvalidInputError } from '../core/errors.js';
import { LogisticRegression } from '../linear/logistic_regression.js';
import { LinearRegression, Ridge } from '../linear/ridge.js';

/** The linear models fuseLinear accepts. */
export type LinearModel = LogisticRegression | Ridge | LinearRegression;

/**
 * One linear model whose coefficients and intercepts are the weighted average of the inputs'
 * (weights default equal; normalised to sum to 1). All must be fitted and of one kind: all
 * LogisticRegression with the same classes, or all Ridge / LinearRegression with the same number
 * of targets; and the same number of features. The result has the first model's class and options.
 * @throws InvalidInputError when the models cannot be fused.
 */
export function fuseLinear<T extends LinearModel>(models: readonly T[], weights?: ArrayLike<number>): T {
  if (!Array.isArray(models) || models.length === 0) throw new InvalidInputError('fuseLinear needs at least one model');
  const logistic = models[0] instanceof LogisticRegression;
  models.forEach((m, i) => {
    const ok = logistic ? m instanceof LogisticRegression : m instanceof Ridge || m instanceof LinearRegression;
    if (!ok) throw new InvalidInputError(`fuseLinear: model ${i} (${(m as object)?.constructor?.name}) cannot be fused with a ${models[0]!.constructor.name}: all must be LogisticRegression, or all Ridge / LinearRegression`);
    if (!m.isFitted) throw new InvalidInputError(`fuseLinear: model ${i} is not fitted`);
  });
  const w = weights === undefined ? new Float64Array(models.length).fill(1) : Float64Array.from(weights);
  if (w.length !== models.length) throw new InvalidInputError(`fuseLinear: expected ${models.length} weights (one per model) but received ${w.length}`);
  let total = 0;
  for (const v of w) {
    if (!(Number.isFinite(v) && v >= 0)) throw new InvalidInputError(`fuseLinear: weights must be finite and non-negative but received ${v}`);
    total += v;
  }
  if (total === 0) throw new InvalidInputError('fuseLinear: weights sum to zero');
  const first = models[0]!;
  const nFeatures = first.nFeaturesIn;
  const coef0 = first.coef;
  const classes = logistic ? (first as LogisticRegression).classes : undefined;
  const coef = new Float64Array(coef0.data.length);
  const intercept = new Float64Array(first.intercept.length);
  models.forEach((m, i) => {
    if (m.nFeaturesIn !== nFeatures) throw new InvalidInputError(`fuseLinear: model ${i} has ${m.nFeaturesIn} features but model 0 has ${nFeatures}`);
    if (logistic) {
      const c = (m as LogisticRegression).classes;
      if (c.length !== classes!.length || c.some((x, j) => x !== classes![j])) {
        throw new InvalidInputError(`fuseLinear: model ${i} has classes ${JSON.stringify(c)} but model 0 has ${JSON.stringify(classes)}`);
      }
    }
    const C = m.coef;
    if (C.rows !== coef0.rows) throw new InvalidInputError(`fuseLinear: model ${i} has ${C.rows} coefficient rows but model 0 has ${coef0.rows}`);
    const wi = w[i]! / total;
    for (let j = 0; j < coef.length; j++) coef[j] = coef[j]! + wi * C.data[j]!;
    const b = m.intercept;
    for (let j = 0; j < intercept.length; j++) intercept[j] = intercept[j]! + wi * b[j]!;
  });
  // Through the JSON form: the models' own state format, so the result is an ordinary fitted model.
  const json = first.toJSON() as EstimatorJSON & { state: Record<string, unknown> };
  json.state = { ...json.state, coef: Array.from(coef), intercept: Array.from(intercept) };
  if (!logistic) json.state.solver = 'cholesky';
  return estimatorFromJSON(json) as unknown as T;
}

/**
 * Weight-space fusion of neural networks (a "model soup", Wortsman et al. 2022): one network whose
 * parameters are the weighted average of several networks' parameters.
 */
import { estimatorFromJSON, type EstimatorJSON } from '../core/estimator.js';
import { InvalidInputError } from '../core/errors.js';
import type { MLPState } from './base.js';
import { MLPClassifier } from './mlp_classifier.js';
import { MLPRegressor } from './mlp_regressor.js';

/** The networks fuseWeights accepts. */
export type NeuralModel = MLPClassifier | MLPRegressor;

/**
 * One network whose weights and biases are the weighted average of the inputs' (weights default
 * equal; normalised to sum to 1). All models must be fitted and alike: all MLPClassifier with the
 * same classes, or all MLPRegressor with the same outputs; the same layer sizes and activation.
 * The result has the first model's class and options (and its training record).
 *
 * Averaging works when the networks share an initialization lineage, e.g. fine-tuned with
 * `warmStart` from one fitted parent: they then lie in one basin of the loss and their average is
 * usually as good as the best of them, often better. Averaging unrelated networks (different seeds)
 * is allowed but usually harmful, since hidden units are permuted between independently trained
 * networks; ensemble their outputs instead (VotingClassifier).
 * @throws InvalidInputError when the models cannot be fused (kinds, classes or shapes differ).
 */
export function fuseWeights<T extends NeuralModel>(models: readonly T[], weights?: ArrayLike<number>): T {
  if (!Array.isArray(models) || models.length === 0) throw new InvalidInputError('fuseWeights needs at least one model');
  const classifier = models[0] instanceof MLPClassifier;
  models.forEach((m, i) => {
    const ok = classifier ? m instanceof MLPClassifier : m instanceof MLPRegressor;
    if (!ok) throw new InvalidInputError(`fuseWeights: model ${i} (${(m as object)?.constructor?.name}) cannot be fused with a ${(models[0] as object).constructor.name}: all must be MLPClassifier, or all MLPRegressor`);
    if (!m.isFitted) throw new InvalidInputError(`fuseWeights: model ${i} is not fitted`);
  });
  const w = weights === undefined ? new Float64Array(models.length).fill(1) : Float64Array.from(weights);
  if (w.length !== models.length) throw new InvalidInputError(`fuseWeights: expected ${models.length} weights (one per model) but received ${w.length}`);
  let total = 0;
  for (const v of w) {
    if (!(Number.isFinite(v) && v >= 0)) throw new InvalidInputError(`fuseWeights: weights must be finite and non-negative but received ${v}`);
    total += v;
  }
  if (total === 0) throw new InvalidInputError('fuseWeights: weights sum to zero');
  const first = models[0]!.networkState;
  const classes = classifier ? (models[0] as MLPClassifier).classes : undefined;
  const params = new Float64Array(first.params.length);
  models.forEach((m, i) => {
    const s: Readonly<MLPState> = m.networkState;
    if (s.sizes.length !== first.sizes.length || s.sizes.some((v, j) => v !== first.sizes[j])) {
      throw new InvalidInputError(`fuseWeights: model ${i} has layer sizes [${s.sizes.join(', ')}] but model 0 has [${first.sizes.join(', ')}]`);
    }
    if (s.activation !== first.activation) throw new InvalidInputError(`fuseWeights: model ${i} uses ${s.activation} units but model 0 uses ${first.activation}`);
    if (classifier) {
      const c = (m as MLPClassifier).classes;
      if (c.length !== classes!.length || c.some((x, j) => x !== classes![j])) {
        throw new InvalidInputError(`fuseWeights: model ${i} has classes ${JSON.stringify(c)} but model 0 has ${JSON.stringify(classes)}`);
      }
    }
    const wi = w[i]! / total;
    for (let j = 0; j < params.length; j++) params[j] = params[j]! + wi * s.params[j]!;
  });
  // Through the JSON form, so the result is an ordinary fitted model of the first one's class.
  const json = models[0]!.toJSON() as EstimatorJSON & { state: Record<string, unknown> };
  json.state = { ...json.state, params: Array.from(params) };
  return estimatorFromJSON(json) as unknown as T;
}

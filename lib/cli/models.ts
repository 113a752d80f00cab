/**
 * The `--model` names of the CLI and the estimators they build, per task. The ensembles (stack,
 * blend, vote) combine a gradient-boosted model, a random forest and a scaled linear model; their
 * members' parameters are reachable through `--params` as `member__param` (e.g. `gbdt__nEstimators`).
 */
import type { Estimator } from '../core/estimator.js';
import { InvalidParameterError } from '../core/errors.js';
import { BlendingClassifier, BlendingRegressor } from '../ensemble/blending.js';
import { StackingClassifier, StackingRegressor } from '../ensemble/stacking.js';
import { VotingClassifier, VotingRegressor } from '../ensemble/voting.js';
import { LogisticRegression } from '../linear/logistic_regression.js';
import { Ridge } from '../linear/ridge.js';
import { makePipeline } from '../preprocessing/pipeline.js';
import { StandardScaler } from '../preprocessing/standard_scaler.js';
import { AdaBoostClassifier, AdaBoostRegressor } from '../tree/adaboost.js';
import { ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier, RandomForestRegressor } from '../tree/forest.js';
import { GradientBoostingClassifier, GradientBoostingRegressor } from '../tree/gradient-boosting.js';

export type Task = 'classification' | 'regression';

type Factory = (task: Task, seed: number) => Estimator;

function members(task: Task, seed: number): [string, Estimator][] {
  return task === 'classification'
    ? [
        ['gbdt', new GradientBoostingClassifier({ seed })],
        ['rf', new RandomForestClassifier({ seed })],
        ['lr', makePipeline(new StandardScaler(), new LogisticRegression({ maxIter: 1000 }))],
      ]
    : [
        ['gbdt', new GradientBoostingRegressor({ seed })],
        ['rf', new RandomForestRegressor({ seed })],
        ['ridge', makePipeline(new StandardScaler(), new Ridge())],
      ];
}

const onlyFor = (name: string, task: Task, wanted: Task): void => {
  if (task !== wanted) throw new InvalidParameterError(`--model ${name} is for ${wanted} but the target looks like ${task} (set --task to override)`, 'model');
};

/** One entry per `--model` name; adding a model is one line. */
export const models: Record<string, { doc: string; make: Factory }> = {
  gbdt: {
    doc: 'gradient-boosted trees',
    make: (t, seed) => (t === 'classification' ? new GradientBoostingClassifier({ seed }) : new GradientBoostingRegressor({ seed })),
  },
  rf: { doc: 'random forest', make: (t, seed) => (t === 'classification' ? new RandomForestClassifier({ seed }) : new RandomForestRegressor({ seed })) },
  et: { doc: 'extra trees', make: (t, seed) => (t === 'classification' ? new ExtraTreesClassifier({ seed }) : new ExtraTreesRegressor({ seed })) },
  adaboost: { doc: 'AdaBoost', make: (t, seed) => (t === 'classification' ? new AdaBoostClassifier({ seed }) : new AdaBoostRegressor({ seed })) },
  logreg: {
    doc: 'logistic regression',
    make: (t) => {
      onlyFor('logreg', t, 'classification');
      return new LogisticRegression({ maxIter: 1000 });
    },
  },
  ridge: {
    doc: 'ridge regression',
    make: (t) => {
      onlyFor('ridge', t, 'regression');
      return new Ridge();
    },
  },
  stack: {
    doc: 'stacking of gbdt, rf and a linear model',
    make: (t, seed) => (t === 'classification' ? new StackingClassifier({ estimators: members(t, seed) }) : new StackingRegressor({ estimators: members(t, seed) })),
  },
  blend: {
    doc: 'blending of gbdt, rf and a linear model',
    make: (t, seed) =>
      t === 'classification' ? new BlendingClassifier({ estimators: members(t, seed), seed }) : new BlendingRegressor({ estimators: members(t, seed), seed }),
  },
  vote: {
    doc: 'soft voting (averaging) of gbdt, rf and a linear model',
    make: (t, seed) => (t === 'classification' ? new VotingClassifier({ estimators: members(t, seed), voting: 'soft' }) : new VotingRegressor({ estimators: members(t, seed) })),
  },
};

/** Builds `--model name` for the task with `--params` applied (nested `member__param` names allowed). */
export function makeModel(name: string, task: Task, seed: number, params: Record<string, unknown>): Estimator {
  const entry = models[name];
  if (entry === undefined) throw new InvalidParameterError(`Unknown --model '${name}'; expected one of ${Object.keys(models).join(', ')}`, 'model');
  const est = entry.make(task, seed);
  if (Object.keys(params).length > 0) est.setParams(params);
  return est;
}

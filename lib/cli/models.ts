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
import { SimpleImputer } from '../preprocessing/simple_imputer.js';
import { StandardScaler } from '../preprocessing/standard_scaler.js';
import { AdaBoostClassifier, AdaBoostRegressor } from '../tree/adaboost.js';
import { ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier, RandomForestRegressor } from '../tree/forest.js';
import { GradientBoostingClassifier, GradientBoostingRegressor } from '../tree/gradient-boosting.js';

export type Task = 'classification' | 'regression';

type Factory = (task: Task, seed: number) => Estimator;

/**
 * A linear model behind mean imputation and scaling: linear models take no missing values, and CSV
 * files have them. Its own options are given unprefixed in --params (see `linearStep`).
 */
function linear(est: Estimator): Estimator {
  return makePipeline(new SimpleImputer(), new StandardScaler(), est);
}

function members(task: Task, seed: number): [string, Estimator][] {
  return task === 'classification'
    ? [
        ['gbdt', new GradientBoostingClassifier({ seed })],
        ['rf', new RandomForestClassifier({ seed })],
        ['lr', linear(new LogisticRegression({ maxIter: 1000 }))],
      ]
    : [
        ['gbdt', new GradientBoostingRegressor({ seed })],
        ['rf', new RandomForestRegressor({ seed })],
        ['ridge', linear(new Ridge())],
      ];
}

const onlyFor = (name: string, task: Task, wanted: Task): void => {
  if (task !== wanted) throw new InvalidParameterError(`--model ${name} is for ${wanted} but the target looks like ${task} (set --task to override)`, 'model');
};

/** One entry per `--model` name; adding a model is one line. */
export const models: Record<string, { doc: string; make: Factory; linearStep?: string }> = {
  gbdt: {
    doc: 'gradient-boosted trees',
    make: (t, seed) => (t === 'classification' ? new GradientBoostingClassifier({ seed }) : new GradientBoostingRegressor({ seed })),
  },
  rf: { doc: 'random forest', make: (t, seed) => (t === 'classification' ? new RandomForestClassifier({ seed }) : new RandomForestRegressor({ seed })) },
  et: { doc: 'extra trees', make: (t, seed) => (t === 'classification' ? new ExtraTreesClassifier({ seed }) : new ExtraTreesRegressor({ seed })) },
  adaboost: { doc: 'AdaBoost', make: (t, seed) => (t === 'classification' ? new AdaBoostClassifier({ seed }) : new AdaBoostRegressor({ seed })) },
  logreg: {
    doc: 'logistic regression (after mean imputation and scaling)',
    linearStep: 'logisticregression',
    make: (t) => {
      onlyFor('logreg', t, 'classification');
      return linear(new LogisticRegression({ maxIter: 1000 }));
    },
  },
  ridge: {
    doc: 'ridge regression (after mean imputation and scaling)',
    linearStep: 'ridge',
    make: (t) => {
      onlyFor('ridge', t, 'regression');
      return linear(new Ridge());
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
  const step = entry.linearStep;
  // logreg / ridge: unprefixed options belong to the linear model, not to the pipeline around it.
  const given = step === undefined ? params : Object.fromEntries(Object.entries(params).map(([k, v]) => [k.includes('__') || k === 'steps' ? k : `${step}__${k}`, v]));
  if (Object.keys(given).length > 0) est.setParams(given);
  return est;
}

/**
 * Tells the gradient-boosted models inside `est` (itself, or an ensemble member named gbdt) which
 * columns hold category codes, unless --params already did.
 */
export function declareCategorical(est: Estimator, columns: number[]): void {
  if (columns.length === 0) return;
  const params = est.getParams(true);
  const set: Record<string, unknown> = {};
  for (const key of ['categoricalFeatures', 'gbdt__categoricalFeatures']) {
    if (key in params && (params[key] === null || params[key] === undefined)) set[key] = columns;
  }
  if (Object.keys(set).length > 0) est.setParams(set);
}

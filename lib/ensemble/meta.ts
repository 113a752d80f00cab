/**
 * Meta-features for stacking and blending: which output each member contributes ('auto' picks
 * predictProba, then decisionFunction, then predict, per member, as scikit-learn), and how outputs
 * are put side by side (the first probability column dropped for two classes; X appended with
 * passthrough).
 */
import type { Estimator } from '../core/estimator.js';
import { InvalidParameterError } from '../core/errors.js';
import type { MatrixInput } from '../core/input.js';
import { Matrix, type MatrixLike } from '../core/matrix.js';
import type { LabelList } from '../metrics/labels.js';
import { alignColumns, classesOf, hasMethod, outputOf, predictOf, type OutputMethod } from '../metrics/outputs.js';
import { classIndexMatrix } from '../model_selection/validation.js';
import { hstack } from './voting.js';

/** Which member output feeds the final estimator. */
export type StackMethod = 'auto' | OutputMethod;

/** The method per member: classifiers follow `stackMethod` ('auto': the first they have); regressors predict. */
export function resolveStackMethods(members: readonly [string, Estimator][], stackMethod: StackMethod, classifier: boolean, owner: string): OutputMethod[] {
  return members.map(([name, est]) => {
    if (!classifier) {
      if (stackMethod !== 'auto' && stackMethod !== 'predict') throw new InvalidParameterError(`${owner} (a regressor) stacks predictions only: stackMethod must be 'auto' or 'predict'`, 'stackMethod');
      return 'predict';
    }
    if (stackMethod === 'auto') {
      for (const m of ['predictProba', 'decisionFunction', 'predict'] as const) if (hasMethod(est, m)) return m;
      return 'predict';
    }
    if (!hasMethod(est, stackMethod)) throw new InvalidParameterError(`${owner} member '${name}' has no ${stackMethod} (stackMethod '${stackMethod}')`, 'stackMethod');
    return stackMethod;
  });
}

/** One member's output on X in meta-feature form (classifiers: columns aligned to `classes`, predictions as class indices). */
export function memberOutput(est: Estimator, X: MatrixInput, method: OutputMethod, classes: LabelList | undefined): Matrix {
  if (!classes) return outputOf(est, X, method);
  if (method === 'predict') return classIndexMatrix(predictOf(est, X), classes);
  const out = outputOf(est, X, method);
  if (method === 'decisionFunction' && out.cols === 1) return out;
  return alignColumns(out, classesOf(est), classes, method === 'predictProba' ? 0 : -Number.MAX_VALUE);
}

/**
 * The members' outputs side by side: for two classes only the second probability column of a
 * predictProba output (the two are collinear); with passthrough, X's columns after them.
 */
export function concatMeta(outputs: readonly Matrix[], methods: readonly OutputMethod[], nClasses: number, passthrough: MatrixLike | undefined): Matrix {
  const parts = outputs.map((o, i) => {
    if (methods[i] === 'predictProba' && nClasses === 2 && o.cols === 2) return new Matrix(o.column(1), o.rows, 1);
    return o;
  });
  if (passthrough) parts.push(passthrough instanceof Matrix ? passthrough : new Matrix(Float64Array.from(passthrough.data), passthrough.rows, passthrough.cols));
  return hstack(parts);
}

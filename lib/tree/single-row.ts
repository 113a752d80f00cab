/**
 * The single-row call every tree model shares (gradient boosting, forests, single trees): checks the
 * row, copies a plain array into a reused scratch row, and calls the native model's predictOne,
 * which walks the compiled forest on the calling thread without allocating.
 */
import { InvalidInputError } from '../core/errors.js';
import { detachedNote } from '../core/input.js';

/** A row as predictOne accepts it. */
export type RowInput = Float64Array | Float32Array | ArrayLike<number>;

interface OneRowModel {
  predictOne(row: Float32Array | Float64Array, out: Float64Array | undefined, treeEnd: number, raw: boolean): number | Float64Array;
}

/** Holds the scratch row a plain-array input is copied into (one per estimator, reused). */
export class SingleRow {
  #scratch: Float64Array | undefined;

  predict(model: OneRowModel, nFeatures: number, row: RowInput, out: Float64Array | undefined, raw: boolean): number | Float64Array {
    let r = row;
    if ((row instanceof Float64Array || row instanceof Float32Array) && row.length !== nFeatures) {
      throw new InvalidInputError(`Expected ${nFeatures} values in 'row' but received ${row.length}${detachedNote(row)}`);
    }
    if (!(row instanceof Float64Array) && !(row instanceof Float32Array)) {
      if (row === null || typeof row !== 'object' || typeof row.length !== 'number') throw new InvalidInputError(`Expected an array of ${nFeatures} numbers for 'row'`);
      if (row.length !== nFeatures) throw new InvalidInputError(`Expected ${nFeatures} values in 'row' but received ${row.length}`);
      if (this.#scratch?.length !== nFeatures) this.#scratch = new Float64Array(nFeatures);
      const tmp = this.#scratch;
      for (let j = 0; j < nFeatures; j++) {
        const v = row[j];
        // As the batch input check: numbers only (NaN and infinities are values), nothing coerced.
        if (typeof v !== 'number') throw new InvalidInputError(`Expected a number at row[${j}] but received ${v === null ? 'null' : typeof v}`);
        tmp[j] = v;
      }
      r = tmp;
    }
    return model.predictOne(r as Float64Array, out, -1, raw);
  }
}

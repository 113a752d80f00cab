/**
 * The matrix type results come back in, and the row-major input form that goes to native code
 * without a copy. See DESIGN.md, "Matrix in" and "Results out".
 */

/** Row-major dense input: `data[r * cols + c]`. `NaN` marks a missing value. */
export interface MatrixLike {
  readonly data: Float32Array | Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** A row-major `Float64Array` with its shape; what `predictProba`, loaders and generators return. */
export class Matrix implements MatrixLike {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;

  constructor(data: Float64Array, rows: number, cols: number) {
    if (data.length !== rows * cols) {
      throw new RangeError(`Expected data of length ${rows * cols} for a ${rows}x${cols} Matrix but received ${data.length}`);
    }
    this.data = data;
    this.rows = rows;
    this.cols = cols;
  }

  /** A zero-filled matrix. */
  static zeros(rows: number, cols: number): Matrix {
    return new Matrix(new Float64Array(rows * cols), rows, cols);
  }

  /** Copies a rectangular `number[][]` (no validation beyond shape: see `toMatrix` for that). */
  static fromArray(rows: readonly (readonly number[])[]): Matrix {
    const r = rows.length;
    const c = r === 0 ? 0 : rows[0]!.length;
    const m = Matrix.zeros(r, c);
    for (let i = 0; i < r; i++) {
      const row = rows[i]!;
      if (row.length !== c) throw new RangeError(`Row ${i} has ${row.length} values, expected ${c}`);
      m.data.set(row, i * c);
    }
    return m;
  }

  /** Value at row `r`, column `c`. */
  get(r: number, c: number): number {
    return this.data[r * this.cols + c]!;
  }

  /** Row `r` as a view (no copy). */
  row(r: number): Float64Array {
    return this.data.subarray(r * this.cols, (r + 1) * this.cols);
  }

  /** Column `c` as a new array. */
  column(c: number): Float64Array {
    const out = new Float64Array(this.rows);
    for (let r = 0; r < this.rows; r++) out[r] = this.data[r * this.cols + c]!;
    return out;
  }

  /** A copy as `number[][]`. */
  toArray(): number[][] {
    const out: number[][] = new Array(this.rows);
    for (let r = 0; r < this.rows; r++) out[r] = Array.from(this.row(r));
    return out;
  }
}

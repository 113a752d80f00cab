/**
 * Dense matrix kernels of the native core (GEMM, GEMV, dot, axpy), exposed for tests, benchmarks and
 * users who want them. Row-major; float32 or float64 (all operands of one call the same type).
 */
import { native, runJob, type JobOptions } from '../native.js';
import { InvalidInputError } from '../core/errors.js';
import type { MatrixLike } from '../core/matrix.js';

/** The element types of the kernels' operands. */
export type FloatArray = Float32Array | Float64Array;

export interface GemmOptions {
  /** Use op(A) = Aᵀ. */
  transA?: boolean;
  /** Use op(B) = Bᵀ. */
  transB?: boolean;
  /** Default 1. */
  alpha?: number;
  /** Default 0 (C is overwritten, never read). */
  beta?: number;
  /** Threads; <= 0 or undefined means all cores. */
  nThreads?: number;
}

interface GemmShape {
  m: number;
  n: number;
  k: number;
}

function shape(a: MatrixLike, b: MatrixLike, c: MatrixLike, o: GemmOptions): GemmShape {
  const m = o.transA ? a.cols : a.rows;
  const k = o.transA ? a.rows : a.cols;
  const kb = o.transB ? b.cols : b.rows;
  const n = o.transB ? b.rows : b.cols;
  if (k !== kb) throw new InvalidInputError(`gemm: op(A) is ${m}x${k} but op(B) is ${kb}x${n}`);
  if (c.rows !== m || c.cols !== n) throw new InvalidInputError(`gemm: expected C of shape ${m}x${n} but received ${c.rows}x${c.cols}`);
  for (const [name, x] of [['A', a], ['B', b], ['C', c]] as const) {
    if (x.data.length !== x.rows * x.cols) throw new InvalidInputError(`gemm: ${name}.data has ${x.data.length} elements, expected rows * cols = ${x.rows * x.cols}`);
  }
  return { m, n, k };
}

/** C = alpha * op(A) * op(B) + beta * C, in place on C.data. */
export function gemm(a: MatrixLike, b: MatrixLike, c: MatrixLike, options: GemmOptions = {}): void {
  const { m, n, k } = shape(a, b, c, options);
  native.linalg.gemm(
    !!options.transA, !!options.transB, m, n, k, options.alpha ?? 1, a.data, a.cols, b.data, b.cols,
    options.beta ?? 0, c.data, c.cols, options.nThreads ?? 0,
  );
}

/** Same as {@link gemm}, off the event loop; cancellable and with progress. Don't touch C until it settles. */
export async function gemmAsync(a: MatrixLike, b: MatrixLike, c: MatrixLike, options: GemmOptions & JobOptions = {}): Promise<void> {
  const { m, n, k } = shape(a, b, c, options);
  // The native job runs after this call returns, so it works on private copies: a caller who
  // transfers or resizes an operand's buffer meanwhile cannot pull memory from under it. The result
  // is written back into c when the job is done (unless c's buffer has gone by then).
  const aData = a.data.slice();
  const bData = b === a ? aData : b.data.slice();
  const out = c.data.slice();
  await runJob(
    (job, onProgress) =>
      native.linalg.gemmAsync(
        !!options.transA, !!options.transB, m, n, k, options.alpha ?? 1, aData, a.cols, bData, b.cols,
        options.beta ?? 0, out, c.cols, options.nThreads ?? 0, job, onProgress,
      ),
    options,
  );
  if (c.data.length === out.length) c.data.set(out as never);
}

/** y = alpha * op(A) * x + beta * y, in place on y. */
export function gemv(a: MatrixLike, x: FloatArray, y: FloatArray, options: { transA?: boolean; alpha?: number; beta?: number; nThreads?: number } = {}): void {
  native.linalg.gemv(!!options.transA, a.rows, a.cols, options.alpha ?? 1, a.data, a.cols, x, options.beta ?? 0, y, options.nThreads ?? 0);
}

/** xᵀy. */
export function dot(x: FloatArray, y: FloatArray): number {
  return native.linalg.dot(x, y);
}

/** y += alpha * x, in place on y. */
export function axpy(alpha: number, x: FloatArray, y: FloatArray): void {
  native.linalg.axpy(alpha, x, y);
}

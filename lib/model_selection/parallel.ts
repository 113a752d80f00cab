/**
 * Bounded concurrency for fits (folds, search candidates, ensemble members): at most `nJobs`
 * promises in flight. The native core shares one thread budget process-wide, so concurrent native
 * fits divide the cores instead of multiplying threads; concurrency here overlaps their waits.
 */
import { availableParallelism } from 'node:os';
import { AbortError } from '../core/errors.js';

/** `nJobs` as a count: a positive number as is; `undefined`, 0 or negative means one per core. */
export function resolveJobs(nJobs: number | null | undefined): number {
  if (nJobs === undefined || nJobs === null || nJobs <= 0 || !Number.isFinite(nJobs)) return Math.max(1, availableParallelism());
  return Math.max(1, Math.floor(nJobs));
}

/**
 * `fn(0) ... fn(n-1)` with at most `limit` running at once; results in index order. The first
 * rejection stops new work from starting and is rethrown once the running ones have settled.
 */
export async function mapLimit<T>(n: number, limit: number, fn: (i: number) => Promise<T>, signal?: AbortSignal): Promise<T[]> {
  const out = new Array<T>(n);
  let next = 0;
  let failed = false;
  let error: unknown;
  const worker = async (): Promise<void> => {
    while (!failed && next < n) {
      const i = next++;
      if (signal?.aborted) {
        failed = true;
        error = new AbortError();
        return;
      }
      try {
        out[i] = await fn(i);
      } catch (err) {
        if (!failed) {
          failed = true;
          error = err;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), n) }, worker));
  if (failed) throw error;
  return out;
}

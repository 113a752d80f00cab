/**
 * The examples run as users run them. stacking-iris is the reference text's example: scikit-learn
 * gets a mean 5-fold accuracy of about 0.96 on that recipe; ours must land in [0.93, 1.0].
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

describe('examples', () => {
  afterEach(() => vi.restoreAllMocks());

  it('stacking-iris prints five fold accuracies and a mean in [0.93, 1.0]', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });
    await import('../examples/stacking-iris.js');
    const folds = lines.find((l) => l.startsWith('Stacking classifier accuracy:'));
    const mean = lines.find((l) => l.startsWith('Mean accuracy:'));
    expect(folds).toBeDefined();
    expect(JSON.parse(folds!.slice(folds!.indexOf('['))).length).toBe(5);
    const value = Number(mean!.split(':')[1]);
    expect(value).toBeGreaterThanOrEqual(0.93);
    expect(value).toBeLessThanOrEqual(1);
  });
});

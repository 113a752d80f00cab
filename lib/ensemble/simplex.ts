/**
 * Minimising a smooth convex loss over the probability simplex (weights >= 0 summing to 1) by
 * projected gradient descent with a backtracking (Armijo) step: what Blending's 'optimize' uses.
 */

/** Euclidean projection onto the simplex (Duchi, Shalev-Shwartz, Singer & Chandra, 2008). */
export function projectSimplex(v: Float64Array): Float64Array {
  const u = Float64Array.from(v).sort().reverse();
  let css = 0;
  let theta = 0;
  for (let i = 0; i < u.length; i++) {
    css += u[i]!;
    const t = (css - 1) / (i + 1);
    if (u[i]! - t > 0) theta = t;
  }
  return Float64Array.from(v, (x) => Math.max(x - theta, 0));
}

/** Minimises `f` (returning value and gradient) from the uniform weights. */
export function minimizeOnSimplex(k: number, f: (w: Float64Array) => { value: number; grad: Float64Array }, maxIter = 500, tol = 1e-12): Float64Array {
  let w: Float64Array = new Float64Array(k).fill(1 / k);
  let cur = f(w);
  let step = 1;
  for (let it = 0; it < maxIter; it++) {
    let next: Float64Array | undefined;
    let val = cur.value;
    for (let bt = 0; bt < 50; bt++) {
      const cand = projectSimplex(Float64Array.from(w, (x, i) => x - step * cur.grad[i]!));
      let decrease = 0;
      for (let i = 0; i < k; i++) decrease += cur.grad[i]! * (w[i]! - cand[i]!);
      const r = f(cand);
      if (r.value <= cur.value - 1e-4 * decrease || decrease <= 0) {
        next = cand;
        val = r.value;
        break;
      }
      step /= 2;
    }
    if (!next) break;
    const improved = cur.value - val;
    w = next;
    cur = f(w);
    step *= 2;
    if (improved <= tol * Math.max(1, Math.abs(val))) break;
  }
  return w;
}

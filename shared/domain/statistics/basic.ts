// Small numerical helpers shared by the statistics modules. Two-pass formulas keep the
// variance accurate for scores with a large mean and small spread (e.g. totals near 80).
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';

export function sum(xs: readonly number[]): number {
  // Neumaier compensated summation: totals of many small item scores stay exact.
  let s = 0;
  let c = 0;
  for (const x of xs) {
    const t = s + x;
    c += Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s;
    s = t;
  }
  return s + c;
}

export function mean(xs: readonly number[]): number {
  return sum(xs) / xs.length;
}

/** Sample variance (denominator n − 1), as R's var() and numpy's var(ddof=1). */
export function variance(xs: readonly number[]): number {
  const m = mean(xs);
  return sum(xs.map((x) => (x - m) * (x - m))) / (xs.length - 1);
}

/** Sample standard deviation (n − 1), as R's sd(). */
export function sd(xs: readonly number[]): number {
  return Math.sqrt(variance(xs));
}

/** Sample covariance (n − 1). */
export function covariance(xs: readonly number[], ys: readonly number[]): number {
  const mx = mean(xs);
  const my = mean(ys);
  return sum(xs.map((x, i) => (x - mx) * ((ys[i] as number) - my))) / (xs.length - 1);
}

/** Average ranks (1-based) with ties given the mean of the ranks they span, as R's rank(). */
export function averageRanks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x);
  const ranks = new Array<number>(xs.length).fill(0);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && (order[j + 1] as { x: number }).x === (order[i] as { x: number }).x) j++;
    const r = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[(order[k] as { i: number }).i] = r;
    i = j + 1;
  }
  return ranks;
}

/** Sizes of groups of tied values (only groups larger than one). */
export function tieGroupSizes(xs: readonly number[]): number[] {
  const counts = new Map<number, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts.values()].filter((c) => c > 1);
}

/** Two-sided p-value of a t statistic; computed from the lower tail to keep tiny p-values accurate. */
export function tTwoSidedP(t: number, df: number): number {
  return Math.min(1, 2 * tCdf(-Math.abs(t), df));
}

/** Quantile of Student's t (e.g. 0.975 for a 95 % two-sided interval). */
export function tQuant(p: number, df: number): number {
  return tQuantile(p, df);
}

/** Two-sided p-value of a standard-normal z. */
export function zTwoSidedP(z: number): number {
  return Math.min(1, 2 * normalCdf(-Math.abs(z), 0, 1));
}

export function isFiniteNumber(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** Round-trip guard: turn any NaN/±Infinity that slipped through into null (JSON-safe). */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

// Wilcoxon signed-rank test for paired data, computed exactly as R's
// wilcox.test(post, pre, paired = TRUE) (R 4.x, stats:::wilcox.test.default):
//   d = post − pre; zero differences are dropped ("ZEROES"); n = number of non-zero d;
//   V = sum of the ranks of |d| (average ranks for ties) over the positive d;
//   exact (psignrank) when n < 50 and there are neither ties nor zeros;
//   otherwise normal approximation with continuity correction 0.5·sign(V − n(n+1)/4) and the
//   tie-corrected variance n(n+1)(2n+1)/24 − Σ(t³ − t)/48.
// We do not call @stdlib/stats-wilcoxon for the decision itself because it differs from R at the
// edges (exact up to n = 50 inclusive, no min(1, p) cap); we use its distributions instead:
// @stdlib/stats-base-dists-signrank-cdf (exact) and the normal CDF. Verified against
// scipy.stats.wilcoxon(zero_method='wilcox', correction=True, method='exact'|'approx').
import signrankCdf from '@stdlib/stats-base-dists-signrank-cdf';
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { averageRanks, sum, tieGroupSizes } from './basic.ts';

export interface WilcoxonResult {
  /** R's V: sum of ranks of positive differences (post − pre). */
  V: number | null;
  p: number | null;
  method: 'exact' | 'normal-approximation' | null;
  nNonZero: number;
  nZero: number;
  hasTies: boolean;
  /** Matched-pairs rank-biserial r = (R+ − R−)/(R+ + R−) (Kerby 2014), zeros dropped. */
  rankBiserial: number | null;
  reason?: string;
}

/** R's exact/approximate switch: exact when n < 50 (R: `exact <- (n < 50)`). */
export const WILCOXON_EXACT_MAX_N = 49;

export function wilcoxonSignedRank(differences: readonly number[]): WilcoxonResult {
  const nonZero = differences.filter((d) => d !== 0);
  const nZero = differences.length - nonZero.length;
  const n = nonZero.length;
  if (n === 0) {
    return {
      V: null,
      p: null,
      method: null,
      nNonZero: 0,
      nZero,
      hasTies: false,
      rankBiserial: null,
      reason:
        differences.length === 0
          ? 'no complete pairs'
          : 'all differences are zero, so the signed-rank test has nothing to rank',
    };
  }
  const ranks = averageRanks(nonZero.map(Math.abs));
  const V = sum(ranks.filter((_, i) => (nonZero[i] as number) > 0));
  const total = (n * (n + 1)) / 2;
  const rankBiserial = (V - (total - V)) / total;
  const ties = tieGroupSizes(ranks);
  const hasTies = ties.length > 0;
  if (n <= WILCOXON_EXACT_MAX_N && !hasTies && nZero === 0) {
    // Two-sided exact p = 2·P(V' ≤ min(V, N − V)) by symmetry of the signed-rank distribution
    // (equal to R's two branches; using the lower tail avoids 1 − cdf cancellation).
    const p = Math.min(1, 2 * signrankCdf(Math.min(V, total - V), n));
    return { V, p, method: 'exact', nNonZero: n, nZero, hasTies, rankBiserial };
  }
  const centred = V - (n * (n + 1)) / 4;
  const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - sum(ties.map((t) => t * t * t - t)) / 48);
  const correction = Math.sign(centred) * 0.5;
  const z = (centred - correction) / sigma;
  // R: 2 * min(pnorm(z), pnorm(z, lower.tail = FALSE))
  const p = Math.min(1, 2 * Math.min(normalCdf(z, 0, 1), normalCdf(-z, 0, 1)));
  return { V, p, method: 'normal-approximation', nNonZero: n, nZero, hasTies, rankBiserial };
}

// Paired pre/post analysis of one instrument in one arm (complete pairs only).
// Formulas and sources:
//   paired t: t = mean(d) / (sd(d)/√n), df = n − 1, two-sided p; 95 % CI mean(d) ± t(.975, n−1)·sd(d)/√n
//     (Student; identical to R's t.test(post, pre, paired = TRUE) and scipy.stats.ttest_rel).
//   Cohen's dz = mean(d) / sd(d) (Cohen 1988; Lakens 2013, eq. 6).
//   Hedges' g_av = d_av · J, d_av = mean(d) / ((sd_pre + sd_post)/2) (Lakens 2013, eq. 10),
//     J = 1 − 3/(4·df − 1) with df = n − 1 (Hedges & Olkin 1985 approximation; Lakens 2013, eq. 4).
//   Wilcoxon signed-rank and matched rank-biserial: see wilcoxon.ts.
import { mean, sd, tQuant, tTwoSidedP } from './basic.ts';
import { wilcoxonSignedRank, type WilcoxonResult } from './wilcoxon.ts';

export interface PairedResult {
  n: number;
  /** Pairs dropped because pre or post is missing. */
  nExcluded: number;
  meanPre: number | null;
  meanPost: number | null;
  sdPre: number | null;
  sdPost: number | null;
  /** post − pre */
  meanDiff: number | null;
  sdDiff: number | null;
  ci95: [number, number] | null;
  t: number | null;
  df: number | null;
  p: number | null;
  cohenDz: number | null;
  hedgesGav: number | null;
  wilcoxon: WilcoxonResult;
  rankBiserial: number | null;
  /** Why some fields are null (absent when everything was computed). */
  reason?: string;
}

type Maybe = number | null | undefined;

function isNum(x: Maybe): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** Splits two aligned arrays into complete pairs. */
export function completePairs(pre: readonly Maybe[], post: readonly Maybe[]): { pre: number[]; post: number[]; excluded: number } {
  if (pre.length !== post.length) throw new RangeError(`pre and post must have the same length (${pre.length} vs ${post.length})`);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < pre.length; i++) {
    const x = pre[i];
    const y = post[i];
    if (isNum(x) && isNum(y)) {
      a.push(x);
      b.push(y);
    }
  }
  return { pre: a, post: b, excluded: pre.length - a.length };
}

export function pairedAnalysis(preIn: readonly Maybe[], postIn: readonly Maybe[]): PairedResult {
  const { pre, post, excluded } = completePairs(preIn, postIn);
  const n = pre.length;
  const diffs = post.map((y, i) => y - (pre[i] as number));
  const wilcoxon = wilcoxonSignedRank(diffs);
  const reasons: string[] = [];
  const out: PairedResult = {
    n,
    nExcluded: excluded,
    meanPre: null,
    meanPost: null,
    sdPre: null,
    sdPost: null,
    meanDiff: null,
    sdDiff: null,
    ci95: null,
    t: null,
    df: null,
    p: null,
    cohenDz: null,
    hedgesGav: null,
    wilcoxon,
    rankBiserial: wilcoxon.rankBiserial,
  };
  if (n === 0) {
    out.reason = 'no complete pre/post pairs';
    return out;
  }
  out.meanPre = mean(pre);
  out.meanPost = mean(post);
  out.meanDiff = mean(diffs);
  if (n < 2) {
    out.reason = 'needs at least 2 complete pre/post pairs (found 1)';
    return out;
  }
  out.sdPre = sd(pre);
  out.sdPost = sd(post);
  const sdDiff = sd(diffs);
  out.sdDiff = sdDiff;
  const df = n - 1;
  out.df = df;
  // Differences that are all equal (to within rounding of the scores) give no t test,
  // as R's t.test stops with "data are essentially constant".
  if (!(sdDiff > 1e-12 * Math.max(1, Math.abs(out.meanDiff)))) {
    out.sdDiff = 0;
    reasons.push('all pre/post differences are equal (zero variance), so t, p, CI and dz are not computable');
  } else {
    const se = sdDiff / Math.sqrt(n);
    const t = out.meanDiff / se;
    const q = tQuant(0.975, df);
    out.t = t;
    out.p = tTwoSidedP(t, df);
    out.ci95 = [out.meanDiff - q * se, out.meanDiff + q * se];
    out.cohenDz = out.meanDiff / sdDiff;
  }
  const sdAv = (out.sdPre + out.sdPost) / 2;
  if (sdAv > 0) {
    const j = 1 - 3 / (4 * df - 1);
    out.hedgesGav = (out.meanDiff / sdAv) * j;
  } else {
    reasons.push('pre and post scores have no spread, so Hedges g_av is not computable');
  }
  if (wilcoxon.reason) reasons.push(`Wilcoxon: ${wilcoxon.reason}`);
  if (reasons.length > 0) out.reason = reasons.join('; ');
  return out;
}

// Reference numbers: tests/shared/reference/reference.py (scipy 1.17.1, statsmodels 0.15.0,
// pingouin 0.7.0). Each block names the exact call that produced its numbers.
import { describe, expect, it } from 'vitest';
import wilcoxonStdlib from '@stdlib/stats-wilcoxon';
import {
  ancova,
  cronbachAlpha,
  pairedAnalysis,
  reliableChange,
  spearman,
  suppressSmallCells,
  welchChange,
  wilcoxonSignedRank,
} from '../../shared/domain/statistics/index.ts';
import { expectClose } from './helpers/close.ts';

const preA = [20, 25, 31, 18, 27, 22, 35, 29, 24, 30, 19, 26];
const dA = [-5, -2, 3, -6, -7, -1, -8, 4, -11, -9, -10, -12];
const postA = preA.map((x, i) => x + (dA[i] as number));

describe('pairedAnalysis', () => {
  it('when differences have no ties or zeros and n < 50, then the Wilcoxon p is exact and t/CI/effect sizes match scipy', () => {
    const r = pairedAnalysis(preA, postA);
    expect(r.n).toBe(12);
    // numpy mean/std(ddof=1)
    expectClose(r.meanPre, 25.5);
    expectClose(r.meanPost, 20.166666666666668);
    expectClose(r.sdPre, 5.213618530523516);
    expectClose(r.sdPost, 8.08852535535634);
    expectClose(r.meanDiff, -5.333333333333333);
    expectClose(r.sdDiff, 5.297226261035681);
    // scipy.stats.ttest_rel(post, pre); .confidence_interval(0.95)
    expectClose(r.t, -3.487713702162283);
    expect(r.df).toBe(11);
    expectClose(r.p, 0.005078970935276817);
    expectClose(r.ci95?.[0], -8.699030326527227);
    expectClose(r.ci95?.[1], -1.967636340139439);
    // d.mean()/d.std(ddof=1); d_av·(1 − 3/(4(n−1)−1))
    expectClose(r.cohenDz, -1.0068162223998702);
    expectClose(r.hedgesGav, -0.7459309345381303);
    // V = rankdata(|d|)[d>0].sum(); scipy.stats.wilcoxon(post-pre, zero_method='wilcox', correction=True, method='exact')
    expect(r.wilcoxon.V).toBe(7);
    expect(r.wilcoxon.method).toBe('exact');
    expectClose(r.wilcoxon.p, 0.00927734375);
    expectClose(r.rankBiserial, -0.8205128205128205);
    expect(r.reason).toBeUndefined();
  });

  it('when there are ties and zero differences, then zeros are dropped and the normal approximation with continuity correction is used', () => {
    const pre = [10, 12, 9, 14, 11, 10, 13, 12, 15, 8, 9, 11, 14, 10];
    const post = [8, 12, 7, 11, 11, 8, 10, 14, 12, 8, 6, 9, 13, 12];
    const r = pairedAnalysis(pre, post);
    // scipy.stats.ttest_rel(post, pre)
    expectClose(r.t, -2.578673597438011);
    expectClose(r.p, 0.02291414026348093);
    expectClose(r.ci95?.[0], -2.231593527007619);
    expectClose(r.ci95?.[1], -0.19697790156380912);
    expectClose(r.hedgesGav, -0.5012098288848145);
    expectClose(r.cohenDz, -0.6891795081380618);
    // scipy.stats.wilcoxon(post-pre, zero_method='wilcox', correction=True, method='approx')
    expect(r.wilcoxon.method).toBe('normal-approximation');
    expect(r.wilcoxon.nZero).toBe(3);
    expect(r.wilcoxon.V).toBe(9);
    expectClose(r.wilcoxon.p, 0.03255994691808321);
    expectClose(r.rankBiserial, -0.7272727272727273);
  });

  it('when n = 50 without ties, then (as R, exact only for n < 50) the normal approximation is used', () => {
    const pre = Array.from({ length: 50 }, (_, i) => 30 + ((i * 7) % 13));
    const post = pre.map((x, i) => x + (i + 1) * (i % 3 ? 1 : -1) * 0.5);
    const r = pairedAnalysis(pre, post);
    // scipy.stats.ttest_rel(post, pre)
    expectClose(r.t, 2.121957281073939);
    expectClose(r.p, 0.03892187229835091);
    expectClose(r.ci95?.[0], 0.22508638181596385);
    expectClose(r.ci95?.[1], 8.274913618184037);
    expectClose(r.hedgesGav, 0.455184814064325);
    // scipy.stats.wilcoxon(post-pre, zero_method='wilcox', correction=True, method='approx')
    expect(r.wilcoxon.method).toBe('normal-approximation');
    expect(r.wilcoxon.V).toBe(850);
    expectClose(r.wilcoxon.p, 0.04070768613514751);
    expectClose(r.rankBiserial, 0.3333333333333333);
  });

  it('when n = 2, then every statistic is computed and J makes g_av zero', () => {
    const r = pairedAnalysis([10, 12], [7, 11]);
    // scipy.stats.ttest_rel([7, 11], [10, 12]); scipy.stats.wilcoxon(..., method='exact')
    expectClose(r.t, -2);
    expectClose(r.p, 0.2951672353008665);
    expectClose(r.ci95?.[0], -14.706204736174694);
    expectClose(r.ci95?.[1], 10.706204736174694);
    expectClose(r.hedgesGav, 0);
    expect(r.wilcoxon.V).toBe(0);
    expectClose(r.wilcoxon.p, 0.5);
  });

  it('when n = 1, then means are given and the rest is null with a reason', () => {
    const r = pairedAnalysis([10, null, 3], [8, 5, null]);
    expect(r.n).toBe(1);
    expect(r.nExcluded).toBe(2);
    expect(r.meanDiff).toBe(-2);
    expect(r.sdPre).toBeNull();
    expect(r.t).toBeNull();
    expect(r.reason).toMatch(/at least 2/);
    expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
  });

  it('when all differences are equal, then t is null (R: "data are essentially constant") and nothing is NaN', () => {
    const r = pairedAnalysis([10, 12, 14], [8, 10, 12]);
    expect(r.t).toBeNull();
    expect(r.p).toBeNull();
    expect(r.cohenDz).toBeNull();
    expect(r.sdDiff).toBe(0);
    expect(r.hedgesGav).not.toBeNull();
    expect(r.reason).toMatch(/zero variance/);
    // all three |d| tie at 2 → normal approximation; V = 0
    expect(r.wilcoxon.V).toBe(0);
    expect(r.wilcoxon.method).toBe('normal-approximation');
    expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
  });

  it('when every difference is zero, then the Wilcoxon part is null with a reason', () => {
    const r = pairedAnalysis([5, 5, 7], [5, 5, 7]);
    expect(r.wilcoxon.V).toBeNull();
    expect(r.wilcoxon.reason).toMatch(/all differences are zero/);
    expect(r.hedgesGav).toBe(0);
    expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
  });

  it('when no pairs are complete, then n = 0 and everything is null', () => {
    const r = pairedAnalysis([null, 1], [2, null]);
    expect(r.n).toBe(0);
    expect(r.meanPre).toBeNull();
    expect(r.reason).toMatch(/no complete/);
  });
});

describe('wilcoxonSignedRank vs @stdlib/stats-wilcoxon', () => {
  it('when there are no ties and n < 50, then it agrees with @stdlib (both exact)', () => {
    const d = dA;
    const ours = wilcoxonSignedRank(d);
    const theirs = wilcoxonStdlib(d);
    expect(ours.V).toBe(theirs.statistic);
    expectClose(ours.p, theirs.pValue);
  });
  it('when ties are present, then it agrees with @stdlib (both normal approximation with correction)', () => {
    const d = [-2, 0, -2, -3, 0, -2, -3, 2, -3, 0, -3, -2, -1, 2];
    const theirs = wilcoxonStdlib(d, { zeroMethod: 'wilcox', correction: true });
    const ours = wilcoxonSignedRank(d);
    expect(ours.V).toBe(theirs.statistic);
    expectClose(ours.p, theirs.pValue);
  });
});

describe('cronbachAlpha', () => {
  it('when one respondent has a missing item, then α uses complete cases and matches pingouin', () => {
    const items = [
      [2, 1, 2, 1, 2], [1, 1, 1, 0, 1], [0, 0, 1, 0, 0], [2, 2, 2, 1, 2], [1, 0, 1, 1, 1],
      [2, 2, 1, 2, 2], [0, 1, 0, 0, 1], [1, 1, 2, 1, 1], [2, 1, 2, 2, 2], [0, 0, 0, 1, 0],
      [1, null, 1, 1, 0],
    ];
    const r = cronbachAlpha(items);
    // pingouin.cronbach_alpha(data=pd.DataFrame(items, dtype=float), nan_policy='listwise')[0]
    expectClose(r.alpha, 0.9015984015984015);
    expect(r.n).toBe(10);
    expect(r.nExcluded).toBe(1);
  });
  it('when totals have no spread or n < 2, then α is null with a reason', () => {
    expect(cronbachAlpha([[1, 1], [1, 1]]).alpha).toBeNull();
    expect(cronbachAlpha([[1, 2]]).reason).toMatch(/at least 2 respondents/);
    expect(cronbachAlpha([[null, 2], [1, null]]).n).toBe(0);
  });
});

describe('reliableChange (Jacobson & Truax 1991)', () => {
  it('when the drop exceeds 1.96·S_diff on an anxiety scale, then the child improved', () => {
    // S_diff = √2·10·√(1 − 0.9) = 4.47213595499958; RCI = −10 / 4.472… = −2.23606797749979
    const r = reliableChange({ pre: 40, post: 30, sdPre: 10, reliability: 0.9, polarity: 'higher-is-worse' });
    expectClose(r.sDiff, 4.47213595499958);
    expectClose(r.rci, -2.23606797749979);
    expect(r.classification).toBe('improved');
    expect(reliableChange({ pre: 40, post: 30, sdPre: 10, reliability: 0.9, polarity: 'higher-is-better' }).classification).toBe('worsened');
    expect(reliableChange({ pre: 40, post: 36, sdPre: 10, reliability: 0.9, polarity: 'higher-is-worse' }).classification).toBe('unchanged');
  });
  it('when reliability is 1 or SD is 0, then RCI is null with a reason', () => {
    expect(reliableChange({ pre: 1, post: 2, sdPre: 0, reliability: 0.8, polarity: 'higher-is-worse' }).reason).toMatch(/no spread/);
    expect(reliableChange({ pre: 1, post: 2, sdPre: 3, reliability: 1, polarity: 'higher-is-worse' }).rci).toBeNull();
  });
});

const armPre = [22, 30, 25, 28, 19, 33, 27, 24, 26, 21, 29, 31, 23, 20, 28, 25];
const armPost = [15, 24, 17, 20, 14, 25, 18, 16, 25, 20, 27, 30, 22, 21, 26, 22];
const arms = armPre.map((pre, i) => ({ arm: i < 8 ? ('intervention' as const) : ('control' as const), pre, post: armPost[i] as number }));

describe('ancova', () => {
  it('when both arms have data, then the arm effect matches statsmodels OLS post ~ arm + pre', () => {
    const r = ancova(arms);
    // statsmodels.formula.api.ols('post ~ arm + pre', data=df).fit(): params/bse/tvalues/pvalues['arm'], conf_int(0.05)
    expectClose(r.estimate, -6.037938485002547);
    expectClose(r.se, 0.5668663045559206);
    expectClose(r.t, -10.651433038929046);
    expect(r.df).toBe(13);
    expectClose(r.p, 8.610105355253744e-8);
    expectClose(r.ci95?.[0], -7.262578681770049);
    expectClose(r.ci95?.[1], -4.813298288235045);
  });
  it('when one arm is missing or pre is constant, then it is null with a reason', () => {
    expect(ancova(arms.slice(0, 8)).reason).toMatch(/both arms/);
    expect(ancova(arms.map((o) => ({ ...o, pre: 5 }))).reason).toMatch(/collinear/);
  });
});

describe('welchChange', () => {
  it('when comparing change scores, then it matches scipy Welch t', () => {
    const ch = armPost.map((y, i) => y - (armPre[i] as number));
    const r = welchChange(ch.slice(0, 8), ch.slice(8));
    // scipy.stats.ttest_ind(ch[:8], ch[8:], equal_var=False); .confidence_interval(0.95)
    expectClose(r.diff, -6.125);
    expectClose(r.t, -9.913957318225773);
    expectClose(r.df, 13.829268292682926);
    expectClose(r.p, 1.1587948518518063e-7);
    expectClose(r.ci95?.[0], -7.451619609565993);
    expectClose(r.ci95?.[1], -4.798380390434007);
  });
  it('when an arm has fewer than 2 or no variance, then it is null with a reason', () => {
    expect(welchChange([1], [1, 2]).t).toBeNull();
    expect(welchChange([1, 1], [2, 2]).reason).toMatch(/no spread/);
  });
});

describe('spearman', () => {
  it('when there are ties, then ρ and p match scipy.stats.spearmanr', () => {
    const x = [120, 340, 200, 200, 560, 80, 410, 300, 300, 150];
    const y = [-2, -8, -3, -1, -9, 0, -6, -4, -7, -1];
    const r = spearman(x, y);
    // scipy.stats.spearmanr(x, y)
    expectClose(r.rho, -0.9021448912222151);
    expectClose(r.p, 0.00035594261405738);
  });
  it('when a variable is constant or n < 3, then it is null with a reason', () => {
    expect(spearman([1, 2, 3], [4, 4, 4]).rho).toBeNull();
    expect(spearman([1, 2], [3, 4]).reason).toMatch(/at least 3/);
  });
});

describe('suppressSmallCells', () => {
  it('when a cell has fewer than 5 children, then its numbers are nulled and it is marked suppressed', () => {
    const out = suppressSmallCells([{ school: 'A', n: 4, mean: 3.2 }, { school: 'B', n: 5, mean: 2 }], 'n', { keep: ['school'] });
    expect(out[0]).toEqual({ school: 'A', n: null, mean: null, suppressed: true, reason: 'fewer than 5 children in this cell' });
    expect(out[1]).toEqual({ school: 'B', n: 5, mean: 2, suppressed: false });
  });
});

"""Reference numbers for tests/shared/statistics*.test.ts.

Run:  python3 tests/shared/reference/reference.py
Needs: pip install scipy statsmodels numpy pandas pingouin
(scipy 1.17.1, statsmodels 0.15.0, pingouin as installed). R is not available here; every
R-specific rule (Wilcoxon V and exact/approx switch) is reproduced with scipy options that
implement the same formula, named next to each number.
"""
import json
import numpy as np
import pandas as pd
import scipy.stats as st
import statsmodels.formula.api as smf

out = {}

def paired(name, pre, post, wmethod):
    pre = np.array(pre, float); post = np.array(post, float)
    d = post - pre
    n = len(d)
    r = {}
    r['n'] = n
    r['mean_pre'] = pre.mean(); r['mean_post'] = post.mean()
    r['sd_pre'] = pre.std(ddof=1); r['sd_post'] = post.std(ddof=1)
    r['mean_diff'] = d.mean(); r['sd_diff'] = d.std(ddof=1)
    tt = st.ttest_rel(post, pre)                      # scipy.stats.ttest_rel(post, pre)
    ci = tt.confidence_interval(0.95)
    r['t'] = tt.statistic; r['df'] = tt.df; r['p'] = tt.pvalue; r['ci95'] = [ci.low, ci.high]
    r['cohen_dz'] = d.mean() / d.std(ddof=1)
    j = 1 - 3 / (4 * (n - 1) - 1)
    r['hedges_g_av'] = d.mean() / ((pre.std(ddof=1) + post.std(ddof=1)) / 2) * j
    nz = d[d != 0]
    ranks = st.rankdata(np.abs(nz))
    V = ranks[nz > 0].sum()
    r['V'] = V
    # scipy.stats.wilcoxon(post - pre, zero_method='wilcox', correction=True, method=wmethod)
    w = st.wilcoxon(d, zero_method='wilcox', correction=True, method=wmethod)
    r['wilcoxon_p'] = w.pvalue
    r['wilcoxon_method'] = wmethod
    tot = len(nz) * (len(nz) + 1) / 2
    r['rank_biserial'] = (V - (tot - V)) / tot
    out[name] = r

# A: n = 12, no ties, no zeros -> exact
preA = [20, 25, 31, 18, 27, 22, 35, 29, 24, 30, 19, 26]
dA = [-5, -2, 3, -6, -7, -1, -8, 4, -11, -9, -10, -12]
postA = [a + b for a, b in zip(preA, dA)]
paired('A', preA, postA, 'exact')
# B: ties and zeros -> normal approximation with continuity correction
preB = [10, 12, 9, 14, 11, 10, 13, 12, 15, 8, 9, 11, 14, 10]
postB = [8, 12, 7, 11, 11, 8, 10, 14, 12, 8, 6, 9, 13, 12]
paired('B', preB, postB, 'approx')
# C: n = 50 distinct |d| -> R uses the normal approximation (exact only when n < 50)
preC = [30 + (i * 7) % 13 for i in range(50)]
postC = [preC[i] + (i + 1) * (1 if i % 3 else -1) * 0.5 for i in range(50)]
paired('C', preC, postC, 'approx')
# D: n = 2
paired('D', [10, 12], [7, 11], 'exact')

# Cronbach alpha: pingouin.cronbach_alpha(data=pd.DataFrame(items), nan_policy='listwise')
items = [
    [2, 1, 2, 1, 2], [1, 1, 1, 0, 1], [0, 0, 1, 0, 0], [2, 2, 2, 1, 2], [1, 0, 1, 1, 1],
    [2, 2, 1, 2, 2], [0, 1, 0, 0, 1], [1, 1, 2, 1, 1], [2, 1, 2, 2, 2], [0, 0, 0, 1, 0],
    [1, None, 1, 1, 0],
]
try:
    import pingouin as pg
    a = pg.cronbach_alpha(data=pd.DataFrame(items, dtype=float), nan_policy='listwise')[0]
except ImportError:
    m = np.array([r for r in items if None not in r], float)
    k = m.shape[1]
    a = k / (k - 1) * (1 - m.var(axis=0, ddof=1).sum() / m.sum(axis=1).var(ddof=1))
out['alpha'] = a

# ANCOVA: statsmodels.formula.api.ols('post ~ arm + pre', data).fit(), arm = 1 intervention
armPre = [22, 30, 25, 28, 19, 33, 27, 24, 26, 21, 29, 31, 23, 20, 28, 25]
armPost = [15, 24, 17, 20, 14, 25, 18, 16, 25, 20, 27, 30, 22, 21, 26, 22]
arm = [1] * 8 + [0] * 8
df = pd.DataFrame({'pre': armPre, 'post': armPost, 'arm': arm})
fit = smf.ols('post ~ arm + pre', data=df).fit()
ci = fit.conf_int(0.05).loc['arm']
out['ancova'] = {'estimate': fit.params['arm'], 'se': fit.bse['arm'], 't': fit.tvalues['arm'],
                 'df': fit.df_resid, 'p': fit.pvalues['arm'], 'ci95': [ci[0], ci[1]]}
# Welch: scipy.stats.ttest_ind(change_int, change_ctl, equal_var=False) + .confidence_interval(0.95)
ch = np.array(armPost, float) - np.array(armPre, float)
w = st.ttest_ind(ch[:8], ch[8:], equal_var=False)
wci = w.confidence_interval(0.95)
out['welch'] = {'diff': ch[:8].mean() - ch[8:].mean(), 't': w.statistic, 'df': w.df, 'p': w.pvalue,
                'ci95': [wci.low, wci.high]}
# Spearman: scipy.stats.spearmanr(x, y)
sx = [120, 340, 200, 200, 560, 80, 410, 300, 300, 150]
sy = [-2, -8, -3, -1, -9, 0, -6, -4, -7, -1]
s = st.spearmanr(sx, sy)
out['spearman'] = {'rho': s.statistic, 'p': s.pvalue}

print(json.dumps(out, indent=1, default=float))

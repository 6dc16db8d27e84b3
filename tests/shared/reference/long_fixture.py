"""Builds tests/cli/fixtures/rses-long.csv and prints the reference numbers for tests/cli/analyze.test.ts.

Run: python3 tests/shared/reference/long_fixture.py
Item columns hold raw answers (1–4); RSES items 2, 5, 6, 8, 9 are reverse-keyed (5 − x) before α.
"""
import csv, json
import numpy as np
import pandas as pd
import pingouin as pg
import scipy.stats as st
import statsmodels.formula.api as smf

rng = np.random.RandomState(20250303)
REV = [2, 5, 6, 8, 9]
rows = []
for i in range(24):
    arm = 'intervention' if i < 12 else 'control'
    trait = rng.normal(0, 1)
    for wave, shift in (('pre', 0.0), ('post', 0.6 if arm == 'intervention' else 0.1), ('followup', 0.5)):
        keyed = np.clip(np.round(2.5 + 0.8 * (trait + shift) + rng.normal(0, 0.6, 10)), 1, 4).astype(int)
        raw = [int(5 - v) if (k + 1) in REV else int(v) for k, v in enumerate(keyed)]
        rows.append({'child_code': f'K{i:02d}', 'arm': arm, 'instrument': 'RSES', 'wave': wave, 'items': raw})
# a missing item (child K03 pre item 4) and a child without post (K23)
rows[3 * 3]['items'][3] = None
rows = [r for r in rows if not (r['child_code'] == 'K23' and r['wave'] == 'post')]

def keyed_items(r):
    return [None if v is None else (5 - v if (k + 1) in REV else v) for k, v in enumerate(r['items'])]

for r in rows:
    kv = keyed_items(r)
    ans = [v for v in kv if v is not None]
    r['total'] = sum(ans) if len(ans) == 10 else round(np.mean(ans) * 10, 6)

with open('tests/cli/fixtures/rses-long.csv', 'w', encoding='utf-8-sig', newline='') as f:
    w = csv.writer(f)
    w.writerow(['child_code', 'arm', 'instrument', 'wave', 'total'] + [f'item_{k}' for k in range(1, 11)])
    for r in rows:
        w.writerow([r['child_code'], r['arm'], r['instrument'], r['wave'], r['total']] + ['' if v is None else v for v in r['items']])

df = pd.DataFrame(rows)
out = {}
for arm in ('intervention', 'control'):
    a = df[df.arm == arm]
    pre = a[a.wave == 'pre'].set_index('child_code')
    post = a[a.wave == 'post'].set_index('child_code')
    both = pre.index.intersection(post.index)
    x = pre.loc[both, 'total'].astype(float).values
    y = post.loc[both, 'total'].astype(float).values
    d = y - x
    tt = st.ttest_rel(y, x)  # scipy.stats.ttest_rel(post, pre)
    ci = tt.confidence_interval(0.95)
    nz = d[d != 0]
    ranks = st.rankdata(np.abs(nz))
    V = ranks[nz > 0].sum()
    # scipy.stats.wilcoxon(d, zero_method='wilcox', correction=True, method='approx') — ties present
    wp = st.wilcoxon(d, zero_method='wilcox', correction=True, method='approx').pvalue
    # pingouin.cronbach_alpha(pd.DataFrame(keyed items), nan_policy='listwise')
    def alpha(frame):
        m = pd.DataFrame([keyed_items(r) for r in frame.to_dict('records')], dtype=float)
        return pg.cronbach_alpha(data=m, nan_policy='listwise')[0]
    a_pre, a_post = alpha(a[a.wave == 'pre']), alpha(a[a.wave == 'post'])
    sdiff = np.sqrt(2) * x.std(ddof=1) * np.sqrt(1 - a_pre)
    rci = d / sdiff
    out[arm] = {
        'n': len(both), 'mean_pre': x.mean(), 'mean_post': y.mean(), 'sd_diff': d.std(ddof=1),
        't': tt.statistic, 'p': tt.pvalue, 'ci95': [ci.low, ci.high], 'V': V, 'wilcoxon_p': wp,
        'alpha_pre': a_pre, 'alpha_post': a_post,
        'improved': int((rci > 1.96).sum()), 'worsened': int((rci < -1.96).sum()), 'unchanged': int((np.abs(rci) <= 1.96).sum()),
        's_diff': sdiff,
    }
# statsmodels.formula.api.ols('post ~ arm + pre').fit() with arm = 1 for intervention
pp = []
for arm in ('intervention', 'control'):
    a = df[df.arm == arm]
    pre = a[a.wave == 'pre'].set_index('child_code'); post = a[a.wave == 'post'].set_index('child_code')
    for c in pre.index.intersection(post.index):
        pp.append({'arm': 1 if arm == 'intervention' else 0, 'pre': float(pre.loc[c, 'total']), 'post': float(post.loc[c, 'total'])})
pp = pd.DataFrame(pp)
fit = smf.ols('post ~ arm + pre', data=pp).fit()
ci = fit.conf_int().loc['arm']
out['ancova'] = {'estimate': fit.params['arm'], 'se': fit.bse['arm'], 't': fit.tvalues['arm'], 'df': fit.df_resid, 'p': fit.pvalues['arm'], 'ci95': [ci[0], ci[1]]}
chI = (pp[pp.arm == 1].post - pp[pp.arm == 1].pre).values
chC = (pp[pp.arm == 0].post - pp[pp.arm == 0].pre).values
w = st.ttest_ind(chI, chC, equal_var=False)  # scipy.stats.ttest_ind(change_int, change_ctl, equal_var=False)
wci = w.confidence_interval(0.95)
out['welch'] = {'diff': chI.mean() - chC.mean(), 't': w.statistic, 'df': w.df, 'p': w.pvalue, 'ci95': [wci.low, wci.high]}
print(json.dumps(out, indent=1, default=float))

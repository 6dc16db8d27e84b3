// The `analyze` command end to end. Reference numbers: tests/shared/reference/long_fixture.py
// (which also writes tests/cli/fixtures/rses-long.csv); the exact scipy/statsmodels/pingouin call
// is named beside each block.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runAnalyze } from '../../server/cli/analyze.ts';
import { expectClose } from '../shared/helpers/close.ts';

const fixture = join(import.meta.dirname, 'fixtures', 'rses-long.csv');
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ag-analyze-'));
});

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  try {
    const code = await runAnalyze(argv);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
afterEach(() => vi.restoreAllMocks());

async function csv(name: string, text: string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, text, 'utf8');
  return p;
}

describe('analyze on the RSES fixture (BOM, item columns, a follow-up wave, a missing item, a child without post)', () => {
  it('when run, then the JSON has the documented shape and matches scipy/statsmodels/pingouin', async () => {
    const { code, out, err } = await run(['--input', fixture]);
    expect(err).toBe('');
    expect(code).toBe(0);
    const [res] = JSON.parse(out);
    expect(res.instrument).toBe('RSES');
    const i = res.by_arm.intervention;
    const c = res.by_arm.control;
    // scipy.stats.ttest_rel(post, pre); .confidence_interval(0.95)
    expect(i.paired.n).toBe(12);
    expectClose(i.paired.mean_pre, 23.60185183333333);
    expectClose(i.paired.mean_post, 28.916666666666668);
    expectClose(i.paired.sd_diff, 1.7971378776933986);
    expectClose(i.paired.t, 10.244655614258397);
    expectClose(i.paired.p, 5.80358192226016e-7);
    expectClose(i.paired.ci95[0], 4.172967901893229);
    expectClose(i.paired.ci95[1], 6.456661764773437);
    // V = rankdata(|d|)[d > 0].sum(); scipy.stats.wilcoxon(d, zero_method='wilcox', correction=True, method='approx')
    expect(i.paired.wilcoxon.V).toBe(78);
    expectClose(i.paired.wilcoxon.p, 0.002392757655483361);
    expect(c.paired.n).toBe(11);
    expect(c.paired.n_excluded).toBe(1);
    expectClose(c.paired.t, -0.8722783759886469);
    expectClose(c.paired.p, 0.40351414589219514);
    expect(c.paired.wilcoxon.V).toBe(16);
    expectClose(c.paired.wilcoxon.p, 0.4736840743269951);
    // pingouin.cronbach_alpha(keyed items, nan_policy='listwise')
    expectClose(i.alpha.pre, 0.9478284621688065);
    expectClose(i.alpha.post, 0.9562400558588877);
    expectClose(c.alpha.pre, 0.9271342005553505);
    expectClose(c.alpha.post, 0.9198595146871009);
    // RCI with r_xx = α(pre), SD_pre of the complete pairs: counts of rci > 1.96 / < −1.96 (RSES: higher is better)
    expect(i.rci).toMatchObject({ improved: 4, unchanged: 8, worsened: 0, r_xx_source: 'alpha-pre' });
    expectClose(i.rci.s_diff, 2.6613949401895156);
    expect(c.rci).toMatchObject({ improved: 0, unchanged: 11, worsened: 0 });
    // statsmodels.formula.api.ols('post ~ arm + pre', data).fit()
    const a = res.between_arms.ancova;
    expectClose(a.estimate, 5.934666780111877);
    expectClose(a.se, 0.9092723769395219);
    expectClose(a.t, 6.526830607223657);
    expect(a.df).toBe(20);
    expectClose(a.p, 2.319070698665388e-6);
    expectClose(a.ci95[0], 4.037957838207486);
    expectClose(a.ci95[1], 7.8313757220162685);
    // scipy.stats.ttest_ind(change_int, change_ctl, equal_var=False); .confidence_interval(0.95)
    const w = res.between_arms.welch_change;
    expectClose(w.diff, 5.95117846969697);
    expectClose(w.t, 6.6479156333180685);
    expectClose(w.df, 18.39467324389995);
    expectClose(w.p, 2.7513309214342353e-6);
    expectClose(w.ci95[0], 4.073332608950718);
    expectClose(w.ci95[1], 7.829024330443222);
    expect(out).not.toMatch(/NaN|Infinity/);
    for (const key of ['n', 'mean_pre', 'mean_post', 'sd_pre', 'sd_post', 'mean_diff', 'sd_diff', 'ci95', 't', 'df', 'p', 'cohen_dz', 'hedges_g_av', 'wilcoxon', 'rank_biserial']) {
      expect(i.paired).toHaveProperty(key);
    }
  });

  it('when --instrument names an instrument that is absent, then it fails with a message', async () => {
    const r = await run(['--input', fixture, '--instrument', 'SCARED']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/instrument "SCARED" does not occur/);
  });
});

describe('analyze edge cases', () => {
  const header = 'child_code,arm,instrument,wave,total\n';
  it('when there are no item columns and only one arm with n = 1, then parts are null with reasons and no NaN', async () => {
    const p = await csv('tiny.csv', `${header}A,intervention,X1,pre,3\nA,intervention,X1,post,5\n`);
    const r = await run(['--input', p]);
    expect(r.code).toBe(0);
    const [res] = JSON.parse(r.out);
    expect(res.by_arm.control).toBeUndefined();
    expect(res.by_arm.intervention.alpha).toBeNull();
    expect(res.by_arm.intervention.reasons.alpha).toMatch(/no item columns/);
    expect(res.by_arm.intervention.reasons.rci).toMatch(/polarity unknown/);
    expect(res.by_arm.intervention.paired).toMatchObject({ n: 1, t: null, mean_diff: 2 });
    expect(res.between_arms.ancova).toBeNull();
    expect(res.between_arms.reasons.ancova).toMatch(/both arms/);
    expect(r.out).not.toMatch(/NaN|Infinity/);
  });

  it('when --polarity is given for an unknown instrument, then it is used for RCI', async () => {
    const rows = ['A,3,4,1,2', 'B,5,4,2,2', 'C,2,6,0,1'];
    let text = 'child_code,arm,instrument,wave,total,item_1,item_2\n';
    for (const [i, r] of rows.entries()) {
      const [code, pre, post, a, b] = r.split(',');
      text += `${code},control,X2,pre,${pre},${a},${b}\n${code},control,X2,post,${post},${i},1\n`;
    }
    const r = await run(['--input', await csv('pol.csv', text), '--polarity', 'X2=higher-is-better']);
    expect(r.code).toBe(0);
    const [res] = JSON.parse(r.out);
    expect(res.by_arm.control.alpha).not.toBeNull();
  });

  it.each([
    ['missing columns', 'child_code,arm,wave,total\nA,control,pre,1\n', /line 1: missing column instrument/],
    ['unknown wave', `${header}A,control,X,pre,1\nA,control,X,middle,2\n`, /line 3: unknown wave "middle"/],
    ['unknown arm', `${header}A,placebo,X,pre,1\n`, /line 2: unknown arm "placebo"/],
    ['non-numeric total', `${header}A,control,X,pre,1\nA,control,X,post,ten\n`, /line 3: total "ten" is not a number/],
    ['duplicate child × wave', `${header}A,control,X,pre,1\nB,control,X,pre,2\nA,control,X,pre,3\n`, /line 4: duplicate child × wave: child A, X, pre already on line 2/],
    ['child in both arms', `${header}A,control,X,pre,1\nA,intervention,X,post,3\n`, /line 3: child A is in arm intervention here but control on line 2/],
    ['ragged row', `${header}A,control,X,pre\n`, /line 2: expected 5 cells, found 4/],
    ['empty file', '', /empty/],
  ])('when the file has %s, then it fails naming the line', async (_name, text, message) => {
    const r = await run(['--input', await csv('bad.csv', text)]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });

  it('when the line numbers are counted, then quoted multi-line cells and blank lines do not shift them', async () => {
    const r = await run(['--input', await csv('ml.csv', `${header}"A\nB",control,X,pre,1\n\nC,control,X,pre,x\n`)]);
    expect(r.err).toMatch(/line 5: total "x"/);
  });

  it('when --input is missing or the file does not exist, then usage/errors go to stderr with a non-zero code', async () => {
    expect((await run([])).code).toBe(2);
    const r = await run(['--input', join(dir, 'nope.csv')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/ENOENT/);
  });
});

describe('the installed command', () => {
  it('when run as `node bin/activegroups.js analyze`, then it prints JSON and exits 0', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/activegroups.js', 'analyze', '--input', fixture], { cwd: join(import.meta.dirname, '..', '..') });
    expect(JSON.parse(stdout)[0].instrument).toBe('RSES');
  }, 30_000);
  it('when the file is bad, then the process exits non-zero with the line on stderr', async () => {
    const p = await csv('bad2.csv', 'child_code,arm,instrument,wave,total\nA,control,X,pre,oops\n');
    const err = await promisify(execFile)(process.execPath, ['bin/activegroups.js', 'analyze', '--input', p], { cwd: join(import.meta.dirname, '..', '..') }).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toMatch(/line 2: total "oops" is not a number/);
  }, 30_000);
});

// Between-arm comparisons and correlation.
//   ANCOVA post ~ arm + pre by ordinary least squares (arm coded intervention = 1, control = 0):
//     the arm coefficient is the adjusted difference intervention − control; SE from σ̂²·(X'X)⁻¹,
//     df = n − 3 (matches statsmodels.formula.api.ols('post ~ arm + pre').fit()).
//   Welch t on change scores (Welch 1947): t = (m1 − m2)/√(v1/n1 + v2/n2), Welch–Satterthwaite df
//     (matches scipy.stats.ttest_ind(equal_var=False) and R's t.test(var.equal = FALSE)).
//   Spearman ρ = Pearson r of average ranks; p from t = ρ·√((n − 2)/(1 − ρ²)) on n − 2 df
//     (as scipy.stats.spearmanr; R's cor.test uses an exact/Edgeworth p instead — documented choice).
import { averageRanks, covariance, mean, sum, tQuant, tTwoSidedP, variance } from './basic.ts';

export interface AncovaResult {
  estimate: number | null;
  se: number | null;
  t: number | null;
  df: number | null;
  p: number | null;
  ci95: [number, number] | null;
  nIntervention: number;
  nControl: number;
  reason?: string;
}

export interface ArmObservation {
  arm: 'intervention' | 'control';
  pre: number;
  post: number;
}

export function ancova(observations: readonly ArmObservation[]): AncovaResult {
  const nI = observations.filter((o) => o.arm === 'intervention').length;
  const nC = observations.length - nI;
  const empty = { estimate: null, se: null, t: null, df: null, p: null, ci95: null, nIntervention: nI, nControl: nC };
  const n = observations.length;
  if (nI < 1 || nC < 1) return { ...empty, reason: 'needs complete pre/post pairs in both arms' };
  if (n < 4) return { ...empty, reason: `needs at least 4 complete pairs across both arms (found ${n})` };
  // Centre the variables: the intercept drops out and the 2×2 normal equations stay well conditioned.
  const a = observations.map((o) => (o.arm === 'intervention' ? 1 : 0));
  const x = observations.map((o) => o.pre);
  const y = observations.map((o) => o.post);
  const ma = mean(a);
  const mx = mean(x);
  const my = mean(y);
  const ac = a.map((v) => v - ma);
  const xc = x.map((v) => v - mx);
  const yc = y.map((v) => v - my);
  const saa = sum(ac.map((v) => v * v));
  const sxx = sum(xc.map((v) => v * v));
  const sax = sum(ac.map((v, i) => v * (xc[i] as number)));
  const say = sum(ac.map((v, i) => v * (yc[i] as number)));
  const sxy = sum(xc.map((v, i) => v * (yc[i] as number)));
  const det = saa * sxx - sax * sax;
  if (!(sxx > 0) || !(det > 1e-10 * saa * sxx)) {
    return { ...empty, reason: 'pre scores do not vary independently of arm (collinear), so the model cannot be fitted' };
  }
  const bA = (sxx * say - sax * sxy) / det;
  const bX = (saa * sxy - sax * say) / det;
  const rss = sum(yc.map((v, i) => {
    const e = v - bA * (ac[i] as number) - bX * (xc[i] as number);
    return e * e;
  }));
  const df = n - 3;
  const sigma2 = rss / df;
  const se = Math.sqrt((sigma2 * sxx) / det);
  if (!(se > 1e-12 * Math.max(1, Math.abs(bA)))) {
    return { ...empty, estimate: bA, df, reason: 'the model fits the data exactly (zero residual variance), so SE, t and p are not computable' };
  }
  const t = bA / se;
  const q = tQuant(0.975, df);
  return { estimate: bA, se, t, df, p: tTwoSidedP(t, df), ci95: [bA - q * se, bA + q * se], nIntervention: nI, nControl: nC };
}

export interface WelchResult {
  /** mean change (intervention) − mean change (control) */
  diff: number | null;
  t: number | null;
  df: number | null;
  p: number | null;
  ci95: [number, number] | null;
  nIntervention: number;
  nControl: number;
  reason?: string;
}

/** Welch t test on two samples (here: change scores of intervention and control). */
export function welchChange(intervention: readonly number[], control: readonly number[]): WelchResult {
  const n1 = intervention.length;
  const n2 = control.length;
  const empty = { diff: null, t: null, df: null, p: null, ci95: null, nIntervention: n1, nControl: n2 };
  if (n1 < 2 || n2 < 2) return { ...empty, reason: `needs at least 2 complete pairs in each arm (intervention ${n1}, control ${n2})` };
  const diff = mean(intervention) - mean(control);
  const v1 = variance(intervention) / n1;
  const v2 = variance(control) / n2;
  const se2 = v1 + v2;
  if (!(se2 > 0)) return { ...empty, diff, reason: 'change scores have no spread in either arm (zero variance)' };
  const se = Math.sqrt(se2);
  const t = diff / se;
  const df = (se2 * se2) / ((v1 * v1) / (n1 - 1) + (v2 * v2) / (n2 - 1));
  const q = tQuant(0.975, df);
  return { diff, t, df, p: tTwoSidedP(t, df), ci95: [diff - q * se, diff + q * se], nIntervention: n1, nControl: n2 };
}

export interface SpearmanResult {
  rho: number | null;
  p: number | null;
  n: number;
  reason?: string;
}

export function spearman(xIn: readonly (number | null | undefined)[], yIn: readonly (number | null | undefined)[]): SpearmanResult {
  if (xIn.length !== yIn.length) throw new RangeError('x and y must have the same length');
  const x: number[] = [];
  const y: number[] = [];
  xIn.forEach((v, i) => {
    const w = yIn[i];
    if (typeof v === 'number' && Number.isFinite(v) && typeof w === 'number' && Number.isFinite(w)) {
      x.push(v);
      y.push(w);
    }
  });
  const n = x.length;
  if (n < 3) return { rho: null, p: null, n, reason: `needs at least 3 complete pairs (found ${n})` };
  const rx = averageRanks(x);
  const ry = averageRanks(y);
  const vx = variance(rx);
  const vy = variance(ry);
  if (!(vx > 0) || !(vy > 0)) return { rho: null, p: null, n, reason: 'one of the variables has the same value for everyone (all ties)' };
  let rho = covariance(rx, ry) / Math.sqrt(vx * vy);
  rho = Math.max(-1, Math.min(1, rho));
  if (Math.abs(rho) === 1) return { rho, p: 0, n };
  const t = rho * Math.sqrt((n - 2) / ((1 - rho) * (1 + rho)));
  return { rho, p: tTwoSidedP(t, n - 2), n };
}

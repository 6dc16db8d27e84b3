// Reliability and individual change.
//   Cronbach's α = k/(k − 1) · (1 − Σ s²_item / s²_total), sample variances, complete cases
//     (Cronbach 1951; matches pingouin.cronbach_alpha(nan_policy='listwise')).
//   Reliable change index (Jacobson & Truax 1991): SE = SD_pre·√(1 − r_xx), S_diff = √2·SE,
//     RCI = (post − pre)/S_diff, reliable when |RCI| > 1.96; the direction that counts as
//     improvement comes from the instrument's polarity.
import { sum, variance } from './basic.ts';

export interface AlphaResult {
  alpha: number | null;
  /** Complete cases used. */
  n: number;
  /** Respondents dropped for at least one missing item. */
  nExcluded: number;
  k: number;
  reason?: string;
}

export function cronbachAlpha(itemMatrix: ReadonlyArray<ReadonlyArray<number | null | undefined>>): AlphaResult {
  const k = itemMatrix[0]?.length ?? 0;
  const rows: number[][] = [];
  for (const row of itemMatrix) {
    if (row.length !== k) throw new RangeError(`every row needs ${k} items (found a row with ${row.length})`);
    if (row.every((v) => typeof v === 'number' && Number.isFinite(v))) rows.push(row as number[]);
  }
  const n = rows.length;
  const base = { n, nExcluded: itemMatrix.length - n, k };
  if (k < 2) return { alpha: null, ...base, reason: 'needs at least 2 items' };
  if (n < 2) return { alpha: null, ...base, reason: `needs at least 2 respondents with every item answered (found ${n})` };
  const itemVars = Array.from({ length: k }, (_, j) => variance(rows.map((r) => r[j] as number)));
  const totalVar = variance(rows.map((r) => sum(r)));
  if (!(totalVar > 0)) return { alpha: null, ...base, reason: 'total scores have no spread (zero variance)' };
  return { alpha: (k / (k - 1)) * (1 - sum(itemVars) / totalVar), ...base };
}

export type Polarity = 'higher-is-worse' | 'higher-is-better';
export type ChangeClass = 'improved' | 'unchanged' | 'worsened';

/** |RCI| above this is reliable change (two-sided 5 %; Jacobson & Truax 1991). */
export const RCI_CRITICAL = 1.96;

export interface ReliableChangeInput {
  pre: number;
  post: number;
  /** SD of the pre-wave scores of the reference sample. */
  sdPre: number;
  /** Test reliability r_xx: published, else α of the pre wave. */
  reliability: number;
  polarity: Polarity;
}

export interface ReliableChangeResult {
  rci: number | null;
  sDiff: number | null;
  classification: ChangeClass | null;
  reason?: string;
}

export function reliableChangeSdiff(sdPre: number, reliability: number): { sDiff: number | null; reason?: string } {
  if (!(reliability >= 0 && reliability < 1)) {
    return { sDiff: null, reason: `reliability must be at least 0 and below 1 (got ${round(reliability)})` };
  }
  if (!(sdPre > 0)) return { sDiff: null, reason: 'pre-wave scores have no spread (SD 0)' };
  return { sDiff: Math.SQRT2 * sdPre * Math.sqrt(1 - reliability) };
}

export function reliableChange(input: ReliableChangeInput): ReliableChangeResult {
  const { sDiff, reason } = reliableChangeSdiff(input.sdPre, input.reliability);
  if (sDiff === null) return { rci: null, sDiff: null, classification: null, reason: reason ?? 'not computable' };
  const rci = (input.post - input.pre) / sDiff;
  return { rci, sDiff, classification: classifyRci(rci, input.polarity) };
}

export function classifyRci(rci: number, polarity: Polarity): ChangeClass {
  if (!(Math.abs(rci) > RCI_CRITICAL)) return 'unchanged';
  const up = rci > 0;
  return up === (polarity === 'higher-is-better') ? 'improved' : 'worsened';
}

function round(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 1000) / 1000) : String(x);
}

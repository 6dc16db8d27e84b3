// The result of comparing a plan or a delivery against one threshold of an evidence profile.
import type { Threshold } from '../schemas/evidence.ts';

/**
 * 'not-applicable': the rule does not apply here — a control (usual-care) arm is compared with the
 * intervention, it is not meant to receive the dose, so it is never "failing" (DESIGN §3, issue 9).
 */
export type CheckStatus = 'pass' | 'fail' | 'at-risk' | 'insufficient-data' | 'not-applicable';
export const CHECK_STATUSES: readonly CheckStatus[] = ['fail', 'at-risk', 'insufficient-data', 'pass', 'not-applicable'];

/** An empty count per status (rollups of children and checks). */
export function statusCounts(): Record<CheckStatus, number> {
  return { pass: 0, fail: 0, 'at-risk': 0, 'insufficient-data': 0, 'not-applicable': 0 };
}

/** Worst first: fail > at-risk > insufficient-data > pass > not-applicable. */
export const STATUS_RANK: Record<CheckStatus, number> = { 'not-applicable': -1, pass: 0, 'insufficient-data': 1, 'at-risk': 2, fail: 3 };

/**
 * The worst status of a list of checks (for a child's or a group's headline status). A list of
 * only not-applicable checks is not-applicable; an empty list is insufficient-data.
 */
export function worstStatus(checks: readonly { status: CheckStatus }[]): CheckStatus {
  if (checks.length === 0) return 'insufficient-data';
  let worst: CheckStatus = 'not-applicable';
  for (const c of checks) if (STATUS_RANK[c.status] > STATUS_RANK[worst]) worst = c.status;
  return worst;
}
export type CheckValue = number | string | null;

export interface Check {
  /** Stable id, e.g. 'duration', 'session-length', 'longest-gap'. */
  id: string;
  /** English label; translate with labelKey. */
  label: string;
  labelKey: string;
  threshold: Threshold;
  /** The number compared with the threshold (planned or delivered). */
  value: CheckValue;
  planned?: CheckValue;
  delivered?: CheckValue;
  status: CheckStatus;
  /** True when the status is a projection for a programme still running (e.g. "on track"). */
  projected?: boolean;
  /** English explanation a PE teacher understands; translate with messageKey + params. */
  explanation: string;
  messageKey: string;
  params: Record<string, string | number>;
}

export const CHECK_LABELS: Record<string, string> = {
  duration: 'Programme length',
  'session-length': 'Session length',
  'aerobic-minutes': 'Aerobic minutes at the right intensity',
  'aerobic-share': 'Aerobic share',
  frequency: 'Sessions per week',
  'longest-gap': 'Longest gap',
  'daily-mvpa': 'Daily moderate-to-vigorous minutes',
  'vigorous-days': 'Vigorous days per week',
  'weeks-spanned': 'Weeks spanned',
  'qualifying-share': 'Qualifying sessions',
  'delivered-share': 'Sessions delivered',
  'child-weeks': 'Weeks with a qualifying session',
  'child-adherence': 'Attendance',
  'child-gap': 'Longest gap between qualifying sessions',
};

export function makeCheck(
  id: string,
  threshold: Threshold,
  status: CheckStatus,
  value: CheckValue,
  explanation: string,
  messageKey: string,
  params: Record<string, string | number>,
  kind: 'planned' | 'delivered',
): Check {
  const check: Check = {
    id,
    label: CHECK_LABELS[id] ?? id,
    labelKey: `check.${id}.label`,
    threshold,
    value,
    status,
    explanation,
    messageKey,
    params,
  };
  check[kind] = value;
  return check;
}

/** Rounds for display in explanations (one decimal, no trailing .0). */
export function fmt(x: number): string {
  const r = Math.round(x * 10) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${fmt(n)} ${n === 1 ? one : many}`;
}

/**
 * A check of a control (usual-care) arm: the arm is compared with the intervention and is not meant
 * to receive the dose, so the rule is "not applicable", never "failing" (issue 9). The measured
 * value stays for the record (usual activity, possible contamination).
 */
export function asControlArm(check: Check): Check {
  return {
    ...check,
    status: 'not-applicable',
    projected: false,
    explanation: 'Not applicable — control arm (usual care): the dose rules apply to the intervention arm',
    messageKey: 'check.notApplicable.control',
  };
}

// The result of comparing a plan or a delivery against one threshold of an evidence profile.
import type { Threshold } from '../schemas/evidence.ts';

export type CheckStatus = 'pass' | 'fail' | 'at-risk' | 'insufficient-data';
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
  'child-weeks': 'Weeks with a qualifying session',
  'child-frequency': 'Qualifying sessions per week',
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

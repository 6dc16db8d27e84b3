// Small pieces shared by the programme and schedule views.
import type { Check, CheckStatus } from '../../../../shared/domain/check.ts';
import { isApiError } from '../../api/client.ts';
import { errorText } from '../../components/ui.tsx';
import { i18next, tMaybe } from '../../i18n/index.ts';

/** ISO weekday 1…7 → message key. */
export const WEEKDAYS = [
  { n: 1, key: 'mon' },
  { n: 2, key: 'tue' },
  { n: 3, key: 'wed' },
  { n: 4, key: 'thu' },
  { n: 5, key: 'fri' },
  { n: 6, key: 'sat' },
  { n: 7, key: 'sun' },
] as const;

export function weekdayKey(n: number): (typeof WEEKDAYS)[number]['key'] {
  return WEEKDAYS[(n - 1 + 7) % 7]!.key;
}

/** Error sentence: this feature's codes first, then the app's. */
export function featureErrorText(error: unknown): string {
  if (isApiError(error)) {
    const own = tMaybe(`programmes.errors.${error.code}`);
    if (own) return own;
  }
  return errorText(error, i18next.t('error.title'));
}

export const STATUS_ICON: Record<CheckStatus, string> = { pass: '✓', fail: '✗', 'at-risk': '!', 'insufficient-data': '?', 'not-applicable': '–' };

export function countPassed(checks: readonly Check[]): { pass: number; total: number } {
  return { pass: checks.filter((c) => c.status === 'pass').length, total: checks.length };
}

/** yyyy-MM-dd shown in the reader's language (no time zone: it is a school-local calendar day). */
export function formatDay(date: string, lng: string, style: 'short' | 'long' = 'short'): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const options: Intl.DateTimeFormatOptions =
    style === 'long' ? { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' } : { weekday: 'short', month: 'short', day: 'numeric', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(lng, options).format(new Date(Date.UTC(y, m - 1, d)));
}

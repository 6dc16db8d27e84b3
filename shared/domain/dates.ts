// Calendar arithmetic on school-local dates (yyyy-MM-dd). Dates carry no time or zone: a session
// on 2025-03-03 in Asia/Shanghai is that calendar day for everyone, so we count days on a
// proleptic day number (UTC-based, no daylight saving can shift it). Converting "now" into the
// school's calendar date is the one place a time zone enters (schoolToday).
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { DATE_PATTERN } from '../limits.ts';

/** Default school time zone (China has one zone, no daylight saving). */
export const DEFAULT_SCHOOL_TIME_ZONE = 'Asia/Shanghai';

export function isValidIsoDate(s: string): boolean {
  if (!DATE_PATTERN.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/**
 * Day numbers of dates seen recently: a dose recompute converts the same few hundred dates
 * (sessions, weeks) hundreds of thousands of times, and parsing was its largest CPU cost.
 */
const knownDayNumbers = new Map<string, number>();
const KNOWN_DAY_NUMBERS_MAX = 8192;

/** Days since 1970-01-01 of a yyyy-MM-dd date. */
export function dayNumber(date: string): number {
  const known = knownDayNumbers.get(date);
  if (known !== undefined) return known;
  if (!isValidIsoDate(date)) throw new RangeError(`not a date (yyyy-MM-dd): "${date}"`);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const n = Math.round(Date.UTC(y, m - 1, d) / 86_400_000);
  if (knownDayNumbers.size >= KNOWN_DAY_NUMBERS_MAX) knownDayNumbers.clear();
  knownDayNumbers.set(date, n);
  return n;
}

export function fromDayNumber(n: number): string {
  return new Date(n * 86_400_000).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(dayNumber(date) + days);
}

/** b − a in days. */
export function daysBetween(a: string, b: string): number {
  return dayNumber(b) - dayNumber(a);
}

/** ISO weekday 1 (Monday) … 7 (Sunday). */
export function isoWeekday(date: string): number {
  // 1970-01-01 was a Thursday (ISO 4).
  return ((((dayNumber(date) + 3) % 7) + 7) % 7) + 1;
}

/** The school's calendar date at an instant (default Asia/Shanghai). */
export function schoolToday(now: Date, timeZone: string = DEFAULT_SCHOOL_TIME_ZONE): string {
  return format(new TZDate(now.getTime(), timeZone), 'yyyy-MM-dd');
}

/** Whole years of age on a date, from birth year and month (day unknown: counted from the 1st). */
export function ageOn(birthYear: number, birthMonth: number, date: string): number {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return y - birthYear - (m < birthMonth ? 1 : 0);
}

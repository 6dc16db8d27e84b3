// Recurring schedule of a programme (DESIGN §3, issue 3 item 4): the occurrences a weekly pattern
// gives in the school's time zone, and the plan that brings a group's stored sessions in line with
// a changed pattern without touching what people did by hand.
//
// Dates are school-local calendar days (yyyy-MM-dd) and times school-local clock times (HH:mm).
// The time zone matters for two things only: the instant a session starts (to tell "future" from
// "past") and today's date at the school. Days are walked with date-fns in the school's zone
// (@date-fns/tz), so a zone with daylight saving cannot skip or double a day.
import { TZDate, tz } from '@date-fns/tz';
import { addDays, eachDayOfInterval, format, getISODay } from 'date-fns';
import type { WeeklySlot } from '../schemas/programme.ts';
import { DEFAULT_SCHOOL_TIME_ZONE } from './dates.ts';

export { DEFAULT_SCHOOL_TIME_ZONE };

export interface SchedulePattern {
  /** First day of the programme (school-local yyyy-MM-dd). */
  startDate: string;
  /** The programme runs plannedWeeks × 7 days from startDate. */
  plannedWeeks: number;
  weeklyPattern: readonly WeeklySlot[];
  /** Holidays, exam days: no occurrence on these dates. */
  exclusionDates: readonly string[];
}

export interface Occurrence {
  date: string;
  startTime: string;
  minutes: number;
  /** ISO weekday 1 (Monday) … 7 (Sunday). */
  weekday: number;
  /** The instant the session starts, as an ISO UTC string. */
  startsAt: string;
}

function parseDate(date: string): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return [y, m, d];
}

/** The instant a session on a school-local date and time starts. */
export function occurrenceInstant(date: string, startTime: string, timeZone: string = DEFAULT_SCHOOL_TIME_ZONE): Date {
  const [y, m, d] = parseDate(date);
  const [hh, mm] = startTime.split(':').map(Number) as [number, number];
  return new Date(new TZDate(y, m - 1, d, hh, mm, 0, 0, timeZone).getTime());
}

/** The last day (inclusive) of a programme of `plannedWeeks` weeks. */
export function programmeEndDate(startDate: string, plannedWeeks: number, timeZone: string = DEFAULT_SCHOOL_TIME_ZONE): string {
  const [y, m, d] = parseDate(startDate);
  const start = new TZDate(y, m - 1, d, 12, 0, 0, 0, timeZone);
  return format(addDays(start, plannedWeeks * 7 - 1, { in: tz(timeZone) }), 'yyyy-MM-dd', { in: tz(timeZone) });
}

/**
 * Every occurrence of the weekly pattern from startDate for plannedWeeks weeks, in date and time
 * order, skipping exclusion dates. Two slots on the same weekday give two occurrences that day.
 */
export function generateOccurrences(pattern: SchedulePattern, timeZone: string = DEFAULT_SCHOOL_TIME_ZONE): Occurrence[] {
  if (pattern.plannedWeeks < 1 || pattern.weeklyPattern.length === 0) return [];
  const inZone = tz(timeZone);
  const [y, m, d] = parseDate(pattern.startDate);
  // Noon keeps every day of the walk well away from a daylight-saving jump at midnight.
  const start = new TZDate(y, m - 1, d, 12, 0, 0, 0, timeZone);
  const end = addDays(start, pattern.plannedWeeks * 7 - 1, { in: inZone });
  const excluded = new Set(pattern.exclusionDates);
  const slots = [...pattern.weeklyPattern].sort((a, b) => a.weekday - b.weekday || a.startTime.localeCompare(b.startTime));
  const out: Occurrence[] = [];
  for (const day of eachDayOfInterval({ start, end }, { in: inZone })) {
    const date = format(day, 'yyyy-MM-dd', { in: inZone });
    if (excluded.has(date)) continue;
    const weekday = getISODay(day, { in: inZone });
    for (const slot of slots) {
      if (slot.weekday !== weekday) continue;
      out.push({ date, startTime: slot.startTime, minutes: slot.minutes, weekday, startsAt: occurrenceInstant(date, slot.startTime, timeZone).toISOString() });
    }
  }
  return out;
}

/** What the schedule needs to know about a stored session of one group. */
export interface StoredOccurrence {
  id: string;
  date: string;
  startTime: string;
  plannedMinutes: number;
  status: 'scheduled' | 'held' | 'cancelled';
  origin: 'pattern' | 'extra';
  rescheduledFrom: string | null;
  /** A register or log was saved (even if the status is still 'scheduled'). */
  logged: boolean;
}

/** Cancelled, rescheduled or added by hand: a person decided this one, the pattern must not. */
export function isHandEdited(s: StoredOccurrence): boolean {
  return s.origin === 'extra' || s.status === 'cancelled' || s.rescheduledFrom !== null;
}

export function isLogged(s: StoredOccurrence): boolean {
  return s.status === 'held' || s.logged;
}

export type LockReason = 'held' | 'hand-edited' | 'past';

/** Why regeneration must leave this session alone, or null when it may change or remove it. */
export function lockReason(s: StoredOccurrence, now: Date, timeZone: string = DEFAULT_SCHOOL_TIME_ZONE): LockReason | null {
  if (isLogged(s)) return 'held';
  if (isHandEdited(s)) return 'hand-edited';
  if (occurrenceInstant(s.date, s.startTime, timeZone).getTime() <= now.getTime()) return 'past';
  return null;
}

export interface ScheduleSyncPlan {
  create: Occurrence[];
  /** Untouched future sessions moved to another time that day or given other minutes. */
  update: { id: string; startTime: string; plannedMinutes: number }[];
  /** Untouched future sessions the pattern no longer has (weekday dropped, exclusion, fewer weeks). */
  remove: string[];
  /** Sessions left as they are. */
  keep: string[];
}

/**
 * Brings a group's stored sessions in line with the desired occurrences.
 *
 * - Held/logged, hand-edited (cancelled, rescheduled, extra) and past sessions are never changed
 *   or removed.
 * - A pattern session stands for the occurrence of its original date (rescheduledFrom, else date),
 *   so a rescheduled or cancelled occurrence is not generated again.
 * - Missing occurrences are created only in the future — except on a group's first generation
 *   (`firstGeneration`), which lays out the whole programme, past weeks included, so a programme
 *   entered after it started can still be logged.
 * Running the plan's result through this again gives an empty plan (idempotent).
 */
export function planScheduleSync(input: {
  desired: readonly Occurrence[];
  existing: readonly StoredOccurrence[];
  now: Date;
  timeZone?: string;
  firstGeneration?: boolean;
}): ScheduleSyncPlan {
  const timeZone = input.timeZone ?? DEFAULT_SCHOOL_TIME_ZONE;
  const nowMs = input.now.getTime();
  const plan: ScheduleSyncPlan = { create: [], update: [], remove: [], keep: [] };

  const slotsByDate = new Map<string, Occurrence[]>();
  for (const o of input.desired) {
    const list = slotsByDate.get(o.date) ?? [];
    list.push(o);
    slotsByDate.set(o.date, list);
  }
  const sessionsByDate = new Map<string, StoredOccurrence[]>();
  for (const s of input.existing) {
    if (s.origin !== 'pattern') {
      plan.keep.push(s.id);
      continue;
    }
    const original = s.rescheduledFrom ?? s.date;
    const list = sessionsByDate.get(original) ?? [];
    list.push(s);
    sessionsByDate.set(original, list);
  }

  const dates = [...new Set([...slotsByDate.keys(), ...sessionsByDate.keys()])].sort();
  for (const date of dates) {
    const slots = [...(slotsByDate.get(date) ?? [])];
    const sessions = [...(sessionsByDate.get(date) ?? [])].sort((a, b) => a.startTime.localeCompare(b.startTime) || a.id.localeCompare(b.id));
    const take = (pred: (o: Occurrence) => boolean): Occurrence | undefined => {
      const i = slots.findIndex(pred);
      return i < 0 ? undefined : slots.splice(i, 1)[0];
    };
    const leftovers: StoredOccurrence[] = [];
    // 1. Sessions still on their own date and time keep their occurrence.
    for (const s of sessions) {
      const exact = s.rescheduledFrom === null ? take((o) => o.startTime === s.startTime) : undefined;
      if (!exact) {
        leftovers.push(s);
        continue;
      }
      if (lockReason(s, input.now, timeZone) === null && s.plannedMinutes !== exact.minutes) {
        plan.update.push({ id: s.id, startTime: exact.startTime, plannedMinutes: exact.minutes });
      } else {
        plan.keep.push(s.id);
      }
    }
    // 2. Sessions people decided (or that already happened) stand for one of that day's
    //    occurrences even when the time changed: it is not generated again.
    const movable: StoredOccurrence[] = [];
    for (const s of leftovers) {
      if (lockReason(s, input.now, timeZone) !== null) {
        take(() => true);
        plan.keep.push(s.id);
      } else {
        movable.push(s);
      }
    }
    // 3. Untouched future sessions follow the pattern: re-timed to a remaining slot that day, else removed.
    for (const s of movable) {
      const slot = take((o) => Date.parse(o.startsAt) > nowMs);
      if (slot) plan.update.push({ id: s.id, startTime: slot.startTime, plannedMinutes: slot.minutes });
      else plan.remove.push(s.id);
    }
    // 4. Occurrences nobody stands for yet.
    for (const o of slots) {
      if (input.firstGeneration || Date.parse(o.startsAt) > nowMs) plan.create.push(o);
    }
  }
  return plan;
}

/** Calendar month grid (Monday first) for a month view: weeks of 7 dates, null outside the month. */
export function monthGrid(year: number, month: number): (string | null)[][] {
  const first = new Date(Date.UTC(year, month - 1, 1));
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const lead = ((first.getUTCDay() + 6) % 7); // Monday = 0
  const cells: (string | null)[] = Array.from({ length: lead }, () => null);
  for (let d = 1; d <= days; d++) cells.push(`${year}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  while (cells.length % 7 !== 0) cells.push(null);
  const weeks: (string | null)[][] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

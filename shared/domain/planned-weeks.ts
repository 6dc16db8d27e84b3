// The weeks of a programme as its schedule plans them (issue 9; DESIGN §3 "How the thresholds
// apply"): which dates have a planned session once holidays and exam days (the schedule's
// exclusion dates) are taken out, and which weeks therefore cannot reach the weekly frequency.
// The plan check and the delivery check both judge on these weeks, so a group that holds every
// planned session is never "below 3 a week" because of a holiday the school itself entered.
import type { WeeklySlot } from '../schemas/programme.ts';
import { daysBetween } from './dates.ts';
import { generateOccurrences } from './schedule.ts';

export interface ProgrammeSchedulePlan {
  startDate: string;
  plannedWeeks: number;
  weeklyPattern?: readonly WeeklySlot[] | undefined;
  exclusionDates?: readonly string[] | undefined;
}

export interface PlannedWeek {
  /** 0-based programme week (weeks start on the programme's start date). */
  week: number;
  /** Planned sessions this week after exclusion dates. */
  planned: number;
  /** Sessions the weekly pattern gives this week without exclusion dates. */
  withoutExclusions: number;
}

export interface PlannedSchedule {
  /** Date of every planned occurrence (sorted; a date repeats when two slots fall on it). */
  dates: string[];
  weeks: PlannedWeek[];
  /** The pattern has at least one weekly slot. */
  hasPattern: boolean;
}

/**
 * Recently computed schedules by plan. The delivery check asks for the same plan for every group
 * and every week of a recompute (hundreds of times), and generating occurrences with time-zone
 * arithmetic was most of a recompute's CPU (bench/register-save.ts profile). Results are frozen,
 * so sharing them is safe.
 */
const recentSchedules = new Map<string, PlannedSchedule>();
const RECENT_SCHEDULES_MAX = 64;

export function plannedSchedule(plan: ProgrammeSchedulePlan): PlannedSchedule {
  const key = JSON.stringify([plan.startDate, plan.plannedWeeks, plan.weeklyPattern ?? [], plan.exclusionDates ?? []]);
  const known = recentSchedules.get(key);
  if (known) return known;
  const computed = computePlannedSchedule(plan);
  Object.freeze(computed.dates);
  for (const w of computed.weeks) Object.freeze(w);
  Object.freeze(computed.weeks);
  Object.freeze(computed);
  if (recentSchedules.size >= RECENT_SCHEDULES_MAX) recentSchedules.delete(recentSchedules.keys().next().value as string);
  recentSchedules.set(key, computed);
  return computed;
}

function computePlannedSchedule(plan: ProgrammeSchedulePlan): PlannedSchedule {
  const pattern = plan.weeklyPattern ?? [];
  const base = { startDate: plan.startDate, plannedWeeks: plan.plannedWeeks, weeklyPattern: pattern };
  const dates = generateOccurrences({ ...base, exclusionDates: plan.exclusionDates ?? [] }).map((o) => o.date);
  const all = generateOccurrences({ ...base, exclusionDates: [] }).map((o) => o.date);
  const weeks: PlannedWeek[] = Array.from({ length: Math.max(0, plan.plannedWeeks) }, (_, week) => ({ week, planned: 0, withoutExclusions: 0 }));
  const weekOf = (d: string) => Math.floor(daysBetween(plan.startDate, d) / 7);
  for (const d of dates) {
    const w = weeks[weekOf(d)];
    if (w) w.planned++;
  }
  for (const d of all) {
    const w = weeks[weekOf(d)];
    if (w) w.withoutExclusions++;
  }
  return { dates, weeks, hasPattern: pattern.length > 0 };
}

/**
 * Weeks left out of the weekly-frequency check: exclusion dates removed planned sessions and left
 * fewer than `min` — the week cannot reach the frequency whatever the teacher does (a holiday week,
 * or the National Day holiday splitting two weeks). Weeks wholly excluded are the plainest case.
 * A week short only because the pattern itself has too few slots is NOT left out: that is the
 * plan's own shortfall. Holiday-shortened weeks still count in the "sessions delivered" check.
 */
export function weeksLeftOut(schedule: PlannedSchedule, min: number): number[] {
  return schedule.weeks.filter((w) => w.planned < w.withoutExclusions && w.planned < min).map((w) => w.week);
}

/** Programme weeks with at least one planned session (what the duration rule counts). */
export function weeksWithPlannedSessions(schedule: PlannedSchedule): number {
  return schedule.weeks.filter((w) => w.planned > 0).length;
}

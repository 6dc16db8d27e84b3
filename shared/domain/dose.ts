// Dose = minutes × intensity (DESIGN §3). A QUALIFYING SESSION for a child = attended, with at
// least 20 aerobic minutes at ≥ moderate intensity (seed review: ≥ 20 min/session, aerobic, at
// least moderate) — the numbers come from the evidence profile, with these as the fallback.
import type { EvidenceProfile } from '../schemas/evidence.ts';
import type { ProgrammePlan } from '../schemas/programme.ts';
import type { DoseChild, Membership, RegisterEntry, Session, SessionActivityBlock } from '../schemas/session.ts';
import { ACTIVITY_CATALOG, findActivity, type Activity } from './activities.ts';
import { asControlArm, fmt, makeCheck, plural, type Check } from './check.ts';
import { addDays, ageOn, dayNumber, daysBetween } from './dates.ts';
import { atLeast, blockIntensity, type IntensityLevel } from './intensity.ts';

/** Fallback qualifying rule when a profile lacks the thresholds (DESIGN §3). */
export const DEFAULT_QUALIFYING = { minutes: 20, intensity: 'moderate' as IntensityLevel };

export interface QualifyingRule {
  minutes: number;
  intensity: IntensityLevel;
}

export function qualifyingRule(profile: EvidenceProfile): QualifyingRule {
  return {
    minutes: profile.thresholds.minSessionMinutes?.value ?? DEFAULT_QUALIFYING.minutes,
    intensity: profile.thresholds.minIntensity?.value ?? DEFAULT_QUALIFYING.intensity,
  };
}

// ---------- programme calendar ----------

export interface ProgrammeCalendar {
  startDate: string;
  /** Last planned day (inclusive): start + 7 × plannedWeeks − 1. */
  endDate: string;
  plannedWeeks: number;
  asOf: string;
  /** asOf is before the planned end. */
  running: boolean;
  started: boolean;
  /** Programme week index (0-based) of asOf, capped at plannedWeeks. */
  currentWeek: number;
  /** Weeks completely before asOf (and within the plan). */
  completedWeeks: number;
}

export function programmeCalendar(plan: Pick<ProgrammePlan, 'startDate' | 'plannedWeeks'>, asOf: string): ProgrammeCalendar {
  const endDate = addDays(plan.startDate, 7 * plan.plannedWeeks - 1);
  const started = dayNumber(asOf) >= dayNumber(plan.startDate);
  const running = dayNumber(asOf) < dayNumber(endDate);
  const week = programmeWeek(plan.startDate, asOf);
  const currentWeek = Math.max(0, Math.min(week, plan.plannedWeeks));
  const completedWeeks = !started ? 0 : running ? week : plan.plannedWeeks;
  return { startDate: plan.startDate, endDate, plannedWeeks: plan.plannedWeeks, asOf, running, started, currentWeek, completedWeeks };
}

/** 0-based programme week of a date (weeks start on the programme's start date, not on Monday). */
export function programmeWeek(startDate: string, date: string): number {
  return Math.floor(daysBetween(startDate, date) / 7);
}

// ---------- one session's minutes ----------

export interface SessionMinutes {
  total: number;
  aerobic: number;
  /** Aerobic minutes at ≥ the rule's intensity. */
  qualifying: number;
  mvpa: number;
  vigorous: number;
  /** Minutes whose intensity is unknown (nothing recorded, activity not in the catalog). */
  unknownIntensity: number;
  /** Blocks where RPE / heart rate / METs disagreed. */
  conflicts: number;
  /** null when the aerobic minutes' intensity is unknown. */
  qualifies: boolean | null;
}

export function sessionMinutes(
  blocks: readonly SessionActivityBlock[],
  opts: { rule: QualifyingRule; ageYears?: number | null; childRpe?: number | null; fraction?: number; catalog?: readonly Activity[] },
): SessionMinutes {
  const catalog = opts.catalog ?? ACTIVITY_CATALOG;
  const fraction = opts.fraction ?? 1;
  const out: SessionMinutes = { total: 0, aerobic: 0, qualifying: 0, mvpa: 0, vigorous: 0, unknownIntensity: 0, conflicts: 0, qualifies: null };
  let aerobicUnknown = 0;
  for (const b of blocks) {
    const m = b.minutes * fraction;
    const intensity = blockIntensity(
      { activityCode: b.activityCode, rpe: opts.childRpe ?? b.rpe ?? null, avgHeartRate: b.avgHeartRate ?? null, mets: b.mets ?? null, ageYears: opts.ageYears ?? null },
      catalog,
    );
    const aerobic = findActivity(b.activityCode, catalog)?.type === 'aerobic';
    out.total += m;
    if (intensity.agreement === 'disagree') out.conflicts++;
    if (aerobic) out.aerobic += m;
    if (intensity.level === null) {
      out.unknownIntensity += m;
      if (aerobic) aerobicUnknown += m;
      continue;
    }
    if (atLeast(intensity.level, 'moderate')) out.mvpa += m;
    if (intensity.level === 'vigorous') out.vigorous += m;
    if (aerobic && atLeast(intensity.level, opts.rule.intensity)) out.qualifying += m;
  }
  if (out.qualifying >= opts.rule.minutes) out.qualifies = true;
  else if (out.qualifying + aerobicUnknown >= opts.rule.minutes) out.qualifies = null;
  else out.qualifies = false;
  return out;
}

// ---------- gaps ----------

export interface GapSummary {
  /** Longest gap in days between consecutive dates (closed gaps), excluded days not counted. */
  longestClosed: number | null;
  longestFrom: string | null;
  longestTo: string | null;
  /** Holiday/exam days inside the longest gap that were not counted. */
  longestExcluded: number;
  /** Days from the last date to asOf (only meaningful while running), excluded days not counted. */
  open: number | null;
  last: string | null;
}

/**
 * Gaps between dates. Days in `excluded` (the schedule's exclusion dates: holidays, exams) are not
 * counted in a DELIVERED gap (issue 9): the plan check already reports the breaks the plan itself
 * makes (a 17-day exam break fails there), so a group or child is judged only on the gaps they
 * added — a child who came every session round the National Day holiday is not "failing".
 */
export function gaps(dates: readonly string[], asOf: string, excluded: ReadonlySet<string> = new Set()): GapSummary {
  const sorted = [...new Set(dates)].sort();
  const excludedBetween = (a: string, b: string) => {
    let n = 0;
    for (const d of excluded) if (d > a && d < b) n++;
    return n;
  };
  let longestClosed: number | null = null;
  let from: string | null = null;
  let to: string | null = null;
  let longestExcluded = 0;
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1] as string;
    const b = sorted[i] as string;
    const skipped = excludedBetween(a, b);
    const g = daysBetween(a, b) - skipped;
    if (longestClosed === null || g > longestClosed) {
      longestClosed = g;
      from = a;
      to = b;
      longestExcluded = skipped;
    }
  }
  const last = sorted[sorted.length - 1] ?? null;
  const open = last === null ? null : daysBetween(last, asOf) - (daysBetween(last, asOf) > 0 ? excludedBetween(last, addDays(asOf, 1)) : 0);
  return { longestClosed, longestFrom: from, longestTo: to, longestExcluded, open, last };
}

/** Status of the "no gap longer than N days" rule, with a projection while running. */
export function gapCheck(
  id: 'longest-gap' | 'child-gap',
  threshold: NonNullable<EvidenceProfile['thresholds']['maxGapDays']>,
  g: GapSummary,
  openCounts: boolean,
  what: string,
  noneExplanation: { status: Check['status']; text: string; key: string },
): Check {
  const max = threshold.value;
  if (g.last === null) return makeCheck(id, threshold, noneExplanation.status, null, noneExplanation.text, noneExplanation.key, { max }, 'delivered');
  const closed = g.longestClosed ?? 0;
  const open = openCounts ? (g.open ?? 0) : 0;
  const value = Math.max(closed, open);
  if (closed > max) {
    const note = g.longestExcluded > 0 ? `, not counting ${plural(g.longestExcluded, 'holiday or exam day')}` : '';
    return makeCheck(id, threshold, 'fail', value, `Longest gap ${plural(closed, 'day')} (${g.longestFrom} → ${g.longestTo}${note}) — more than ${max}`, `check.${id}.fail`,
      { gap: closed, from: g.longestFrom ?? '', to: g.longestTo ?? '', max, excludedDays: g.longestExcluded }, 'delivered');
  }
  if (open > max) {
    return makeCheck(id, threshold, 'fail', value, `${plural(open, 'day')} since the last ${what} (${g.last}) — more than ${max}`, `check.${id}.openFail`,
      { days: open, last: g.last, max }, 'delivered');
  }
  if (open > max / 2) {
    const by = addDays(g.last, max);
    const c = makeCheck(id, threshold, 'at-risk', value, `${plural(open, 'day')} without a ${what}; hold one by ${by} to keep every gap within ${max} days`, `check.${id}.atRisk`,
      { days: open, by, max }, 'delivered');
    c.projected = true;
    return c;
  }
  return makeCheck(id, threshold, 'pass', value, `Longest gap ${plural(value, 'day')} ≤ ${max} ✓`, `check.${id}.pass`, { gap: value, max }, 'delivered');
}

// ---------- per-child dose ----------

export interface ChildDose {
  childId: string;
  asOf: string;
  /** Non-cancelled sessions of the child's group(s) dated while a member: held, or past and unrecorded. */
  sessionsScheduled: number;
  sessionsHeld: number;
  sessionsCancelled: number;
  /** Past sessions still 'scheduled' (register not saved). */
  sessionsUnrecorded: number;
  sessionsAttended: number;
  sessionsExcused: number;
  /** Held sessions whose register has no mark for the child (not logged for this child: not an absence). */
  sessionsUnmarked: number;
  /** Held sessions with a mark for the child: the sessions attendance is judged on. */
  sessionsMarked: number;
  /** attended / marked (sessions not logged yet are not absences); null when none is marked. */
  attendanceRate: number | null;
  minutesActive: number;
  aerobicMinutes: number;
  /** Aerobic minutes at ≥ the profile's minimum intensity. */
  qualifyingMinutes: number;
  mvpaMinutes: number;
  vigorousMinutes: number;
  unknownIntensityMinutes: number;
  intensityConflicts: number;
  qualifyingSessions: number;
  /** Attended sessions where it is unknown whether they qualify (intensity not recorded). */
  sessionsQualifyingUnknown: number;
  weeksWithQualifyingSession: number;
  /** Longest gap in days between consecutive qualifying sessions. */
  longestGapDays: number | null;
  daysSinceLastQualifying: number | null;
  firstAttended: string | null;
  lastAttended: string | null;
  lastQualifying: string | null;
  /** Member days in completed programme weeks ÷ 7. */
  memberWeeks: number;
  /** Qualifying sessions in completed weeks per member week. */
  qualifyingPerWeek: number | null;
  qualifyingDates: string[];
}

export interface ChildDoseInput {
  /** arm 'control': the child's checks are "not applicable" (issue 9). */
  programme: Pick<ProgrammePlan, 'startDate' | 'plannedWeeks'> & { arm?: ProgrammePlan['arm']; exclusionDates?: readonly string[] | undefined };
  profile: EvidenceProfile;
  child: DoseChild;
  /** This child's memberships (several when the child changed group). */
  memberships: readonly Membership[];
  /** Sessions of the child's group(s); others are ignored. */
  sessions: readonly Session[];
  asOf: string;
  catalog?: readonly Activity[];
}

/**
 * A membership spell that overlaps the programme's dates: a child who left the group before the
 * programme began (or joins after it ended) is not one of its children — not "0 weeks, failing".
 */
export function membershipOverlaps(m: Pick<Membership, 'joinedOn' | 'leftOn'>, programme: Pick<ProgrammePlan, 'startDate' | 'plannedWeeks'>): boolean {
  const end = addDays(programme.startDate, 7 * programme.plannedWeeks - 1);
  return m.joinedOn <= end && (m.leftOn === undefined || m.leftOn >= programme.startDate);
}

function inWindow(date: string, from: string, to: string | undefined): boolean {
  return date >= from && (to === undefined || date <= to);
}

function attended(entry: RegisterEntry | undefined): boolean {
  return entry?.status === 'present' || entry?.status === 'late';
}

export function computeChildDose(input: ChildDoseInput): ChildDose {
  const { programme, profile, child, asOf } = input;
  const rule = qualifyingRule(profile);
  const cal = programmeCalendar(programme, asOf);
  const spells = input.memberships.filter((m) => m.childId === child.id);
  const dose: ChildDose = {
    childId: child.id, asOf, sessionsScheduled: 0, sessionsHeld: 0, sessionsCancelled: 0, sessionsUnrecorded: 0, sessionsAttended: 0,
    sessionsExcused: 0, sessionsUnmarked: 0, sessionsMarked: 0, attendanceRate: null, minutesActive: 0, aerobicMinutes: 0, qualifyingMinutes: 0, mvpaMinutes: 0,
    vigorousMinutes: 0, unknownIntensityMinutes: 0, intensityConflicts: 0, qualifyingSessions: 0, sessionsQualifyingUnknown: 0,
    weeksWithQualifyingSession: 0, longestGapDays: null, daysSinceLastQualifying: null, firstAttended: null, lastAttended: null,
    lastQualifying: null, memberWeeks: 0, qualifyingPerWeek: null, qualifyingDates: [],
  };
  const seen = new Set<string>();
  const attendedDates: string[] = [];
  const qualifyingDates: string[] = [];
  for (const s of input.sessions) {
    if (seen.has(s.id)) continue;
    if (s.date < programme.startDate || s.date > asOf) continue;
    const spell = spells.find((m) => m.groupId === s.groupId && inWindow(s.date, m.joinedOn, m.leftOn));
    if (!spell) continue;
    seen.add(s.id);
    if (s.status === 'cancelled') {
      dose.sessionsCancelled++;
      continue;
    }
    // A session still 'scheduled' today may yet be held: it is not counted until it is past.
    if (s.status === 'scheduled' && s.date >= asOf) continue;
    dose.sessionsScheduled++;
    if (s.status === 'scheduled') {
      dose.sessionsUnrecorded++;
      continue;
    }
    dose.sessionsHeld++;
    const entry = s.register.find((r) => r.childId === child.id);
    if (!entry) {
      dose.sessionsUnmarked++;
      continue;
    }
    dose.sessionsMarked++;
    if (entry.status === 'excused') dose.sessionsExcused++;
    if (!attended(entry)) continue;
    dose.sessionsAttended++;
    attendedDates.push(s.date);
    const sessionTotal = s.activityBlocks.reduce((a, b) => a + b.minutes, 0);
    // A child who came late or left early is credited the share of the session they took part in.
    const fraction = entry.minutes !== undefined && sessionTotal > 0 ? Math.min(1, entry.minutes / sessionTotal) : 1;
    const m = sessionMinutes(s.activityBlocks, {
      rule,
      ageYears: ageOn(child.birthYear, child.birthMonth, s.date),
      childRpe: entry.rpe ?? null,
      fraction,
      ...(input.catalog ? { catalog: input.catalog } : {}),
    });
    dose.minutesActive += m.total;
    dose.aerobicMinutes += m.aerobic;
    dose.qualifyingMinutes += m.qualifying;
    dose.mvpaMinutes += m.mvpa;
    dose.vigorousMinutes += m.vigorous;
    dose.unknownIntensityMinutes += m.unknownIntensity;
    dose.intensityConflicts += m.conflicts;
    if (m.qualifies === true) {
      dose.qualifyingSessions++;
      qualifyingDates.push(s.date);
    } else if (m.qualifies === null) dose.sessionsQualifyingUnknown++;
  }
  attendedDates.sort();
  qualifyingDates.sort();
  dose.qualifyingDates = qualifyingDates;
  // Unlogged ≠ absent (issue 9): only sessions with a mark for the child are judged.
  dose.attendanceRate = dose.sessionsMarked > 0 ? dose.sessionsAttended / dose.sessionsMarked : null;
  dose.firstAttended = attendedDates[0] ?? null;
  dose.lastAttended = attendedDates[attendedDates.length - 1] ?? null;
  dose.weeksWithQualifyingSession = new Set(qualifyingDates.map((d) => programmeWeek(programme.startDate, d))).size;
  const g = gaps(qualifyingDates, asOf, new Set(programme.exclusionDates ?? []));
  dose.longestGapDays = g.longestClosed;
  dose.lastQualifying = g.last;
  dose.daysSinceLastQualifying = g.open;
  // Member days inside completed weeks (a child joining mid-week is not charged the whole week).
  const completedEnd = cal.completedWeeks > 0 ? addDays(programme.startDate, 7 * cal.completedWeeks - 1) : null;
  if (completedEnd !== null) {
    const days = new Set<number>();
    for (const m of spells) {
      const from = Math.max(dayNumber(m.joinedOn), dayNumber(programme.startDate));
      const to = Math.min(m.leftOn ? dayNumber(m.leftOn) : Infinity, dayNumber(completedEnd));
      for (let d = from; d <= to; d++) days.add(d);
    }
    dose.memberWeeks = days.size / 7;
    const inCompleted = qualifyingDates.filter((d) => d <= completedEnd).length;
    dose.qualifyingPerWeek = dose.memberWeeks > 0 ? inCompleted / dose.memberWeeks : null;
  }
  // Round accumulated fractional minutes for display stability (no precision lost beyond 1e-9).
  for (const k of ['minutesActive', 'aerobicMinutes', 'qualifyingMinutes', 'mvpaMinutes', 'vigorousMinutes', 'unknownIntensityMinutes'] as const) {
    dose[k] = Math.round(dose[k] * 1e9) / 1e9;
  }
  return dose;
}

/**
 * The child's checks against the profile, with a projection while the programme runs: weeks with a
 * qualifying session, adherence (attended ÷ sessions held while a member — not "3 qualifying
 * sessions a week", which one absence would miss; issue 9) and the longest gap. A control arm's
 * child is "not applicable".
 */
export function childChecks(input: ChildDoseInput, dose: ChildDose = computeChildDose(input)): Check[] {
  const checks = childRules(input, dose);
  return input.programme.arm === 'control' ? checks.map(asControlArm) : checks;
}

function childRules(input: ChildDoseInput, dose: ChildDose): Check[] {
  const t = input.profile.thresholds;
  const cal = programmeCalendar(input.programme, input.asOf);
  const spells = input.memberships.filter((m) => m.childId === input.child.id);
  const lastDay = spells.some((m) => !m.leftOn) ? cal.endDate : spells.map((m) => m.leftOn as string).sort().at(-1) ?? cal.endDate;
  const stillMember = cal.running && lastDay >= input.asOf && spells.length > 0;
  const checks: Check[] = [];
  const rule = qualifyingRule(input.profile);
  const qWord = `qualifying session (≥ ${rule.minutes} aerobic minutes at ${rule.intensity} or higher)`;

  if (t.minWeeks) {
    const min = t.minWeeks.value;
    const have = dose.weeksWithQualifyingSession;
    if (have >= min) {
      checks.push(makeCheck('child-weeks', t.minWeeks, 'pass', have, `${plural(have, 'week')} with a qualifying session ≥ ${min} ✓`, 'check.child-weeks.pass', { weeks: have, min }, 'delivered'));
    } else if (!stillMember) {
      checks.push(makeCheck('child-weeks', t.minWeeks, 'fail', have, `${plural(have, 'week')} with a qualifying session — below ${min}`, 'check.child-weeks.fail', { weeks: have, min }, 'delivered'));
    } else {
      const lastWeek = Math.min(programmeWeek(cal.startDate, lastDay), cal.plannedWeeks - 1);
      const currentHas = dose.qualifyingDates.some((d) => programmeWeek(cal.startDate, d) === cal.currentWeek);
      const remaining = Math.max(0, lastWeek - cal.currentWeek + (currentHas ? 0 : 1));
      const reachable = have + remaining;
      const c =
        reachable < min
          ? makeCheck('child-weeks', t.minWeeks, 'fail', have, `${plural(have, 'week')} with a qualifying session so far; only ${plural(remaining, 'week')} left, so ${min} cannot be reached`, 'check.child-weeks.unreachable', { weeks: have, remaining, min }, 'delivered')
          : makeCheck('child-weeks', t.minWeeks, reachable - min <= 1 ? 'at-risk' : 'pass', have,
              `${plural(have, 'week')} with a qualifying session so far; ${min} still reachable if the child has one every week${reachable - min <= 1 ? ` — ${reachable === min ? 'no week may be missed' : 'at most one week may be missed'}` : ''} (${plural(remaining, 'week')} left)`,
              reachable - min <= 1 ? 'check.child-weeks.atRisk' : 'check.child-weeks.onTrack', { weeks: have, remaining, min }, 'delivered');
      c.projected = true;
      checks.push(c);
    }
  }

  if (t.minAttendancePercent) {
    const min = t.minAttendancePercent.value;
    const marked = dose.sessionsMarked;
    const notLogged = dose.sessionsUnrecorded + dose.sessionsUnmarked;
    const notLoggedNote = notLogged > 0 ? `; ${plural(notLogged, 'session')} not logged yet (not counted)` : '';
    if (marked === 0) {
      checks.push(makeCheck('child-adherence', t.minAttendancePercent, 'insufficient-data', null,
        notLogged > 0 ? `None of the ${plural(notLogged, 'session')} as a member is logged yet` : 'No session held yet while a member',
        notLogged > 0 ? 'check.child-adherence.noneLogged' : 'check.child-adherence.none', { min, notLogged }, 'delivered'));
    } else {
      const pct = (100 * dose.sessionsAttended) / marked;
      const ok = pct >= min;
      const status = ok ? 'pass' : stillMember ? 'at-risk' : 'fail';
      const base = `Attended ${dose.sessionsAttended} of ${plural(marked, 'session')} held while a member (${fmt(pct)} %)`;
      const tail = ok
        ? ` ≥ ${min} % ✓`
        : status === 'at-risk'
          ? ` — below ${min} %; coming to the next sessions lifts it`
          : ` — below ${min} %${dose.lastAttended ? `; last came on ${dose.lastAttended}` : '; never came'}`;
      checks.push(makeCheck('child-adherence', t.minAttendancePercent, status, pct, base + tail + notLoggedNote,
        `check.child-adherence.${status}`,
        { attended: dose.sessionsAttended, marked, percent: fmt(pct), min, last: dose.lastAttended ?? '', notLogged }, 'delivered'));
    }
  }

  if (t.maxGapDays) {
    const max = t.maxGapDays.value;
    const joined = spells.map((m) => m.joinedOn).sort()[0];
    const since = joined ? daysBetween(joined > cal.startDate ? joined : cal.startDate, input.asOf) : 0;
    checks.push(
      gapCheck('child-gap', t.maxGapDays, gaps(dose.qualifyingDates, input.asOf, new Set(input.programme.exclusionDates ?? [])), stillMember, qWord,
        since > max
          ? { status: 'fail', text: `No ${qWord} in ${plural(since, 'day')} as a member — more than ${max}`, key: 'check.child-gap.none' }
          : { status: 'insufficient-data', text: `No ${qWord} yet`, key: 'check.child-gap.noneYet' }),
    );
  }
  return checks;
}

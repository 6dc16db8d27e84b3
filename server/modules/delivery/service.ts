// The delivery dashboard of a programme: plan checks next to delivered checks per group, weekly
// aerobic minutes and attendance per group, the children's dose rollup and "at risk" notices —
// all read from the computed summaries (O(groups) for the report, O(children) for the table),
// never from raw registers (shared/DESIGN.md §2).
import { statusCounts, type Check, type CheckStatus } from '../../../shared/domain/check.ts';
import { addDays } from '../../../shared/domain/dates.ts';
import { checkPlan } from '../../../shared/domain/plan-check.ts';
import type { DeliveryChildrenQuery } from '../../../shared/schemas/register.ts';
import { notFound } from '../../lib/errors.ts';
import { authorize, authorizeProgramme, canReachSchool, hasPermission, type Actor } from '../../lib/policy.ts';
import { recordAudit } from '../audit/service.ts';
import { Child } from '../children/model.ts';
import { findByIds } from '../../db/find-by-ids.ts';
import { ensureFreshDose, recomputeGroupDose, resolveProfile } from '../dose/service.ts';
import { readRollupRows, type RollupRow } from '../rollups/service.ts';
import { DoseSummary } from '../dose/model.ts';
import { Group } from '../groups/model.ts';
import { Programme, type ProgrammeDoc } from '../programmes/model.ts';
import { programmePlanOf } from '../programmes/service.ts';
import type { GroupWeek, Notice } from '../../../shared/schemas/register.ts';

/**
 * "Falling attendance" notice: the mean attendance of the last two completed weeks is this many
 * percentage points below that of the two weeks before. Product default (no source gives one).
 */
export const FALLING_ATTENDANCE_POINTS = 15;
/** Weeks compared on each side for the falling-attendance notice — product default. */
const ATTENDANCE_WINDOW_WEEKS = 2;

async function loadProgramme(actor: Actor, id: string): Promise<ProgrammeDoc> {
  authorize(actor, 'delivery:read');
  const programme = await Programme.findById(id).lean<ProgrammeDoc>();
  if (!programme) throw notFound('The programme');
  // One of its schools is enough to read; other schools' children are filtered out below.
  authorizeProgramme(actor, 'delivery:read', programme, 'any');
  return programme;
}

/**
 * The programme's report rows (server/modules/rollups: one read per school), brought up to date
 * first: the freshness check works from the rows' own asOf/sourceReadAt/stamp, and whatever it
 * recomputes rewrites the rows, which are then read again.
 */
async function freshRows(programme: ProgrammeDoc, now: Date): Promise<RollupRow[]> {
  const rows = await readRollupRows(programme);
  const pid = String(programme._id);
  const known = rows.map((r) => ({ _id: `${pid}:${r.groupId}`, asOf: r.asOf, sourceReadAt: r.sourceReadAt, stamp: r.stamp }));
  return (await ensureFreshDose(programme, now, known)) ? readRollupRows(programme) : rows;
}

export async function programmeDeliveryReport(actor: Actor, id: string, now = new Date()) {
  const programme = await loadProgramme(actor, id);
  return buildReport(actor, programme, await freshRows(programme, now));
}

/**
 * The report from report rows: the rollups' (named), or — for the benchmark's naive variant —
 * group summaries computed from raw sessions (then the group names are read here).
 */
export async function buildReport(actor: Actor, programme: ProgrammeDoc, rows: readonly (RollupRow | Record<string, unknown>)[]) {
  const profile = resolveProfile(programme.evidenceProfileId);
  const unnamed = rows.filter((r) => typeof r.name !== 'string').map((r) => String(r.groupId));
  const groups = await findByIds<{ _id: unknown; name: string; activityCode: string | null; schoolId: unknown }>(Group, unnamed, { name: 1, schoolId: 1, activityCode: 1 });
  const groupInfo = new Map(groups.map((g) => [String(g._id), g]));
  for (const r of rows) if (typeof r.name === 'string') groupInfo.set(String(r.groupId), { _id: r.groupId, name: r.name, activityCode: (r.activityCode as string | null) ?? null, schoolId: null });
  const visible = rows
    .map((r) => r as Record<string, unknown> & { groupId: unknown; schoolId: unknown; asOf: string; summary: unknown })
    .filter((d) => canReachSchool(actor, String(d.schoolId)));
  visible.sort((a, b) => (groupInfo.get(String(a.groupId))?.name ?? '').localeCompare(groupInfo.get(String(b.groupId))?.name ?? ''));

  const planChecks = checkPlan(programmePlanOf(programme), profile);

  const notices: Notice[] = [];
  const childTotals = { count: 0, byWorst: statusCounts() };
  const byCheck: Record<string, Record<CheckStatus, number>> = {};
  const weeks = new Map<number, { marks: number; attended: number; held: number; aerobicMinutes: number; qualifyingMinutes: number }>();

  const groupRows = visible.map((d) => {
    const gid = String(d.groupId);
    const info = groupInfo.get(gid);
    const name = info?.name ?? gid;
    const checks = d.checks as Check[];
    const weekly = d.weekly as GroupWeek[];
    const children = d.children as { count: number; byWorst: Record<CheckStatus, number>; byCheck: Record<string, Record<CheckStatus, number>> };
    childTotals.count += children.count;
    for (const [k, v] of Object.entries(children.byWorst)) childTotals.byWorst[k as CheckStatus] += v;
    for (const [check, counts] of Object.entries(children.byCheck)) {
      const target = (byCheck[check] ??= statusCounts());
      for (const [k, v] of Object.entries(counts)) target[k as CheckStatus] += v;
    }
    for (const w of weekly) {
      const t = weeks.get(w.week) ?? { marks: 0, attended: 0, held: 0, aerobicMinutes: 0, qualifyingMinutes: 0 };
      t.marks += w.marks;
      t.attended += w.attended;
      t.held += w.held;
      t.aerobicMinutes += w.aerobicMinutes;
      t.qualifyingMinutes += w.qualifyingMinutes;
      weeks.set(w.week, t);
    }
    for (const c of checks) {
      if (c.status !== 'fail' && c.status !== 'at-risk') continue;
      notices.push({
        kind: c.id === 'longest-gap' || c.id === 'weeks-spanned' ? 'gap' : 'delivery',
        severity: c.status,
        groupId: gid,
        groupName: name,
        message: `${name}: ${c.label} — ${c.explanation}`,
        messageKey: c.messageKey,
        params: c.params,
      });
    }
    // A control arm's attendance is usual activity, not a dose to protect: no notice (issue 9).
    const falling = programme.arm === 'control' ? null : fallingAttendance(weekly, d.asOf, programme);
    if (falling) {
      notices.push({
        kind: 'falling-attendance',
        severity: 'at-risk',
        groupId: gid,
        groupName: name,
        message: `${name}: attendance fell from ${falling.before} % to ${falling.after} % over the last ${ATTENDANCE_WINDOW_WEEKS} weeks`,
        messageKey: 'notice.fallingAttendance',
        params: falling,
      });
    }
    const risky = (children.byWorst['at-risk'] ?? 0) + (children.byWorst.fail ?? 0);
    if (risky > 0) {
      notices.push({
        kind: 'children',
        severity: children.byWorst.fail > 0 ? 'fail' : 'at-risk',
        groupId: gid,
        groupName: name,
        message: `${name}: ${risky} of ${children.count} children are at risk of not receiving the dose or have missed it`,
        messageKey: 'notice.children',
        params: { count: risky, total: children.count },
      });
    }
    return {
      groupId: gid,
      name,
      schoolId: String(d.schoolId),
      activityCode: info?.activityCode ?? null,
      asOf: d.asOf,
      summary: d.summary,
      checks,
      weekly,
      children,
    };
  });
  notices.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'fail' ? -1 : 1));

  const attendance = [...weeks.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([week, w]) => ({ week, marks: w.marks, attended: w.attended, rate: w.marks > 0 ? w.attended / w.marks : null, held: w.held }));

  return {
    programme: {
      id: String(programme._id),
      name: programme.name,
      arm: programme.arm,
      startDate: programme.startDate,
      plannedWeeks: programme.plannedWeeks,
      endDate: addDays(programme.startDate, 7 * programme.plannedWeeks - 1),
      evidenceProfileId: profile.id,
      evidenceProfileKnown: profile.id === programme.evidenceProfileId,
    },
    profile: {
      id: profile.id,
      name: profile.name,
      minSessionMinutes: profile.thresholds.minSessionMinutes?.value ?? null,
      minWeeks: profile.thresholds.minWeeks?.value ?? null,
    },
    asOf: visible[0]?.asOf ?? null,
    planChecks,
    groups: groupRows,
    attendance,
    children: { ...childTotals, byCheck },
    notices,
    thresholds: { fallingAttendancePoints: FALLING_ATTENDANCE_POINTS, windowWeeks: ATTENDANCE_WINDOW_WEEKS },
  };
}

/** Last two completed weeks vs the two before; null when too few weeks or no fall. */
function fallingAttendance(weekly: GroupWeek[], asOf: string, programme: Pick<ProgrammeDoc, 'startDate' | 'plannedWeeks'>) {
  // Only weeks that are over count (the current week may still have sessions to come).
  const completed = weekly.filter((w) => addDays(programme.startDate, 7 * w.week - 1) < asOf && w.marks > 0);
  if (completed.length < 2 * ATTENDANCE_WINDOW_WEEKS) return null;
  const rate = (list: GroupWeek[]) => list.reduce((a, w) => a + w.attended, 0) / list.reduce((a, w) => a + w.marks, 0);
  const after = rate(completed.slice(-ATTENDANCE_WINDOW_WEEKS));
  const before = rate(completed.slice(-2 * ATTENDANCE_WINDOW_WEEKS, -ATTENDANCE_WINDOW_WEEKS));
  if ((before - after) * 100 < FALLING_ATTENDANCE_POINTS) return null;
  return { before: Math.round(before * 100), after: Math.round(after * 100) };
}

/** Per-child dose table: names for roles that may read the roster, codes for everyone. */
export async function programmeChildren(actor: Actor, id: string, query: DeliveryChildrenQuery, now = new Date()) {
  const programme = await loadProgramme(actor, id);
  await freshRows(programme, now);
  const filter: Record<string, unknown> = { programmeId: programme._id };
  if (actor.role !== 'admin') filter.schoolId = { $in: actor.schoolIds };
  if (query.groupId) filter.groupIds = query.groupId;
  const rows = await DoseSummary.find(filter, { dose: 0, weekly: 0 }).lean();
  const withNames = hasPermission(actor, 'child:read');
  const children = await Child.find({ _id: { $in: rows.map((r) => r.childId) } }, withNames ? { code: 1, displayName: 1 } : { code: 1 }).lean();
  const byId = new Map(children.map((c) => [String(c._id), c]));
  const items = rows
    .map((r) => {
      const c = byId.get(String(r.childId));
      const checks = (r.checks as Check[]).map((k) => ({ id: k.id, label: k.label, status: k.status, explanation: k.explanation, messageKey: k.messageKey, params: k.params }));
      return {
        childId: String(r.childId),
        code: c?.code ?? '',
        ...(withNames ? { displayName: (c as { displayName?: string } | undefined)?.displayName ?? '' } : {}),
        groupIds: r.groupIds.map(String),
        sessionsScheduled: r.sessionsScheduled,
        sessionsAttended: r.sessionsAttended,
        sessionsMarked: r.sessionsMarked ?? 0,
        sessionsNotLogged: r.sessionsNotLogged ?? 0,
        attendanceRate: r.attendanceRate ?? null,
        aerobicMinutes: r.aerobicMinutes,
        qualifyingSessions: r.qualifyingSessions,
        qualifyingWeeks: r.qualifyingWeeks,
        longestGapDays: r.longestGapDays ?? null,
        lastAttendedOn: r.lastAttendedOn ?? null,
        worstStatus: r.worstStatus as CheckStatus,
        checks,
      };
    })
    .filter((r) => !query.status || r.checks.some((c) => c.status === query.status))
    .sort((a, b) => a.code.localeCompare(b.code));
  return { items, asOf: rows[0]?.asOf ?? null };
}

/** Recompute every summary of the programme now (after data repairs, or to check consistency). */
export async function recomputeProgramme(actor: Actor, id: string) {
  const programme = await Programme.findById(id).lean<ProgrammeDoc>();
  if (!programme) throw notFound('The programme');
  const schools = programme.schoolIds.map(String);
  // Everything of the programme is rewritten, so the actor must reach every school in it.
  authorizeProgramme(actor, 'programme:write', programme, 'all');
  const result = await recomputeGroupDose(programme._id, 'all');
  await recordAudit({ actor, action: 'update', entity: 'dose', entityId: id, schoolId: schools[0] ?? null, meta: { kind: 'recompute', ...result } });
  return result;
}

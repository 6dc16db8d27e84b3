// Dose summaries (computed pattern, shared/DESIGN.md §2): per child and per group of a programme,
// recomputed from the groups' sessions with the pure functions of shared/domain (computeChildDose,
// childChecks, checkGroupDelivery) and written by full replacement under `_id = programme:child`
// (or `programme:group`). Re-running a recompute gives the same documents: it is idempotent.
//
// When: a register save marks its group dirty and schedules a recompute after the response
// (coalesced per group, so a burst of saves costs one recompute); other modules that change
// sessions or memberships call `markDoseDirty` (or `recomputeGroupDose`). Readers call
// `ensureFreshDose` first, which recomputes any dirty, missing or out-of-date (asOf) group before
// reading, so a report never shows a stale summary even when the background run has not finished.
import mongoose from 'mongoose';
import type { Logger } from 'pino';
import { statusCounts, worstStatus, type Check, type CheckStatus } from '../../../shared/domain/check.ts';
import { schoolToday } from '../../../shared/domain/dates.ts';
import { checkGroupDelivery } from '../../../shared/domain/delivery.ts';
import { childChecks, computeChildDose, membershipOverlaps, programmeWeek, type ChildDose } from '../../../shared/domain/dose.ts';
import { BUILT_IN_PROFILES, seedReviewProfile } from '../../../shared/domain/evidence.ts';
import type { EvidenceProfile } from '../../../shared/schemas/evidence.ts';
import type { DoseChild, Membership, Session as DomainSession } from '../../../shared/schemas/session.ts';
import { serialisedWrite } from '../../db/compare-and-set.ts';
import { engineTraits } from '../../db/connection.ts';
import { deleteByIds, findByIds } from '../../db/find-by-ids.ts';
import { isDuplicateKeyError } from '../../lib/errors.ts';
import { foregroundCount } from '../../lib/foreground.ts';
import { Child } from '../children/model.ts';
import { Group, type GroupDoc } from '../groups/model.ts';
import { Programme, type ProgrammeDoc } from '../programmes/model.ts';
import { Session, type SessionDoc } from '../sessions/model.ts';
import { completeSessionList, readSessionLists } from '../sessions/session-lists.ts';
import { applyGroupDoses, deleteProgrammeRollups } from '../rollups/service.ts';
import { DoseSummary } from './model.ts';
import { DoseDirty, GroupDose } from './group-model.ts';

type Id = mongoose.Types.ObjectId | string;

/** Built-in profiles by id; an unknown id falls back to the seed review (and says so in the report). */
export function resolveProfile(id: string | null | undefined): EvidenceProfile {
  return BUILT_IN_PROFILES.find((p) => p.id === id) ?? seedReviewProfile;
}

export { worstStatus };

/** A stored session as the pure domain sees it. */
export function toDomainSession(s: Pick<SessionDoc, '_id' | 'groupId' | 'date' | 'status' | 'activityBlocks' | 'register'>): DomainSession {
  return {
    id: String(s._id),
    groupId: String(s.groupId),
    date: s.date,
    status: s.status as DomainSession['status'],
    activityBlocks: s.activityBlocks.map((b) => ({
      activityCode: b.activityCode,
      minutes: b.minutes,
      ...(b.rpe != null ? { rpe: b.rpe } : {}),
      ...(b.avgHeartRate != null ? { avgHeartRate: b.avgHeartRate } : {}),
      ...(b.mets != null ? { mets: b.mets } : {}),
    })),
    register: s.register.map((r) => ({
      childId: String(r.childId),
      status: r.status as DomainSession['register'][number]['status'],
      ...(r.minutes != null ? { minutes: r.minutes } : {}),
      ...(r.rpe != null ? { rpe: r.rpe } : {}),
    })),
  };
}

export function membershipsOf(groups: readonly Pick<GroupDoc, '_id' | 'members'>[]): Membership[] {
  return groups.flatMap((g) =>
    g.members.map((m) => ({
      childId: String(m.childId),
      groupId: String(g._id),
      joinedOn: m.joinedOn,
      ...(m.leftOn ? { leftOn: m.leftOn } : {}),
    })),
  );
}

export interface DoseInputs {
  programme: Pick<ProgrammeDoc, '_id' | 'startDate' | 'plannedWeeks' | 'evidenceProfileId' | 'timeZone'> & {
    version?: number;
    arm?: string | null;
    weeklyPattern?: readonly { weekday: number; startTime: string; minutes: number }[];
    exclusionDates?: readonly string[];
  };
  groups: (Pick<GroupDoc, '_id' | 'schoolId' | 'members'> & { version?: number })[];
  sessions: DomainSession[];
  /** Sum of stored session versions per group (for the stamp). */
  sessionVersions?: Map<string, number>;
  children: (DoseChild & { schoolId: string })[];
  asOf: string;
}

export interface ComputedDose {
  summaries: Record<string, unknown>[];
  groupDoses: Record<string, unknown>[];
}

/**
 * Pure: the summary documents for `targetGroupIds` and `childIds` from the inputs. Used by the
 * recompute and by the benchmark's naive report, so both compute exactly the same thing.
 */
export function computeDoseDocuments(inputs: DoseInputs, targetGroupIds: readonly string[], childIds: readonly string[], readAt: Date): ComputedDose {
  const { programme, asOf } = inputs;
  const programmeId = String(programme._id);
  const profile = resolveProfile(programme.evidenceProfileId);
  // The plan as the pure checks read it: pattern and exclusions (planned sessions, weeks left out
  // of the frequency) and the arm (a control arm's checks are "not applicable").
  const plan = {
    startDate: programme.startDate,
    plannedWeeks: programme.plannedWeeks,
    weeklyPattern: (programme.weeklyPattern ?? []).map((s) => ({ weekday: s.weekday, startTime: s.startTime, minutes: s.minutes })),
    exclusionDates: [...(programme.exclusionDates ?? [])],
    ...(programme.arm === 'control' || programme.arm === 'intervention' ? { arm: programme.arm as 'control' | 'intervention' } : {}),
  };
  const memberships = membershipsOf(inputs.groups);
  // (memberships of every group, for the children's doses; each group check gets its own below)
  const byChild = new Map<string, Membership[]>();
  for (const m of memberships) {
    const list = byChild.get(m.childId) ?? [];
    list.push(m);
    byChild.set(m.childId, list);
  }
  const sessionsByGroup = new Map<string, DomainSession[]>();
  for (const s of inputs.sessions) {
    const list = sessionsByGroup.get(s.groupId) ?? [];
    list.push(s);
    sessionsByGroup.set(s.groupId, list);
  }
  const weekOf = (date: string) => programmeWeek(programme.startDate, date);
  const childById = new Map(inputs.children.map((c) => [c.id, c]));
  const computedAt = new Date();

  const summaries: Record<string, unknown>[] = [];
  const childStatus = new Map<string, { worst: CheckStatus; checks: Check[] }>();
  for (const childId of childIds) {
    const child = childById.get(childId);
    // Only spells during the programme: a child who left the group before it began is not one of its children.
    const spells = (byChild.get(childId) ?? []).filter((m) => membershipOverlaps(m, plan));
    if (!child || spells.length === 0) continue;
    const groupIds = [...new Set(spells.map((m) => m.groupId))];
    const sessions = groupIds.flatMap((g) => sessionsByGroup.get(g) ?? []);
    const doseInput = { programme: plan, profile, child, memberships: spells, sessions, asOf };
    const dose: ChildDose = computeChildDose(doseInput);
    const checks = childChecks(doseInput, dose);
    // Week by week with the same pure function on that week's sessions.
    const perWeek = new Map<number, DomainSession[]>();
    for (const s of sessions) {
      const w = weekOf(s.date);
      if (w < 0 || w >= programme.plannedWeeks) continue;
      const list = perWeek.get(w) ?? [];
      list.push(s);
      perWeek.set(w, list);
    }
    const weekly = [...perWeek.keys()]
      .sort((a, b) => a - b)
      .map((w) => {
        const d = computeChildDose({ ...doseInput, sessions: perWeek.get(w) ?? [] });
        // logged = sessions with a mark for the child; notLogged = past sessions not logged yet
        // (unlogged ≠ absent: the worklist and the charts judge attendance on `logged` only).
        return {
          week: w + 1,
          scheduled: d.sessionsScheduled,
          logged: d.sessionsMarked,
          notLogged: d.sessionsUnrecorded + d.sessionsUnmarked,
          attended: d.sessionsAttended,
          aerobicMinutes: d.aerobicMinutes,
          qualifying: d.qualifyingSessions,
        };
      })
      .filter((w) => w.scheduled > 0);
    const worst = worstStatus(checks);
    childStatus.set(childId, { worst, checks });
    summaries.push({
      _id: `${programmeId}:${childId}`,
      programmeId: new mongoose.Types.ObjectId(programmeId),
      childId: new mongoose.Types.ObjectId(childId),
      schoolId: new mongoose.Types.ObjectId(child.schoolId),
      groupIds: groupIds.sort().map((g) => new mongoose.Types.ObjectId(g)),
      asOf,
      sessionsScheduled: dose.sessionsScheduled,
      sessionsAttended: dose.sessionsAttended,
      sessionsMarked: dose.sessionsMarked,
      sessionsNotLogged: dose.sessionsUnrecorded + dose.sessionsUnmarked,
      attendanceRate: dose.attendanceRate,
      aerobicMinutes: dose.aerobicMinutes,
      qualifyingMinutes: dose.qualifyingMinutes,
      qualifyingSessions: dose.qualifyingSessions,
      qualifyingWeeks: dose.weeksWithQualifyingSession,
      longestGapDays: dose.longestGapDays,
      lastAttendedOn: dose.lastAttended,
      weekly,
      checks: JSON.parse(JSON.stringify(checks)),
      dose: JSON.parse(JSON.stringify(dose)),
      worstStatus: worst,
      sourceReadAt: readAt,
      computedAt,
    });
  }

  const groupDoses: Record<string, unknown>[] = [];
  const groupById = new Map(inputs.groups.map((g) => [String(g._id), g]));
  for (const groupId of targetGroupIds) {
    const group = groupById.get(groupId);
    if (!group) continue;
    const mine = sessionsByGroup.get(groupId) ?? [];
    // Only this group's members and children: the group check needs nothing else, and passing the
    // whole county would make it O(children × groups).
    const ownMembers = memberships.filter((m) => m.groupId === groupId);
    const ownChildren = ownMembers.map((m) => childById.get(m.childId)).filter((c): c is NonNullable<typeof c> => c !== undefined);
    const deliveryInput = { programme: plan, profile, memberships: ownMembers, children: ownChildren, asOf };
    const delivery = checkGroupDelivery({ ...deliveryInput, sessions: mine }, groupId);
    const weeks = new Map<number, DomainSession[]>();
    for (const s of mine) {
      const w = weekOf(s.date);
      if (w < 0 || w >= programme.plannedWeeks || s.date > asOf) continue;
      const list = weeks.get(w) ?? [];
      list.push(s);
      weeks.set(w, list);
    }
    const weekly = [...weeks.keys()]
      .sort((a, b) => a - b)
      .map((w) => {
        const list = weeks.get(w) ?? [];
        const summary = checkGroupDelivery({ ...deliveryInput, sessions: list }, groupId).summary;
        const held = list.filter((s) => s.status === 'held');
        const marks = held.reduce((a, s) => a + s.register.length, 0);
        const attended = held.reduce((a, s) => a + s.register.filter((r) => r.status === 'present' || r.status === 'late').length, 0);
        return {
          week: w + 1,
          held: summary.sessionsHeld,
          cancelled: summary.sessionsCancelled,
          aerobicMinutes: summary.aerobicMinutes,
          qualifyingMinutes: summary.qualifyingMinutes,
          qualifyingSessions: summary.qualifyingSessions,
          marks,
          attended,
        };
      });
    // Children's rollup: everyone who was ever a member in the programme.
    const members = [...new Set(group.members.map((m) => String(m.childId)))];
    const byWorst: Record<CheckStatus, number> = statusCounts();
    const byCheck: Record<string, Record<CheckStatus, number>> = {};
    let counted = 0;
    for (const c of members) {
      const st = childStatus.get(c);
      if (!st) continue;
      counted++;
      byWorst[st.worst]++;
      for (const check of st.checks) {
        byCheck[check.id] ??= statusCounts();
        (byCheck[check.id] as Record<CheckStatus, number>)[check.status]++;
      }
    }
    groupDoses.push({
      _id: `${programmeId}:${groupId}`,
      programmeId: new mongoose.Types.ObjectId(programmeId),
      groupId: new mongoose.Types.ObjectId(groupId),
      schoolId: group.schoolId,
      asOf,
      summary: JSON.parse(JSON.stringify(delivery.summary)),
      checks: JSON.parse(JSON.stringify(delivery.checks)),
      weekly,
      children: { count: counted, byWorst, byCheck },
      // Whose summaries this group's recompute covered: the next one revisits them, even if a
      // change it was not told about took them out of the group.
      childIds: members.map((c) => new mongoose.Types.ObjectId(c)),
      stamp: { sessions: mine.length, sessionVersions: inputs.sessionVersions?.get(groupId) ?? 0, group: group.version ?? 0, programme: programme.version ?? 0 },
      sourceReadAt: readAt,
      computedAt,
    });
  }
  return { summaries, groupDoses };
}

/**
 * Writes summaries by full replacement, but only over a summary whose source was read earlier, so
 * two overlapping recomputes can never leave the older result behind: one conditional delete of
 * the older versions, then one insert of all (an _id that is still there belongs to a newer
 * recompute, and its duplicate-key error is the outcome we want). The end state equals a
 * conditional replaceOne per document, in two statements (per batch of ids) instead of one per
 * document: on FerretDB each statement is a transaction with its own commit.
 */
export async function writeMonotonic(model: mongoose.Model<any>, docs: Record<string, unknown>[], readAt: Date): Promise<void> {
  if (docs.length === 0) return;
  await deleteByIds(model, docs.map((d) => d._id), { sourceReadAt: { $lt: readAt } });
  try {
    await model.collection.insertMany(docs, { ordered: false });
  } catch (err) {
    const writeErrors = (err as { writeErrors?: { code?: number; err?: { code?: number } }[] }).writeErrors;
    const codes = (writeErrors ?? []).map((e) => e.code ?? e.err?.code);
    if (codes.length === 0 || codes.some((c) => c !== 11000)) throw err;
  }
}

/**
 * The sessions of these groups in the programme, read by `_id` through the groups' session lists
 * (sessions/session-lists.ts). A list not known to be complete (written before lists existed) is
 * completed once from a query of those groups' sessions.
 */
async function sessionsOfGroups<T extends { programmeId: unknown; groupId: unknown }>(pid: string, groupIds: readonly string[], projection?: Record<string, 0 | 1>): Promise<T[]> {
  const lists = await readSessionLists(pid, groupIds);
  if (lists.incomplete.length > 0) {
    const found = await Session.find({ programmeId: pid, groupId: { $in: lists.incomplete } }, { _id: 1, groupId: 1 }).lean();
    for (const g of lists.incomplete) {
      const mine = found.filter((f) => String(f.groupId) === g).map((f) => String(f._id));
      await completeSessionList(pid, g, mine);
      lists.ids.set(g, [...new Set([...(lists.ids.get(g) ?? []), ...mine])]);
    }
  }
  const wanted = new Set(groupIds);
  const rows = await findByIds<T>(Session, [...lists.ids.values()].flat(), projection && { ...projection, programmeId: 1, groupId: 1 });
  // A list names its own group's sessions; anything else would be a corrupt list, not data.
  return rows.filter((r) => String(r.programmeId) === pid && wanted.has(String(r.groupId)));
}

async function loadChildren(ids: string[]) {
  const rows = await findByIds<{ _id: unknown; birthYear: number; birthMonth: number; schoolId: unknown }>(Child, ids, { birthYear: 1, birthMonth: 1, schoolId: 1 });
  return rows.map((c) => ({ id: String(c._id), birthYear: c.birthYear, birthMonth: c.birthMonth, schoolId: String(c.schoolId) }));
}

/**
 * Recomputes the summaries of the given groups of a programme and of every child who is or was
 * in them (reading the sessions of all those children's groups in the programme).
 */
export async function recomputeGroupDose(programmeId: Id, groupIds: readonly Id[] | 'all', now = new Date()): Promise<{ children: number; groups: number }> {
  const readAt = new Date();
  const programme = await Programme.findById(programmeId).lean<ProgrammeDoc>();
  if (!programme) {
    // Programme gone: its summaries go too.
    await Promise.all([DoseSummary.deleteMany({ programmeId }), GroupDose.deleteMany({ programmeId }), DoseDirty.deleteMany({ programmeId }), deleteProgrammeRollups(programmeId)]);
    return { children: 0, groups: 0 };
  }
  const pid = String(programme._id);
  const programmeGroupIds = programme.groupIds.map(String);
  const targets = groupIds === 'all' ? programmeGroupIds : [...new Set(groupIds.map(String))];
  noteRecomputeReading(pid, targets, readAt);
  const targetGroups = await findByIds<GroupDoc>(Group, targets, { schoolId: 1, members: 1, version: 1, name: 1, activityCode: 1 });
  // The groups' members, and the children their previous recompute covered: a child taken out of
  // a group since (even by a change nobody told this module about) still has a summary naming it.
  const previous = await findByIds<{ _id: string; childIds?: unknown[] }>(GroupDose, targets.map((g) => `${pid}:${g}`), { childIds: 1 });
  const childIds = new Set([...targetGroups.flatMap((g) => g.members.map((m) => String(m.childId))), ...previous.flatMap((d) => (d.childIds ?? []).map(String))]);
  // Group summaries written before they listed their children: ask the child summaries once.
  const unlisted = previous.filter((d) => d.childIds === undefined).map((d) => d._id.slice(pid.length + 1));
  if (unlisted.length > 0) {
    for (const p of await DoseSummary.find({ programmeId: pid, groupIds: { $in: unlisted } }, { childId: 1 }).lean()) childIds.add(String(p.childId));
  }
  if (groupIds === 'all') {
    // Every child with a summary in the programme: a group may have left it since.
    for (const p of await DoseSummary.find({ programmeId: pid }, { childId: 1 }).lean()) childIds.add(String(p.childId));
  }
  const ids = [...childIds];
  // The programme's other groups these children are in, as their summaries name them (read by
  // `_id`, not by a query over every group). A group a summary does not name yet was changed
  // since that summary was written, so it is dirty (or has no group summary) and its own
  // recompute brings it in: readers recompute such groups first (ensureFreshDose).
  const allGroups = new Map<string, GroupDoc>(targetGroups.map((g) => [String(g._id), g]));
  if (groupIds !== 'all') {
    const inProgramme = new Set(programmeGroupIds);
    const summaries = await findByIds<{ groupIds?: unknown[] }>(DoseSummary, ids.map((c) => `${pid}:${c}`), { groupIds: 1 });
    const others = new Set(summaries.flatMap((sm) => (sm.groupIds ?? []).map(String)).filter((g) => inProgramme.has(g) && !allGroups.has(g)));
    for (const g of await findByIds<GroupDoc>(Group, [...others], { schoolId: 1, members: 1, version: 1 })) allGroups.set(String(g._id), g);
  }
  const [sessions, children] = await Promise.all([sessionsOfGroups<SessionDoc>(pid, [...allGroups.keys()]), loadChildren(ids)]);
  const asOf = schoolToday(now, programme.timeZone);
  const sessionVersions = new Map<string, number>();
  for (const s of sessions) sessionVersions.set(String(s.groupId), (sessionVersions.get(String(s.groupId)) ?? 0) + (s.version ?? 0));
  const inputs: DoseInputs = { programme, groups: [...allGroups.values()], sessions: sessions.map(toDomainSession), children, asOf, sessionVersions };
  const out = computeDoseDocuments(inputs, targetGroups.map((g) => String(g._id)), ids, readAt);
  await writeMonotonic(DoseSummary, out.summaries, readAt);
  await writeMonotonic(GroupDose, out.groupDoses, readAt);
  // Children with no membership left in the programme lose their summary.
  const kept = new Set(out.summaries.map((s) => String(s._id)));
  const gone = ids.map((c) => `${pid}:${c}`).filter((id) => !kept.has(id));
  const goneGroups = targets.filter((g) => !programmeGroupIds.includes(g) || !targetGroups.some((t) => String(t._id) === g)).map((g) => `${pid}:${g}`);
  if (groupIds === 'all') {
    const stale = await GroupDose.find({ programmeId: pid }, { _id: 1 }).lean();
    for (const s of stale) if (!out.groupDoses.some((d) => d._id === s._id)) goneGroups.push(String(s._id));
  }
  await deleteByIds(DoseSummary, gone, { sourceReadAt: { $lt: readAt } });
  await deleteByIds(GroupDose, goneGroups, { sourceReadAt: { $lt: readAt } });
  // The report rollups follow from what was just written (server/modules/rollups).
  await applyGroupDoses(programme, out.groupDoses, targetGroups, goneGroups, groupIds === 'all');
  // Clear dirty marks set before this recompute began reading (a later mark stays).
  await deleteByIds(DoseDirty, targets.map((g) => `${pid}:${g}`), { at: { $lt: readAt } });
  return { children: out.summaries.length, groups: out.groupDoses.length };
}

/** Membership changes touch every programme the group is in. */
export async function markGroupDoseDirty(groupId: Id): Promise<void> {
  const programmes = await Programme.find({ groupIds: groupId }, { _id: 1 }).lean();
  await Promise.all(programmes.map((p) => markDoseDirty(p._id, groupId)));
}

/**
 * Dirty marks this process wrote (key → `at`), and when the latest recompute of each group began
 * reading (key → readAt). A mark still stands while no recompute has begun reading after it: such
 * a recompute clears only marks older than its read, so until then a new change needs no new
 * mark — every recompute that can clear the standing mark reads after the change. Used only where
 * this process is the database's only writer (the embedded FerretDB, see compare-and-set.ts); it
 * spares a register save one write out of five under load.
 */
const standingMarks = new Map<string, number>();
const recomputeReadAt = new Map<string, number>();

function noteRecomputeReading(pid: string, groupIds: readonly string[], readAt: Date): void {
  for (const g of groupIds) {
    const key = `${pid}:${g}`;
    recomputeReadAt.set(key, readAt.getTime());
    if ((standingMarks.get(key) ?? Infinity) < readAt.getTime()) standingMarks.delete(key);
  }
}

/** Marks a group's summaries out of date (one small upsert); call after changing its sessions or members. */
export async function markDoseDirty(programmeId: Id, groupId: Id, at = new Date()): Promise<void> {
  const id = `${programmeId}:${groupId}`;
  const soleWriter = engineTraits().updatesAreReadModifyWrite;
  const standing = standingMarks.get(id);
  if (soleWriter && standing !== undefined && standing > (recomputeReadAt.get(id) ?? -Infinity)) return;
  // `$max` is read-modify-write on FerretDB: marks of one group are serialised (compare-and-set.ts).
  const mark = () => serialisedWrite(DoseDirty, id, () => DoseDirty.updateOne({ _id: id }, { $max: { at }, $setOnInsert: { programmeId, groupId } }, { upsert: true }));
  try {
    await mark();
  } catch (err) {
    // Two saves of the same group upserting at once: one inserts, the other gets a duplicate key
    // (MongoDB and FerretDB both); the document exists now, so the retry is a plain update.
    if (!isDuplicateKeyError(err)) throw err;
    await mark();
  }
  if (soleWriter) standingMarks.set(id, Math.max(standing ?? -Infinity, at.getTime()));
}

// ---------- background recompute, coalesced per programme ----------

/**
 * A background recompute starts this long after the save that asked for it, so a teacher's burst
 * of saves (or many teachers at once) costs one recompute. Readers never wait for it: they
 * recompute dirty groups themselves. Product choice.
 */
export const RECOMPUTE_DELAY_MS = 250;

/**
 * At most this many groups per background recompute. The groups that saves marked meanwhile are
 * recomputed together: the fixed cost of a recompute (a dozen writes, each a commit on the
 * embedded engine) is paid once per batch, not once per group, and a batch stays small enough that
 * its writes never hold the database for long. Product choice, measured in bench/register-save.ts.
 */
export const RECOMPUTE_BATCH_GROUPS = 3;

/**
 * The background recomputes' share of the time while requests keep coming: rounds (of every
 * programme) take turns, and after a round that took t during which requests arrived, the next
 * starts t × (1 / share − 1) later; with no request meanwhile it starts at once. Without it, saves
 * arriving faster than the summaries can be rewritten kept recomputes running back to back, taking
 * the CPU the saves needed on a 2-core server (bench/register-save.ts at 60 saves/s, back to back:
 * p95 0.56–0.74 s without the pause, 0.26–0.36 s with it). Nobody reads stale figures meanwhile:
 * readers recompute the groups still marked dirty before they answer (ensureFreshDose). Product choice.
 */
export const RECOMPUTE_MAX_SHARE = 0.25;

/** The pause before the next background round after one that took `roundMs` while requests came in. */
export function pauseAfterRound(roundMs: number): number {
  return roundMs * (1 / RECOMPUTE_MAX_SHARE - 1);
}

let backgroundTurns: Promise<unknown> = Promise.resolve();
/** Runs a background round when the previous one (of any programme) and its pause are over. */
export function inBackgroundTurn<T>(work: () => Promise<T>): Promise<T> {
  let pauseMs = 0;
  const round = backgroundTurns.then(async () => {
    const [started, requestsBefore] = [performance.now(), foregroundCount()];
    try {
      return await work();
    } finally {
      if (foregroundCount() !== requestsBefore) pauseMs = pauseAfterRound(performance.now() - started);
    }
  });
  const pause = () => (pauseMs > 0 ? new Promise((r) => setTimeout(r, pauseMs)) : undefined);
  backgroundTurns = round.then(pause, pause);
  return round;
}

/** Per programme: groups waiting for the background recompute, and the run working them off. */
const pendingGroups = new Map<string, Set<string>>();
const running = new Map<string, Promise<void>>();
let backgroundLogger: Pick<Logger, 'warn'> | null = null;
export function setDoseLogger(logger: Pick<Logger, 'warn'>): void {
  backgroundLogger = logger;
}
export function doseLogger(): Pick<Logger, 'warn'> | null {
  return backgroundLogger;
}

/**
 * Schedules a recompute of one group after the current request. While a run for the programme is
 * waiting or working, the group joins its queue; each round recomputes up to RECOMPUTE_BATCH_GROUPS
 * queued groups at once, until none are left. Rounds take their turns (inBackgroundTurn).
 */
export function scheduleRecompute(programmeId: Id, groupId: Id): Promise<void> {
  const pid = String(programmeId);
  const pending = pendingGroups.get(pid) ?? new Set<string>();
  pending.add(String(groupId));
  pendingGroups.set(pid, pending);
  const current = running.get(pid);
  if (current) return current;
  const run = (async () => {
    await new Promise((r) => setTimeout(r, RECOMPUTE_DELAY_MS));
    for (;;) {
      // Checked and cleared in one synchronous step: a group queued after this starts a new run.
      if (pending.size === 0) {
        running.delete(pid);
        pendingGroups.delete(pid);
        return;
      }
      const batch = [...pending].slice(0, RECOMPUTE_BATCH_GROUPS);
      for (const g of batch) pending.delete(g);
      try {
        await inBackgroundTurn(() => inProgrammeQueue(pid, () => recomputeGroupDose(pid, batch)));
      } catch (err) {
        // The dirty marks stay, so the next reader recomputes; nothing is lost.
        backgroundLogger?.warn({ err, programmeId: pid, groupIds: batch }, 'dose recompute failed');
        pending.clear();
      }
    }
  })();
  running.set(pid, run);
  return run;
}

/** Resolves when no background recompute is running in this process (tests, benchmarks). */
export async function doseIdle(): Promise<void> {
  while (running.size > 0) await Promise.all([...running.values()]);
}

/**
 * Brings the summaries of a programme up to date before a read: groups that are dirty, have no
 * summary yet, or were computed for an earlier day (projections and "unrecorded" counts change
 * with the date) are recomputed now.
 */
/**
 * Up to this many groups (one or two schools), a reader also compares each summary's stamp with the sessions (one
 * $group over the programme's sessions), catching changes by modules that did not mark the group
 * dirty. Larger (county-scale) programmes rely on the dirty marks and the daily date check, so the
 * report stays O(groups). Product choice, measured in bench/county-report.ts.
 */
export const STAMP_CHECK_MAX_GROUPS = 20;

/**
 * Recomputing rewrites a group's summaries (delete, then insert), so the recomputes of one
 * programme — background ones after saves and the readers' check-and-recompute — run one after
 * another in this process, and readers of one programme (the dashboard asks for its report and
 * its child table at once) share one check. No reader here sees a group half-written.
 */
const programmeQueues = new Map<string, Promise<unknown>>();
function inProgrammeQueue<T>(pid: string, work: () => Promise<T>): Promise<T> {
  const next = (programmeQueues.get(pid) ?? Promise.resolve()).then(work);
  const tail = next.catch(() => undefined);
  programmeQueues.set(pid, tail);
  void tail.then(() => {
    if (programmeQueues.get(pid) === tail) programmeQueues.delete(pid);
  });
  return next;
}

const freshening = new Map<string, Promise<boolean>>();

/** What a freshness check needs to know of each group summary of the programme. */
export interface GroupDoseState {
  _id: string;
  asOf: string;
  sourceReadAt: Date;
  stamp?: unknown;
}

/**
 * Resolves to true when it recomputed something. `known`: the group summaries' states as the
 * caller already read them (the rollups carry them), instead of reading every group summary.
 */
export function ensureFreshDose(programme: Pick<ProgrammeDoc, '_id' | 'groupIds' | 'timeZone'> & { version?: number }, now = new Date(), known?: readonly GroupDoseState[]): Promise<boolean> {
  const pid = String(programme._id);
  const shared = freshening.get(pid);
  if (shared) return shared;
  const run = inProgrammeQueue(pid, () => freshenDose(programme, now, known)).finally(() => freshening.delete(pid));
  freshening.set(pid, run);
  return run;
}

async function freshenDose(programme: Pick<ProgrammeDoc, '_id' | 'groupIds' | 'timeZone'> & { version?: number }, now: Date, known?: readonly GroupDoseState[]): Promise<boolean> {
  const pid = String(programme._id);
  const asOf = schoolToday(now, programme.timeZone);
  const [docs, dirty] = await Promise.all([
    known ?? GroupDose.find({ programmeId: pid }, { asOf: 1, sourceReadAt: 1, stamp: 1 }).lean<GroupDoseState[]>(),
    DoseDirty.find({ programmeId: pid }).lean(),
  ]);
  const have = new Map(docs.map((d) => [String(d._id), d]));
  const stale = new Set<string>();
  for (const g of programme.groupIds.map(String)) {
    const doc = have.get(`${pid}:${g}`);
    if (!doc || doc.asOf !== asOf) stale.add(g);
  }
  for (const d of dirty) {
    const doc = have.get(String(d._id));
    if (!doc || doc.sourceReadAt < d.at) stale.add(String(d.groupId));
  }
  if (programme.groupIds.length <= STAMP_CHECK_MAX_GROUPS) {
    // A find with a projection, not a $group: FerretDB 1.24 runs $group in Go over whole decoded
    // documents; with a $group here the county benchmark's report took 45 s for 100 groups.
    const [rows, groups] = await Promise.all([
      sessionsOfGroups<{ programmeId: unknown; groupId: unknown; version?: number }>(pid, programme.groupIds.map(String), { version: 1 }),
      findByIds<{ _id: unknown; version?: number }>(Group, programme.groupIds, { version: 1 }),
    ]);
    const counts = new Map<string, { n: number; v: number }>();
    for (const r of rows) {
      const c = counts.get(String(r.groupId)) ?? { n: 0, v: 0 };
      c.n++;
      c.v += r.version ?? 0;
      counts.set(String(r.groupId), c);
    }
    const byGroup = counts;
    const groupVersion = new Map(groups.map((g) => [String(g._id), g.version ?? 0]));
    for (const g of programme.groupIds.map(String)) {
      const stamp = have.get(`${pid}:${g}`)?.stamp as { sessions: number; sessionVersions: number; group: number; programme: number } | null | undefined;
      if (!stamp) continue;
      const c = byGroup.get(g);
      if (stamp.sessions !== (c?.n ?? 0) || stamp.sessionVersions !== (c?.v ?? 0) || stamp.group !== groupVersion.get(g) || stamp.programme !== (programme.version ?? 0)) {
        stale.add(g);
      }
    }
  }
  // A summary of a group no longer in the programme goes with a full recompute.
  const inProgramme = new Set(programme.groupIds.map(String)); // a Set: O(groups), not O(groups²) at county scale
  const orphan = docs.some((d) => !inProgramme.has(String(d._id).split(':')[1] ?? ''));
  if (orphan) {
    await recomputeGroupDose(pid, 'all', now);
    return true;
  }
  if (stale.size > 0) await recomputeGroupDose(pid, [...stale], now);
  return stale.size > 0;
}

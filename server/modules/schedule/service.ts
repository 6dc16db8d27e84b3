// Recurring schedule of a programme: sessions generated from the weekly pattern in each group's
// school time zone, and the per-occurrence changes a PE teacher makes by hand (cancel, reschedule,
// restore, add an extra session). Saving a register (status → held) belongs to the sessions
// module; this module only reads the fields that tell a logged session apart.
import mongoose from 'mongoose';
import type { CancelSessionInput, ExtraSessionInput, RescheduleSessionInput, ScheduleQuery } from '../../../shared/schemas/programmes-api.ts';
import {
  DEFAULT_SCHOOL_TIME_ZONE,
  generateOccurrences,
  isHandEdited,
  isLogged,
  occurrenceInstant,
  planScheduleSync,
  programmeEndDate,
  type StoredOccurrence,
} from '../../../shared/domain/schedule.ts';
import { AppError, conflict, forbidden, isDuplicateKeyError, notFound, versionConflict } from '../../lib/errors.ts';
import { authorizeProgramme, authorizeSchool, schoolScope, type Actor } from '../../lib/policy.ts';
import { recordAudit } from '../audit/service.ts';
import { Group, type GroupDoc } from '../groups/model.ts';
import { Programme, type ProgrammeDoc } from '../programmes/model.ts';
import { School } from '../schools/model.ts';
import { Session, type SessionDoc } from '../sessions/model.ts';
import { completeSessionList, readSessionLists, removeFromSessionList } from '../sessions/session-lists.ts';
import { compareAndDelete, compareAndSet } from '../../db/compare-and-set.ts';
import { markDoseDirty } from '../dose/service.ts';

export async function schoolTimeZones(schoolIds: readonly (string | mongoose.Types.ObjectId)[]): Promise<Map<string, string>> {
  const schools = await School.find({ _id: { $in: schoolIds } }).lean();
  return new Map(schools.map((s) => [String(s._id), s.timeZone || DEFAULT_SCHOOL_TIME_ZONE]));
}

function toStored(s: SessionDoc): StoredOccurrence {
  return {
    id: String(s._id),
    date: s.date,
    startTime: s.startTime,
    plannedMinutes: s.plannedMinutes,
    status: s.status,
    origin: s.origin,
    rescheduledFrom: s.rescheduledFrom ?? null,
    // A register or log saved without the status flip still counts as logged.
    logged: s.loggedAt != null || (s.register?.length ?? 0) > 0 || (s.activityBlocks?.length ?? 0) > 0,
  };
}

export function toScheduleSessionJson(s: SessionDoc, timeZone: string = DEFAULT_SCHOOL_TIME_ZONE) {
  const stored = toStored(s);
  return {
    id: stored.id,
    programmeId: String(s.programmeId),
    groupId: String(s.groupId),
    schoolId: String(s.schoolId),
    date: s.date,
    startTime: s.startTime,
    plannedMinutes: s.plannedMinutes,
    startsAt: occurrenceInstant(s.date, s.startTime, timeZone).toISOString(),
    status: s.status,
    origin: s.origin,
    rescheduledFrom: s.rescheduledFrom ?? null,
    cancelReason: s.cancelReason ?? null,
    handEdited: isHandEdited(stored),
    logged: isLogged(stored),
    registerCount: s.register?.length ?? 0,
    version: s.version,
    updatedAt: s.updatedAt.toISOString(),
  };
}
export type ScheduleSessionJson = ReturnType<typeof toScheduleSessionJson>;

// ---------------------------------------------------------------- generation

/** Longest a generation may hold its lease; it takes well under a second. */
const LOCK_MS = 30_000;

// One generation per programme at a time. The lease is claimed by inserting a document whose _id
// is the programme id: a duplicate-key error on insert is atomic on MongoDB and FerretDB alike
// (DESIGN §2 rule 7), where a conditional update is read-modify-write on SQLite FerretDB.
const scheduleLockSchema = new mongoose.Schema({ _id: { type: String, required: true }, until: { type: Date, required: true } }, { versionKey: false });
export const ScheduleLock = mongoose.model('ScheduleLock', scheduleLockSchema, 'schedule_locks');

async function withScheduleLock<T>(programmeId: mongoose.Types.ObjectId, work: () => Promise<T>): Promise<T> {
  const id = String(programmeId);
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      await ScheduleLock.create({ _id: id, until: new Date(Date.now() + LOCK_MS) });
      break;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      // A lease left by a crashed process expires; taking it over is again an insert race.
      const held = await ScheduleLock.findById(id).lean();
      if (held && held.until.getTime() < Date.now()) await compareAndDelete(ScheduleLock, id, { until: held.until });
      else if (Date.now() > deadline) throw conflict('schedule_busy', 'The schedule of this programme is being generated right now. Try again in a moment.');
      else await new Promise((r) => setTimeout(r, 25));
    }
  }
  try {
    return await work();
  } finally {
    await ScheduleLock.deleteOne({ _id: id });
  }
}

export interface ScheduleSummary {
  created: number;
  updated: number;
  removed: number;
  kept: number;
}

/**
 * Brings every group's sessions in line with the programme's pattern (idempotent): see
 * planScheduleSync for what may change. Writes are conditional on the session's version, so a
 * register saved at the same moment is never overwritten; that session is simply left alone.
 */
export async function syncProgrammeSchedule(programmeId: mongoose.Types.ObjectId, now = new Date()): Promise<ScheduleSummary> {
  return withScheduleLock(programmeId, async () => {
    const programme = await Programme.findById(programmeId).lean<ProgrammeDoc>();
    if (!programme) throw notFound('The programme');
    const zones = await schoolTimeZones(programme.schoolIds);
    const groups = await Group.find({ _id: { $in: programme.groupIds } }).lean<GroupDoc[]>();
    const summary: ScheduleSummary = { created: 0, updated: 0, removed: 0, kept: 0 };
    const sessions = await Session.find({ programmeId }).lean<SessionDoc[]>();
    const byGroup = new Map<string, SessionDoc[]>();
    for (const s of sessions) {
      const list = byGroup.get(String(s.groupId)) ?? [];
      list.push(s);
      byGroup.set(String(s.groupId), list);
    }
    const pattern = {
      startDate: programme.startDate,
      plannedWeeks: programme.plannedWeeks,
      weeklyPattern: programme.weeklyPattern,
      exclusionDates: programme.exclusionDates,
    };
    const activeGroups = new Map(groups.map((g) => [String(g._id), g]));
    const groupIds = new Set([...activeGroups.keys(), ...byGroup.keys()]);
    // The query above saw every session of these groups: lists not yet known complete become so
    // (sessions created from here on are added to the lists by the model's hooks).
    const { incomplete } = await readSessionLists(programmeId, [...groupIds]);
    for (const groupId of incomplete) await completeSessionList(programmeId, groupId, (byGroup.get(groupId) ?? []).map((s) => s._id));
    for (const groupId of groupIds) {
      const group = activeGroups.get(groupId);
      const existing = byGroup.get(groupId) ?? [];
      const schoolId = group ? String(group.schoolId) : String(existing[0]?.schoolId);
      const timeZone = zones.get(schoolId) ?? DEFAULT_SCHOOL_TIME_ZONE;
      // A group taken out of the programme keeps only what must stay (held, hand-edited, past).
      const desired = group ? generateOccurrences(pattern, timeZone) : [];
      const plan = planScheduleSync({
        desired,
        existing: existing.map(toStored),
        now,
        timeZone,
        firstGeneration: existing.filter((s) => s.origin === 'pattern').length === 0,
      });
      const docs = new Map(existing.map((s) => [String(s._id), s]));
      if (plan.create.length > 0 && group) {
        await Session.insertMany(
          plan.create.map((o) => ({
            programmeId,
            groupId: group._id,
            schoolId: group.schoolId,
            date: o.date,
            startTime: o.startTime,
            plannedMinutes: o.minutes,
            status: 'scheduled',
            origin: 'pattern',
          })),
        );
        summary.created += plan.create.length;
      }
      for (const u of plan.update) {
        const doc = docs.get(u.id)!;
        const updated = await compareAndSet<SessionDoc>(
          Session,
          doc._id,
          { version: doc.version, status: 'scheduled', loggedAt: null },
          { $set: { startTime: u.startTime, plannedMinutes: u.plannedMinutes }, $inc: { version: 1 } },
        );
        if (updated) summary.updated++;
      }
      const removedIds: mongoose.Types.ObjectId[] = [];
      for (const id of plan.remove) {
        const doc = docs.get(id)!;
        const removed = await compareAndDelete(Session, doc._id, { version: doc.version, status: 'scheduled', origin: 'pattern', loggedAt: null });
        if (removed) removedIds.push(doc._id);
      }
      summary.removed += removedIds.length;
      await removeFromSessionList(programmeId, groupId, removedIds);
      summary.kept += plan.keep.length;
    }
    if (summary.created + summary.updated + summary.removed > 0) {
      await Promise.all([...groupIds].map((groupId) => markDoseDirty(programmeId, groupId)));
    }
    return summary;
  });
}

export async function generateSchedule(actor: Actor, programmeId: string) {
  const programme = await Programme.findById(programmeId).lean<ProgrammeDoc>();
  if (!programme) throw notFound('The programme');
  authorizeProgramme(actor, 'programme:write', programme, 'all');
  const summary = await syncProgrammeSchedule(programme._id);
  if (summary.created + summary.updated + summary.removed > 0) {
    await recordAudit({ actor, action: 'update', entity: 'schedule', entityId: programmeId, schoolId: String(programme.schoolIds[0]), meta: summary });
  }
  return summary;
}

// ---------------------------------------------------------------- reading

export async function listSchedule(actor: Actor, query: ScheduleQuery) {
  const programme = await Programme.findById(query.programmeId).lean<ProgrammeDoc>();
  if (!programme) throw notFound('The programme');
  // Reading needs one of the programme's schools; only the reachable schools' sessions are listed.
  authorizeProgramme(actor, 'session:read', programme, 'any');
  const zones = await schoolTimeZones(programme.schoolIds);
  const filter: Record<string, unknown> = { programmeId: programme._id };
  const scope = schoolScope(actor);
  if (scope !== 'all') filter.schoolId = { $in: scope };
  if (query.groupId) filter.groupId = query.groupId;
  if (query.from || query.to) filter.date = { ...(query.from ? { $gte: query.from } : {}), ...(query.to ? { $lte: query.to } : {}) };
  const sessions = await Session.find(filter).sort({ date: 1, startTime: 1 }).lean<SessionDoc[]>();
  const groupIds = [...new Set([...programme.groupIds.map(String), ...sessions.map((s) => String(s.groupId))])];
  const groups = (await Group.find({ _id: { $in: groupIds } }).lean<GroupDoc[]>()).filter(
    (g) => scope === 'all' || scope.includes(String(g.schoolId)),
  );
  const firstZone = zones.get(String(programme.schoolIds[0])) ?? DEFAULT_SCHOOL_TIME_ZONE;
  return {
    programme: {
      id: String(programme._id),
      name: programme.name,
      startDate: programme.startDate,
      endDate: programmeEndDate(programme.startDate, programme.plannedWeeks, firstZone),
      plannedWeeks: programme.plannedWeeks,
      exclusionDates: programme.exclusionDates,
      timeZone: firstZone,
      version: programme.version,
    },
    groups: groups.map((g) => ({
      id: String(g._id),
      name: g.name,
      schoolId: String(g.schoolId),
      inProgramme: programme.groupIds.some((id) => String(id) === String(g._id)),
    })),
    items: sessions.map((s) => toScheduleSessionJson(s, zones.get(String(s.schoolId)) ?? DEFAULT_SCHOOL_TIME_ZONE)),
  };
}

// ---------------------------------------------------------------- per-occurrence edits

async function loadSessionFor(actor: Actor, id: string) {
  const session = await Session.findById(id).lean<SessionDoc>();
  if (!session) throw notFound('The session');
  // A session belongs to one group of one school: its school's teachers manage it, even when the
  // programme spans other schools too.
  authorizeSchool(actor, 'programme:write', String(session.schoolId));
  const zones = await schoolTimeZones([session.schoolId]);
  return { session, timeZone: zones.get(String(session.schoolId)) ?? DEFAULT_SCHOOL_TIME_ZONE };
}

function assertNotLogged(session: SessionDoc): void {
  if (isLogged(toStored(session))) {
    throw conflict('session_logged', 'This session has been held and logged; it can no longer be cancelled or moved.');
  }
}

/** Another live session of the group at the same date and time would be a double booking. */
async function assertSlotFree(groupId: mongoose.Types.ObjectId, date: string, startTime: string, exceptId?: mongoose.Types.ObjectId) {
  const clash = await Session.findOne({ groupId, date, startTime, status: { $ne: 'cancelled' }, ...(exceptId ? { _id: { $ne: exceptId } } : {}) }).lean();
  if (clash) throw conflict('slot_taken', `The group already has a session on ${date} at ${startTime}.`);
}

/** Conditional write on { _id, version }; a stale version gets 409 with the current session. */
async function writeSession(session: SessionDoc, timeZone: string, set: Record<string, unknown>, extraFilter: Record<string, string | null>) {
  const updated = await compareAndSet<SessionDoc>(Session, session._id, { version: session.version, ...extraFilter }, { $set: set, $inc: { version: 1 } });
  if (updated) {
    // Cancelled, restored or moved sessions change what was scheduled for each child.
    await markDoseDirty(updated.programmeId, updated.groupId);
    return updated;
  }
  const current = await Session.findById(session._id).lean<SessionDoc>();
  if (!current) throw notFound('The session');
  if (current.version !== session.version) throw versionConflict(toScheduleSessionJson(current, timeZone));
  throw conflict('session_changed', 'This session can no longer be changed this way.', { current: toScheduleSessionJson(current, timeZone) });
}

export async function cancelSession(actor: Actor, id: string, input: CancelSessionInput) {
  const { session, timeZone } = await loadSessionFor(actor, id);
  if (session.version !== input.version) throw versionConflict(toScheduleSessionJson(session, timeZone));
  assertNotLogged(session);
  if (session.status !== 'scheduled') throw conflict('session_not_scheduled', 'Only a scheduled session can be cancelled.');
  const updated = await writeSession(session, timeZone, { status: 'cancelled', cancelReason: input.reason }, { status: 'scheduled', loggedAt: null });
  const json = toScheduleSessionJson(updated, timeZone);
  await recordAudit({ actor, action: 'update', entity: 'session', entityId: id, schoolId: String(session.schoolId), before: toScheduleSessionJson(session, timeZone), after: json, meta: { change: 'cancel' } });
  return json;
}

export async function restoreSession(actor: Actor, id: string, input: { version: number }) {
  const { session, timeZone } = await loadSessionFor(actor, id);
  if (session.version !== input.version) throw versionConflict(toScheduleSessionJson(session, timeZone));
  if (session.status !== 'cancelled') throw conflict('session_not_cancelled', 'Only a cancelled session can be restored.');
  await assertSlotFree(session.groupId, session.date, session.startTime, session._id);
  const updated = await writeSession(session, timeZone, { status: 'scheduled', cancelReason: null }, { status: 'cancelled' });
  const json = toScheduleSessionJson(updated, timeZone);
  await recordAudit({ actor, action: 'update', entity: 'session', entityId: id, schoolId: String(session.schoolId), before: toScheduleSessionJson(session, timeZone), after: json, meta: { change: 'restore' } });
  return json;
}

export async function rescheduleSession(actor: Actor, id: string, input: RescheduleSessionInput) {
  const { session, timeZone } = await loadSessionFor(actor, id);
  if (session.version !== input.version) throw versionConflict(toScheduleSessionJson(session, timeZone));
  assertNotLogged(session);
  if (session.status !== 'scheduled') throw conflict('session_not_scheduled', 'Only a scheduled session can be rescheduled; restore it first.');
  await assertSlotFree(session.groupId, input.date, input.startTime, session._id);
  const set: Record<string, unknown> = {
    date: input.date,
    startTime: input.startTime,
    // The first planned date is kept through several moves: it is the occurrence this session stands for.
    rescheduledFrom: session.rescheduledFrom ?? session.date,
  };
  if (input.plannedMinutes !== undefined) set.plannedMinutes = input.plannedMinutes;
  const updated = await writeSession(session, timeZone, set, { status: 'scheduled', loggedAt: null });
  const json = toScheduleSessionJson(updated, timeZone);
  await recordAudit({ actor, action: 'update', entity: 'session', entityId: id, schoolId: String(session.schoolId), before: toScheduleSessionJson(session, timeZone), after: json, meta: { change: 'reschedule' } });
  return json;
}

export async function addExtraSession(actor: Actor, input: ExtraSessionInput) {
  const programme = await Programme.findById(input.programmeId).lean<ProgrammeDoc>();
  if (!programme) throw notFound('The programme');
  authorizeProgramme(actor, 'programme:write', programme, 'any');
  const group = await Group.findById(input.groupId).lean<GroupDoc>();
  if (!group) throw notFound('The group');
  if (!programme.groupIds.some((g) => String(g) === String(group._id))) {
    throw new AppError(400, 'group_not_in_programme', 'This group is not part of the programme; add it to the programme first.');
  }
  authorizeSchool(actor, 'programme:write', String(group.schoolId));
  await assertSlotFree(group._id, input.date, input.startTime);
  const created = await Session.create({
    programmeId: programme._id,
    groupId: group._id,
    schoolId: group.schoolId,
    date: input.date,
    startTime: input.startTime,
    plannedMinutes: input.plannedMinutes,
    status: 'scheduled',
    origin: 'extra',
  });
  await markDoseDirty(programme._id, group._id);
  const zones = await schoolTimeZones([group.schoolId]);
  const json = toScheduleSessionJson(created.toObject() as SessionDoc, zones.get(String(group.schoolId)) ?? DEFAULT_SCHOOL_TIME_ZONE);
  await recordAudit({ actor, action: 'create', entity: 'session', entityId: json.id, schoolId: json.schoolId, after: json, meta: { change: 'extra' } });
  return json;
}

// The session log and attendance register: a PE teacher saves what happened in one held session
// (start, activity blocks with intensity, notes) and who came. One save = one conditional write of
// the session document with its embedded register (atomic by design, shared/DESIGN.md §2); the
// body carries the version the teacher edited, so a stale save gets 409 with the current session
// and nothing is silently overwritten. Retries carry the same Idempotency-Key and never double.
import mongoose from 'mongoose';
import { findActivity } from '../../../shared/domain/activities.ts';
import { schoolToday } from '../../../shared/domain/dates.ts';
import type { ListSessionsQuery, SaveSessionLogInput } from '../../../shared/schemas/register.ts';
import { AppError, badRequest, notFound, versionConflict } from '../../lib/errors.ts';
import { writtenBy } from '../../lib/idempotency.ts';
import { authorizeSchool, hasPermission, schoolScope, type Actor } from '../../lib/policy.ts';
import { recordAudit } from '../audit/service.ts';
import { Child } from '../children/model.ts';
import { doseLogger, markDoseDirty, scheduleRecompute, toDomainSession } from '../dose/service.ts';
import { Group, type GroupDoc } from '../groups/model.ts';
import { Programme, type ProgrammeDoc } from '../programmes/model.ts';
import { Session, type SessionDoc } from './model.ts';
import { compareAndSetStored } from '../../db/compare-and-set.ts';
import { cachedById } from '../../db/sole-writer-cache.ts';

export function toSessionJson(s: SessionDoc) {
  // Blocks and register as the domain reads them (ids as strings, unset measures left out).
  const { activityBlocks, register } = toDomainSession(s);
  return {
    id: String(s._id),
    programmeId: String(s.programmeId),
    groupId: String(s.groupId),
    schoolId: String(s.schoolId),
    date: s.date,
    startTime: s.startTime,
    plannedMinutes: s.plannedMinutes,
    status: s.status,
    origin: s.origin,
    rescheduledFrom: s.rescheduledFrom ?? null,
    cancelReason: s.cancelReason ?? null,
    actualStart: s.actualStart ?? null,
    activityBlocks,
    register,
    notes: s.notes ?? '',
    loggedBy: s.loggedBy ? String(s.loggedBy) : null,
    loggedAt: s.loggedAt ? new Date(s.loggedAt).toISOString() : null,
    version: s.version,
    updatedAt: s.updatedAt ? new Date(s.updatedAt).toISOString() : null,
  };
}
export type SessionJson = ReturnType<typeof toSessionJson>;

/** Members of a group on a date: joined on or before it and not left before it (leftOn inclusive). */
export function membersOn(group: Pick<GroupDoc, 'members'>, date: string): string[] {
  return group.members.filter((m) => m.joinedOn <= date && (!m.leftOn || m.leftOn >= date)).map((m) => String(m.childId));
}

async function loadSession(id: string): Promise<SessionDoc> {
  const session = await Session.findById(id).lean<SessionDoc>();
  if (!session) throw notFound('The session');
  return session;
}

export async function listSessions(actor: Actor, query: ListSessionsQuery) {
  const scope = schoolScope(actor);
  const filter: Record<string, unknown> = {};
  if (scope !== 'all') filter.schoolId = { $in: scope };
  if (query.groupId) filter.groupId = query.groupId;
  if (query.programmeId) filter.programmeId = query.programmeId;
  if (query.status) filter.status = query.status;
  if (query.from || query.to) filter.date = { ...(query.from ? { $gte: query.from } : {}), ...(query.to ? { $lte: query.to } : {}) };
  const sessions = await Session.find(filter).sort({ date: 1, startTime: 1 }).limit(1000).lean<SessionDoc[]>();
  const groupIds = [...new Set(sessions.map((s) => String(s.groupId)))];
  const groups = await Group.find({ _id: { $in: groupIds } }, { name: 1 }).lean();
  const names = new Map(groups.map((g) => [String(g._id), g.name]));
  return {
    items: sessions.map((s) => {
      const { register, ...rest } = toSessionJson(s);
      return {
        ...rest,
        groupName: names.get(String(s.groupId)) ?? '',
        marks: register.length,
        attended: register.filter((r) => r.status === 'present' || r.status === 'late').length,
      };
    }),
  };
}

/** The session with what the register view needs: the group's members on that date, with names. */
export async function getSessionForRegister(actor: Actor, id: string) {
  const session = await loadSession(id);
  authorizeSchool(actor, 'session:read', String(session.schoolId));
  const [group, programme] = await Promise.all([
    Group.findById(session.groupId).lean<GroupDoc>(),
    Programme.findById(session.programmeId, { name: 1, timeZone: 1, activityBlocks: 1 }).lean<ProgrammeDoc>(),
  ]);
  const memberIds = group ? membersOn(group, session.date) : [];
  // Children already in the register stay visible even if their membership changed since.
  const ids = [...new Set([...memberIds, ...session.register.map((r) => String(r.childId))])];
  const withNames = hasPermission(actor, 'child:read');
  const children = await Child.find({ _id: { $in: ids } }, { code: 1, displayName: 1 }).lean();
  const byId = new Map(children.map((c) => [String(c._id), c]));
  return {
    session: toSessionJson(session),
    group: group ? { id: String(group._id), name: group.name, activityCode: group.activityCode } : null,
    programme: programme
      ? { id: String(programme._id), name: programme.name, plannedBlocks: programme.activityBlocks.map((b) => ({ activityCode: b.activityCode, minutes: b.minutes, targetIntensity: b.targetIntensity })) }
      : null,
    roster: ids
      .map((cid) => {
        const c = byId.get(cid);
        return { childId: cid, code: c?.code ?? '', ...(withNames ? { displayName: c?.displayName ?? '' } : {}), member: memberIds.includes(cid) };
      })
      .sort((a, b) => (a.displayName ?? a.code).localeCompare(b.displayName ?? b.code, 'zh-CN', { numeric: true })),
  };
}

function validateAgainstSession(session: SessionDoc, group: GroupDoc | null, programme: ProgrammeDoc | null, input: SaveSessionLogInput, now: Date) {
  if (session.status === 'cancelled') {
    throw new AppError(409, 'session_cancelled', 'This session was cancelled. Restore it in the schedule before logging it.');
  }
  const today = schoolToday(now, programme?.timeZone ?? 'Asia/Shanghai');
  if (session.date > today) {
    throw badRequest('session_in_future', `This session is on ${session.date}; it can be logged on or after that day.`);
  }
  const unknown = input.activityBlocks.filter((b) => !findActivity(b.activityCode));
  if (unknown.length > 0) {
    throw badRequest('unknown_activity', `Unknown activity code(s): ${unknown.map((b) => b.activityCode).join(', ')}.`, {
      codes: unknown.map((b) => b.activityCode),
    });
  }
  // Only ADDING a non-member is refused (issue 9): a child already in the stored register stays
  // editable there even if their leave date was later set (or backdated) before this session, so
  // re-saving a register as shown is always accepted.
  const allowed = new Set([...(group ? membersOn(group, session.date) : []), ...session.register.map((r) => String(r.childId))]);
  const strangers = input.register.filter((r) => !allowed.has(r.childId)).map((r) => r.childId);
  if (strangers.length > 0) {
    throw badRequest(
      'not_a_member',
      `${strangers.length} child(ren) in the register were not members of the group on ${session.date}. Only members on that date can be added to the register.`,
      { childIds: strangers },
    );
  }
}

/**
 * A register save's update, every value in its stored type (model.ts) and `updatedAt` as the
 * schema's timestamps would set it, for compareAndSetStored. The input is validated
 * (saveSessionLogSchema: strict objects), so the entries carry only the schema's fields.
 */
export function registerSaveUpdate(actor: Pick<Actor, 'id'>, input: SaveSessionLogInput, now: Date, requestId?: string) {
  return {
    $set: {
      status: 'held',
      actualStart: input.actualStart,
      activityBlocks: input.activityBlocks.map((b) => ({ ...b })),
      register: input.register.map((r) => ({ ...r, childId: new mongoose.Types.ObjectId(r.childId) })),
      notes: input.notes,
      loggedBy: new mongoose.Types.ObjectId(actor.id),
      loggedAt: now,
      lastRequestId: requestId ?? null,
      updatedAt: now,
    },
    $inc: { version: 1 },
  };
}

/**
 * Saves the log and register of a held session (one conditional write), then the audit and dose.
 * `requestId` (idempotent retries) is stored with the write: a retry after a crash that finds its
 * own save answers it instead of a version conflict.
 */
export async function saveSessionLog(actor: Actor, id: string, input: SaveSessionLogInput, now = new Date(), requestId?: string) {
  const before = await loadSession(id);
  authorizeSchool(actor, 'session:write', String(before.schoolId));
  if (writtenBy(before, requestId)) return toSessionJson(before);
  // Remembered on the embedded engine (db/sole-writer-cache.ts); any write to them forgets them.
  const [group, programme] = await Promise.all([
    cachedById(Group, before.groupId, () => Group.findById(before.groupId).lean<GroupDoc>()),
    cachedById(Programme, before.programmeId, () => Programme.findById(before.programmeId).lean<ProgrammeDoc>()),
  ]);
  if (before.version !== input.version) throw versionConflict(toSessionJson(before));
  validateAgainstSession(before, group, programme, input, now);

  const updated = await compareAndSetStored<SessionDoc>(Session, new mongoose.Types.ObjectId(id), { version: input.version }, registerSaveUpdate(actor, input, now, requestId));
  if (!updated) {
    const current = await Session.findById(id).lean<SessionDoc>();
    if (!current) throw notFound('The session');
    if (writtenBy(current, requestId)) return toSessionJson(current);
    throw versionConflict(toSessionJson(current));
  }
  const json = toSessionJson(updated);
  await recordAudit({
    actor,
    action: 'update',
    entity: 'session',
    entityId: id,
    schoolId: String(updated.schoolId),
    before: toSessionJson(before),
    after: json,
    meta: { kind: 'register-save' },
  });
  // The register is saved: nothing after this point may turn the answer into an error (the phone
  // would retry, get 409 and think the save was lost). A failed dirty mark is logged; the
  // background recompute below still runs.
  try {
    await markDoseDirty(updated.programmeId, updated.groupId);
  } catch (err) {
    doseLogger()?.warn({ err, sessionId: id }, 'could not mark dose summaries dirty');
  }
  void scheduleRecompute(updated.programmeId, updated.groupId);
  return json;
}

// Sports groups of a school: coaches (PE-teacher users of that school) and members with join and
// leave dates. Members are embedded; every membership change rewrites the whole array in one
// conditional update on { _id, version } (no positional updates: shared/DESIGN.md §2 rule 1).
// Rejoining after leaving adds a new entry, so the history of who belonged when is kept for the
// registers and dose of past sessions.
import mongoose from 'mongoose';
import { findActivity } from '../../../shared/domain/activities.ts';
import { schoolToday } from '../../../shared/domain/dates.ts';
import { rosterLimits, type AddMembersInput, type CreateGroupInput, type EndMembershipInput, type GroupListQuery, type UpdateGroupInput } from '../../../shared/schemas/roster.ts';
import { badRequest, conflict, notFound, versionConflict } from '../../lib/errors.ts';
import { authorizeSchool, hasPermission, schoolScope, type Actor } from '../../lib/policy.ts';
import { recordAudit } from '../audit/service.ts';
import { Child, type ChildDoc } from '../children/model.ts';
import { Programme } from '../programmes/model.ts';
import { School, type SchoolDoc } from '../schools/model.ts';
import { Session } from '../sessions/model.ts';
import { User, type UserDoc } from '../users/model.ts';
import { Group, type GroupDoc } from './model.ts';
import { compareAndDelete, compareAndSet } from '../../db/compare-and-set.ts';
import { requireDeleteVersion } from '../../lib/delete-version.ts';
import { markGroupDoseDirty } from '../dose/service.ts';

type Member = { childId: mongoose.Types.ObjectId; joinedOn: string; leftOn: string | null };

export function toGroupJson(group: GroupDoc) {
  const members = (group.members as Member[]).map((m) => ({ childId: String(m.childId), joinedOn: m.joinedOn, leftOn: m.leftOn ?? null }));
  return {
    id: String(group._id),
    schoolId: String(group.schoolId),
    name: group.name,
    activityCode: group.activityCode,
    coachIds: group.coachIds.map(String),
    members,
    version: group.version ?? 0,
    createdAt: group.createdAt.toISOString(),
    updatedAt: group.updatedAt.toISOString(),
  };
}

/** A membership is current on `day` when it has started and not ended. */
const isCurrent = (m: { joinedOn: string; leftOn: string | null }, day: string) => m.joinedOn <= day && (m.leftOn === null || m.leftOn >= day);
const isOpen = (m: Member) => m.leftOn === null;

async function loadSchool(schoolId: string): Promise<SchoolDoc> {
  const school = await School.findById(schoolId).lean<SchoolDoc>();
  if (!school) throw badRequest('unknown_school', 'The school does not exist.');
  return school;
}

async function findGroup(id: string): Promise<GroupDoc> {
  const group = await Group.findById(id).lean<GroupDoc>();
  if (!group) throw notFound('The group');
  return group;
}

/** Coaches must be active PE-teacher accounts of the group's school. */
async function assertCoaches(schoolId: string, coachIds: readonly string[]): Promise<void> {
  if (coachIds.length === 0) return;
  const users = await User.find({ _id: { $in: coachIds } }).lean<UserDoc[]>();
  for (const id of coachIds) {
    const user = users.find((u) => String(u._id) === id);
    if (!user) throw badRequest('invalid_coach', `coachIds: no user ${id}.`, [{ path: 'coachIds', message: 'unknown user' }]);
    if (user.role !== 'pe_teacher' || !user.active || !user.schoolIds.map(String).includes(schoolId)) {
      throw badRequest('invalid_coach', `coachIds: ${user.displayName} is not an active PE teacher of this school.`, [
        { path: 'coachIds', message: 'not an active PE teacher of this school' },
      ]);
    }
  }
}

/** PE teachers of a school (for the coach picker): id and display name only. */
export async function listCoaches(actor: Actor, schoolId: string) {
  authorizeSchool(actor, 'group:read', schoolId);
  const users = await User.find({ role: 'pe_teacher', active: true, schoolIds: new mongoose.Types.ObjectId(schoolId) })
    .sort({ displayName: 1 })
    .lean<UserDoc[]>();
  return { items: users.map((u) => ({ id: String(u._id), displayName: u.displayName })) };
}

async function coachNames(ids: readonly string[]) {
  if (ids.length === 0) return new Map<string, string>();
  const users = await User.find({ _id: { $in: [...new Set(ids)] } }).lean<UserDoc[]>();
  return new Map(users.map((u) => [String(u._id), u.displayName]));
}

export async function listGroups(actor: Actor, query: GroupListQuery) {
  const filter: Record<string, unknown> = {};
  if (query.schoolId) {
    authorizeSchool(actor, 'group:read', query.schoolId);
    filter.schoolId = new mongoose.Types.ObjectId(query.schoolId);
  } else {
    const scope = schoolScope(actor);
    if (scope !== 'all') filter.schoolId = { $in: scope.map((id) => new mongoose.Types.ObjectId(id)) };
  }
  if (query.activityCode) filter.activityCode = query.activityCode;
  if (query.childId) filter['members.childId'] = new mongoose.Types.ObjectId(query.childId);
  if (query.coachId) filter.coachIds = new mongoose.Types.ObjectId(query.coachId);
  const [groups, total] = await Promise.all([
    Group.find(filter)
      .sort({ name: 1, _id: 1 })
      .skip((query.page - 1) * query.pageSize)
      .limit(query.pageSize)
      .lean<GroupDoc[]>(),
    Group.countDocuments(filter),
  ]);
  const names = await coachNames(groups.flatMap((g) => g.coachIds.map(String)));
  const todayOf = await schoolTodays(groups.map((g) => String(g.schoolId)));
  const items = groups.map((g) => {
    const { members, ...json } = toGroupJson(g);
    const today = todayOf.get(String(g.schoolId))!;
    return {
      ...json,
      coaches: json.coachIds.map((id) => ({ id, displayName: names.get(id) ?? '' })),
      currentMembers: (g.members as Member[]).filter((m) => isCurrent(m, today)).length,
      membershipEntries: members.length,
    };
  });
  return { items, total, page: query.page, pageSize: query.pageSize };
}

async function schoolTodays(schoolIds: readonly string[]) {
  const unique = [...new Set(schoolIds)];
  const schools = unique.length ? await School.find({ _id: { $in: unique } }).lean<SchoolDoc[]>() : [];
  const now = new Date();
  return new Map(unique.map((id) => [id, schoolToday(now, schools.find((s) => String(s._id) === id)?.timeZone)]));
}

/** The group with coach names and, for holders of child:read, the members' roster details. */
async function detailed(actor: Actor, group: GroupDoc) {
  const json = toGroupJson(group);
  const names = await coachNames(json.coachIds);
  const school = await School.findById(group.schoolId).lean<SchoolDoc>();
  const today = schoolToday(new Date(), school?.timeZone);
  const withNames = hasPermission(actor, 'child:read');
  const children = json.members.length
    ? await Child.find({ _id: { $in: [...new Set(json.members.map((m) => m.childId))] } }).lean<ChildDoc[]>()
    : [];
  const byId = new Map(children.map((c) => [String(c._id), c]));
  return {
    ...json,
    today,
    coaches: json.coachIds.map((id) => ({ id, displayName: names.get(id) ?? '' })),
    currentMembers: (group.members as Member[]).filter((m) => isCurrent(m, today)).length,
    members: json.members.map((m) => {
      const c = byId.get(m.childId);
      return {
        ...m,
        current: isCurrent(m, today),
        child: c
          ? {
              code: c.code,
              ...(withNames ? { displayName: c.displayName } : {}),
              grade: c.grade,
              className: c.className ?? '',
              sex: c.sex,
              leftBehindStatus: c.leftBehindStatus,
              active: c.active ?? true,
            }
          : null,
      };
    }),
  };
}

export async function getGroup(actor: Actor, id: string) {
  const group = await findGroup(id);
  authorizeSchool(actor, 'group:read', String(group.schoolId));
  return detailed(actor, group);
}

export async function createGroup(actor: Actor, input: CreateGroupInput) {
  authorizeSchool(actor, 'group:write', input.schoolId);
  await loadSchool(input.schoolId);
  if (!findActivity(input.activityCode)) throw badRequest('invalid_input', 'activityCode: not an activity of the catalog');
  await assertCoaches(input.schoolId, input.coachIds);
  const created = await Group.create({ ...input, members: [] });
  const group = created.toObject() as GroupDoc;
  const json = toGroupJson(group);
  await recordAudit({ actor, action: 'create', entity: 'group', entityId: json.id, schoolId: input.schoolId, after: json });
  return detailed(actor, group);
}

/** Conditional rewrite on { _id, version }; a stale version gets 409 with the current group. */
async function saveGroup(actor: Actor, before: GroupDoc, version: number, set: Record<string, unknown>, meta?: unknown) {
  const updated = await compareAndSet<GroupDoc>(Group, before._id, { version }, { $set: set, $inc: { version: 1 } });
  if (!updated) {
    const current = await Group.findById(before._id).lean<GroupDoc>();
    if (!current) throw notFound('The group');
    throw versionConflict(await detailed(actor, current));
  }
  // Who was a member when changes every child's dose in the group's programmes; the name and
  // activity are shown from the report rollups, which the recompute rewrites.
  if ('members' in set || 'name' in set || 'activityCode' in set) await markGroupDoseDirty(before._id);
  await recordAudit({
    actor,
    action: 'update',
    entity: 'group',
    entityId: String(before._id),
    schoolId: String(before.schoolId),
    before: toGroupJson(before),
    after: toGroupJson(updated),
    meta,
  });
  return detailed(actor, updated);
}

export async function updateGroup(actor: Actor, id: string, input: UpdateGroupInput) {
  const before = await findGroup(id);
  const schoolId = String(before.schoolId);
  authorizeSchool(actor, 'group:write', schoolId);
  const set: Record<string, unknown> = {};
  if (input.name !== undefined) set.name = input.name;
  if (input.activityCode !== undefined) set.activityCode = input.activityCode;
  if (input.coachIds !== undefined) {
    await assertCoaches(schoolId, input.coachIds);
    set.coachIds = input.coachIds.map((c) => new mongoose.Types.ObjectId(c));
  }
  return saveGroup(actor, before, input.version, set);
}

export async function deleteGroup(actor: Actor, id: string, expectedVersion: number | undefined) {
  const group = await findGroup(id);
  const schoolId = String(group.schoolId);
  authorizeSchool(actor, 'group:write', schoolId);
  const version = requireDeleteVersion(expectedVersion);
  if ((group.version ?? 0) !== version) throw versionConflict(await detailed(actor, group));
  const [sessions, programmes] = await Promise.all([Session.countDocuments({ groupId: group._id }), Programme.countDocuments({ groupIds: group._id })]);
  if (sessions + programmes > 0) {
    throw conflict('group_in_use', 'This group has sessions or belongs to a programme and cannot be deleted.', { sessions, programmes });
  }
  if (!(await compareAndDelete(Group, group._id, { version }))) {
    const current = await Group.findById(group._id).lean<GroupDoc>();
    if (!current) throw notFound('The group');
    throw versionConflict(await detailed(actor, current));
  }
  await recordAudit({ actor, action: 'delete', entity: 'group', entityId: id, schoolId, before: toGroupJson(group) });
}

const plainMembers = (group: GroupDoc): Member[] =>
  (group.members as Member[]).map((m) => ({ childId: m.childId, joinedOn: m.joinedOn, leftOn: m.leftOn ?? null }));

export async function addMembers(actor: Actor, id: string, input: AddMembersInput) {
  const before = await findGroup(id);
  const schoolId = String(before.schoolId);
  authorizeSchool(actor, 'group:write', schoolId);
  const children = await Child.find({ _id: { $in: input.childIds } }).lean<ChildDoc[]>();
  const members = plainMembers(before);
  const problems: { path: string; message: string; childId: string }[] = [];
  for (const [index, childId] of input.childIds.entries()) {
    const child = children.find((c) => String(c._id) === childId);
    const path = `childIds.${index}`;
    if (!child || String(child.schoolId) !== schoolId) {
      problems.push({ path, childId, message: 'not a child of this group’s school' });
      continue;
    }
    if (!child.active) {
      problems.push({ path, childId, message: `${child.code} is inactive` });
      continue;
    }
    const own = members.filter((m) => String(m.childId) === childId);
    if (own.some(isOpen)) {
      problems.push({ path, childId, message: `${child.code} is already a member` });
      continue;
    }
    const lastLeft = own.reduce<string | null>((max, m) => (m.leftOn && (!max || m.leftOn > max) ? m.leftOn : max), null);
    if (lastLeft && input.joinedOn <= lastLeft) {
      problems.push({ path, childId, message: `${child.code} was a member until ${lastLeft}; rejoin after that day` });
      continue;
    }
    members.push({ childId: child._id, joinedOn: input.joinedOn, leftOn: null });
  }
  if (problems.length > 0) {
    throw badRequest('invalid_members', `${problems.length} child(ren) cannot be added: ${problems[0]!.message}${problems.length > 1 ? ' …' : ''}`, problems);
  }
  const open = members.filter(isOpen).length;
  if (open > rosterLimits.groupMembersMax) {
    throw badRequest('group_full', `A group has at most ${rosterLimits.groupMembersMax} members (this would make ${open}).`);
  }
  if (members.length > rosterLimits.membershipEntriesMax) {
    throw badRequest('group_history_full', `This group has reached ${rosterLimits.membershipEntriesMax} membership entries; start a new group.`);
  }
  return saveGroup(actor, before, input.version, { members }, { change: 'add_members', childIds: input.childIds, joinedOn: input.joinedOn });
}

export async function endMembership(actor: Actor, id: string, input: EndMembershipInput) {
  const before = await findGroup(id);
  authorizeSchool(actor, 'group:write', String(before.schoolId));
  const members = plainMembers(before);
  const entry = members.find((m) => String(m.childId) === input.childId && isOpen(m));
  if (!entry) throw badRequest('not_a_member', 'This child has no open membership in this group.', [{ path: 'childId', message: 'not a current member' }]);
  if (input.leftOn < entry.joinedOn) {
    throw badRequest('invalid_input', `leftOn: must be on or after the join date ${entry.joinedOn}`, [
      { path: 'leftOn', message: `must be on or after ${entry.joinedOn}` },
    ]);
  }
  entry.leftOn = input.leftOn;
  return saveGroup(actor, before, input.version, { members }, { change: 'end_membership', childId: input.childId, leftOn: input.leftOn });
}

/** Undo a mistaken add: allowed only while no register of this group's sessions names the child. */
export async function removeMember(actor: Actor, id: string, input: { version: number; childId: string }) {
  const before = await findGroup(id);
  authorizeSchool(actor, 'group:write', String(before.schoolId));
  const members = plainMembers(before);
  const kept = members.filter((m) => String(m.childId) !== input.childId);
  if (kept.length === members.length) throw badRequest('not_a_member', 'This child is not in this group.', [{ path: 'childId', message: 'not a member' }]);
  const childId = new mongoose.Types.ObjectId(input.childId);
  const registers = await Session.countDocuments({ groupId: before._id, 'register.childId': childId });
  if (registers > 0) {
    throw conflict('member_has_attendance', `This child is on ${registers} register(s) of this group. End the membership with a leave date instead.`, { registers });
  }
  return saveGroup(actor, before, input.version, { members: kept }, { change: 'remove_member', childId: input.childId });
}

/** Groups a child has ever belonged to, with the membership periods. */
export async function membershipsOfChild(childId: mongoose.Types.ObjectId) {
  const groups = await Group.find({ 'members.childId': childId }).lean<GroupDoc[]>();
  return groups.flatMap((g) =>
    (g.members as Member[])
      .filter((m) => String(m.childId) === String(childId))
      .map((m) => ({ groupId: String(g._id), groupName: g.name, activityCode: g.activityCode, joinedOn: m.joinedOn, leftOn: m.leftOn ?? null })),
  );
}

/**
 * A child who leaves the school: every open membership ends on `leftOn` (or on its join day, if it
 * had not started yet). Retries a group on a version conflict (someone edited it meanwhile).
 */
export async function endOpenMembershipsOfChild(actor: Actor, childId: mongoose.Types.ObjectId, schoolId: string, leftOn: string): Promise<number> {
  let ended = 0;
  const groups = await Group.find({ schoolId: new mongoose.Types.ObjectId(schoolId), 'members.childId': childId }).lean<GroupDoc[]>();
  for (const first of groups) {
    let group: GroupDoc | null = first;
    for (let attempt = 0; attempt < 5 && group; attempt++) {
      const members = plainMembers(group);
      const open = members.filter((m) => String(m.childId) === String(childId) && isOpen(m));
      if (open.length === 0) break;
      for (const m of open) m.leftOn = m.joinedOn > leftOn ? m.joinedOn : leftOn;
      const updated: GroupDoc | null = await compareAndSet<GroupDoc>(Group, group._id, { version: group.version }, { $set: { members }, $inc: { version: 1 } });
      if (updated) {
        ended += open.length;
        await markGroupDoseDirty(group._id);
        await recordAudit({
          actor,
          action: 'update',
          entity: 'group',
          entityId: String(group._id),
          schoolId,
          before: toGroupJson(group),
          after: toGroupJson(updated),
          meta: { change: 'child_deactivated', childId: String(childId), leftOn },
        });
        break;
      }
      group = await Group.findById(first._id).lean<GroupDoc>();
    }
  }
  return ended;
}

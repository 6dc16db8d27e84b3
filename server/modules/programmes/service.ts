// Programmes: the plan a PE teacher makes (groups, arm, weeks, weekly pattern, activities) checked
// against an evidence profile. Every answer carries the plan check computed by shared/ — the same
// function the form runs live — so the server and the form never disagree.
import mongoose from 'mongoose';
import { BUILT_IN_PROFILES, seedReviewProfile } from '../../../shared/domain/evidence.ts';
import { checkPlan } from '../../../shared/domain/plan-check.ts';
import { DEFAULT_SCHOOL_TIME_ZONE, programmeEndDate } from '../../../shared/domain/schedule.ts';
import type { Arm } from '../../../shared/schemas/child.ts';
import type { ProgrammePlan } from '../../../shared/schemas/programme.ts';
import type { CreateProgrammeInput, UpdateProgrammeInput } from '../../../shared/schemas/programmes-api.ts';
import { AppError, conflict, forbidden, notFound, versionConflict } from '../../lib/errors.ts';
import { authorize, authorizeProgramme, canReachProgramme, canReachSchool, schoolScope, type Actor } from '../../lib/policy.ts';
import { recordAudit } from '../audit/service.ts';
import { Group, type GroupDoc } from '../groups/model.ts';
import { syncProgrammeSchedule, type ScheduleSummary } from '../schedule/service.ts';
import { School } from '../schools/model.ts';
import { Session } from '../sessions/model.ts';
import { deleteSessionListsOf } from '../sessions/session-lists.ts';
import { Programme, type ProgrammeDoc } from './model.ts';
import { compareAndDelete, compareAndSet } from '../../db/compare-and-set.ts';
import { requireDeleteVersion } from '../../lib/delete-version.ts';

export function evidenceProfile(id: string) {
  return BUILT_IN_PROFILES.find((p) => p.id === id) ?? seedReviewProfile;
}

/** The stored programme as the pure plan check reads it (exclusion dates and arm included, issue 9). */
export function programmePlanOf(p: Pick<ProgrammeDoc, 'startDate' | 'plannedWeeks' | 'weeklyPattern' | 'activityBlocks' | 'evidenceProfileId' | 'exclusionDates' | 'arm'>): ProgrammePlan {
  return {
    startDate: p.startDate,
    plannedWeeks: p.plannedWeeks,
    weeklyPattern: p.weeklyPattern.map((s) => ({ weekday: s.weekday, startTime: s.startTime, minutes: s.minutes })),
    activityBlocks: p.activityBlocks.map((b) => ({
      activityCode: b.activityCode,
      minutes: b.minutes,
      targetIntensity: b.targetIntensity as 'light' | 'moderate' | 'vigorous',
    })),
    evidenceProfileId: p.evidenceProfileId,
    exclusionDates: [...(p.exclusionDates ?? [])],
    arm: p.arm as Arm,
  };
}

export function toProgrammeJson(p: ProgrammeDoc) {
  const plan = programmePlanOf(p);
  const profile = evidenceProfile(p.evidenceProfileId);
  return {
    id: String(p._id),
    name: p.name,
    schoolIds: p.schoolIds.map(String),
    groupIds: p.groupIds.map(String),
    ...plan,
    endDate: programmeEndDate(p.startDate, p.plannedWeeks, p.timeZone || DEFAULT_SCHOOL_TIME_ZONE),
    timeZone: p.timeZone,
    instruments: (p.instruments ?? []).map((i) => ({ code: i.code, version: i.version })),
    waves: (p.waves ?? []).map((w) => ({ wave: w.wave, opensOn: w.opensOn, closesOn: w.closesOn })),
    version: p.version,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
    planCheck: { profileId: profile.id, checks: checkPlan(plan, profile) },
  };
}
export type ProgrammeJson = ReturnType<typeof toProgrammeJson>;

/** The schools must exist and be reachable; the groups must exist and belong to those schools. */
async function validateSchoolsAndGroups(actor: Actor, schoolIds: readonly string[], groupIds: readonly string[]) {
  for (const id of schoolIds) if (!canReachSchool(actor, id)) throw forbidden('This programme includes a school you do not have access to.');
  const schools = await School.find({ _id: { $in: schoolIds } }).lean();
  if (schools.length !== schoolIds.length) {
    const found = new Set(schools.map((s) => String(s._id)));
    throw new AppError(400, 'unknown_school', `No such school: ${schoolIds.filter((id) => !found.has(id)).join(', ')}.`);
  }
  const groups = await Group.find({ _id: { $in: groupIds } }).lean<GroupDoc[]>();
  const byId = new Map(groups.map((g) => [String(g._id), g]));
  const missing = groupIds.filter((id) => !byId.has(id));
  if (missing.length > 0) throw new AppError(400, 'unknown_group', `No such group: ${missing.join(', ')}.`);
  const outside = groups.filter((g) => !schoolIds.includes(String(g.schoolId)));
  if (outside.length > 0) {
    throw new AppError(400, 'group_outside_schools', `Group "${outside[0]!.name}" belongs to a school that is not part of this programme.`, {
      groupIds: outside.map((g) => String(g._id)),
    });
  }
  // The programme's time zone is its first school's (sessions use each group's own school).
  const zones = new Map(schools.map((s) => [String(s._id), s.timeZone || DEFAULT_SCHOOL_TIME_ZONE]));
  return zones.get(schoolIds[0]!) ?? DEFAULT_SCHOOL_TIME_ZONE;
}

const sortedUnique = (dates: readonly string[]) => [...new Set(dates)].sort();

export async function listProgrammes(actor: Actor, query: { schoolId?: string | undefined; groupId?: string | undefined }) {
  const scope = schoolScope(actor);
  const filter: Record<string, unknown> = {};
  if (scope !== 'all') filter.schoolIds = { $in: scope };
  if (query.schoolId) {
    if (!canReachSchool(actor, query.schoolId)) throw forbidden('This belongs to a school you do not have access to.');
    filter.schoolIds = query.schoolId;
  }
  if (query.groupId) filter.groupIds = query.groupId;
  const programmes = await Programme.find(filter).sort({ startDate: -1, name: 1 }).lean<ProgrammeDoc[]>();
  // A programme shared with a school the user does not reach stays hidden: they may not act on it.
  const visible = programmes.filter((p) => canReachProgramme(actor, p, 'any'));
  return { items: visible.map(toProgrammeJson) };
}

/** What the programme form offers: the user's schools and their groups (names only, no members). */
export async function formOptions(actor: Actor) {
  const scope = schoolScope(actor);
  const schoolFilter = scope === 'all' ? {} : { _id: { $in: scope } };
  const schools = await School.find(schoolFilter).sort({ code: 1 }).lean();
  const groups = await Group.find({ schoolId: { $in: schools.map((s) => s._id) } }).sort({ name: 1 }).lean<GroupDoc[]>();
  return {
    schools: schools.map((s) => ({ id: String(s._id), code: s.code, name: s.name, timeZone: s.timeZone || DEFAULT_SCHOOL_TIME_ZONE })),
    groups: groups.map((g) => ({ id: String(g._id), schoolId: String(g.schoolId), name: g.name, activityCode: g.activityCode })),
  };
}

export async function getProgramme(actor: Actor, id: string) {
  const programme = await Programme.findById(id).lean<ProgrammeDoc>();
  if (!programme) throw notFound('The programme');
  // Reading a joint programme needs one of its schools; changing it needs all of them.
  authorizeProgramme(actor, 'programme:read', programme, 'any');
  return toProgrammeJson(programme);
}

export async function createProgramme(actor: Actor, input: CreateProgrammeInput) {
  authorize(actor, 'programme:write');
  const timeZone = await validateSchoolsAndGroups(actor, input.schoolIds, input.groupIds);
  const created = await Programme.create({ ...input, exclusionDates: sortedUnique(input.exclusionDates), timeZone });
  // Generating the schedule writes sessions only; the programme document stays as created.
  const schedule = await syncProgrammeSchedule(created._id);
  const json = toProgrammeJson(created.toObject() as ProgrammeDoc);
  await recordAudit({ actor, action: 'create', entity: 'programme', entityId: json.id, schoolId: json.schoolIds[0] ?? null, after: withoutCheck(json), meta: { schedule } });
  return { ...json, schedule };
}

/** The plan check is derived: the audit keeps what people entered. */
function withoutCheck(json: ProgrammeJson) {
  const { planCheck: _planCheck, ...rest } = json;
  return rest;
}

/** Fields whose change moves sessions. */
const scheduleFields = ['schoolIds', 'groupIds', 'startDate', 'plannedWeeks', 'weeklyPattern', 'exclusionDates'] as const;

export async function updateProgramme(actor: Actor, id: string, input: UpdateProgrammeInput) {
  const before = await Programme.findById(id).lean<ProgrammeDoc>();
  if (!before) throw notFound('The programme');
  authorizeProgramme(actor, 'programme:write', before, 'all');
  if (before.version !== input.version) throw versionConflict(toProgrammeJson(before));
  const { version, ...changes } = input;
  const schoolIds = changes.schoolIds ?? before.schoolIds.map(String);
  const groupIds = changes.groupIds ?? before.groupIds.map(String);
  const timeZone = await validateSchoolsAndGroups(actor, schoolIds, groupIds);
  const set: Record<string, unknown> = { ...changes, timeZone };
  if (changes.exclusionDates) set.exclusionDates = sortedUnique(changes.exclusionDates);
  const updated = await compareAndSet<ProgrammeDoc>(Programme, id, { version }, { $set: set, $inc: { version: 1 } });
  if (!updated) {
    const current = await Programme.findById(id).lean<ProgrammeDoc>();
    if (!current) throw notFound('The programme');
    throw versionConflict(toProgrammeJson(current));
  }
  let schedule: ScheduleSummary | null = null;
  if (scheduleFields.some((f) => changes[f] !== undefined)) schedule = await syncProgrammeSchedule(updated._id);
  const json = toProgrammeJson(updated);
  await recordAudit({
    actor,
    action: 'update',
    entity: 'programme',
    entityId: id,
    schoolId: json.schoolIds[0] ?? null,
    before: withoutCheck(toProgrammeJson(before)),
    after: withoutCheck(json),
    meta: schedule ? { schedule } : null,
  });
  return { ...json, schedule };
}

export async function deleteProgramme(actor: Actor, id: string, expectedVersion: number | undefined) {
  const programme = await Programme.findById(id).lean<ProgrammeDoc>();
  if (!programme) throw notFound('The programme');
  authorizeProgramme(actor, 'programme:write', programme, 'all');
  const version = requireDeleteVersion(expectedVersion);
  if (programme.version !== version) throw versionConflict(toProgrammeJson(programme));
  const oid = new mongoose.Types.ObjectId(id);
  // Held sessions are delivered dose: the programme that explains them must stay.
  const held = await Session.countDocuments({ programmeId: oid, $or: [{ status: 'held' }, { loggedAt: { $ne: null } }] });
  if (held > 0) throw conflict('programme_has_held_sessions', `${held} session(s) of this programme have been held and logged; the programme cannot be deleted.`);
  if (!(await compareAndDelete(Programme, oid, { version }))) {
    const current = await Programme.findById(id).lean<ProgrammeDoc>();
    if (!current) throw notFound('The programme');
    throw versionConflict(toProgrammeJson(current));
  }
  // Only sessions never logged (a register saved since the check above keeps its session).
  await Session.deleteMany({ programmeId: oid, loggedAt: null });
  await deleteSessionListsOf(oid);
  await recordAudit({ actor, action: 'delete', entity: 'programme', entityId: id, schoolId: String(programme.schoolIds[0]), before: withoutCheck(toProgrammeJson(programme)) });
}


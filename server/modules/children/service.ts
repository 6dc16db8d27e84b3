// The children roster of a school: list, read, create, edit, deactivate, delete (only while the
// child has no data). Names are seen only by holders of child:read (teachers, counsellors, admins;
// never researchers). Every change is audited with the record before and after.
import mongoose from 'mongoose';
import { schoolToday } from '../../../shared/domain/dates.ts';
import {
  childRuleIssues,
  type ChildFields,
  type ChildListQuery,
  type CreateChildInput,
  type UpdateChildInput,
} from '../../../shared/schemas/roster.ts';
import { nextSequence } from '../../db/counters.ts';
import { badRequest, conflict, isDuplicateKeyError, notFound, versionConflict } from '../../lib/errors.ts';
import { authorizeSchool, schoolScope, type Actor } from '../../lib/policy.ts';
import { Assessment } from '../assessments/model.ts';
import { recordAudit } from '../audit/service.ts';
import { DoseSummary } from '../dose/model.ts';
import { endOpenMembershipsOfChild, membershipsOfChild } from '../groups/service.ts';
import { School, type SchoolDoc } from '../schools/model.ts';
import { Session } from '../sessions/model.ts';
import { duplicateKey } from './csv.ts';
import { Child, childFieldsOf, toChildJson, type ChildDoc } from './model.ts';
import { compareAndDelete, compareAndSet } from '../../db/compare-and-set.ts';
import { requireDeleteVersion } from '../../lib/delete-version.ts';

export async function loadSchool(schoolId: string): Promise<SchoolDoc> {
  const school = await School.findById(schoolId).lean<SchoolDoc>();
  if (!school) throw badRequest('unknown_school', 'The school does not exist.');
  return school;
}

/** `<school code>-<4 digits>`, from a per-school counter that only goes up: never reused. */
export function childCode(schoolCode: string, seq: number): string {
  return `${schoolCode}-${String(seq).padStart(4, '0')}`;
}

/** Counter name of a school's child codes (server/db/counters.ts). */
export const childCounterName = (schoolId: string) => `child:${schoolId}`;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export async function listChildren(actor: Actor, query: ChildListQuery) {
  const filter: Record<string, unknown> = {};
  if (query.schoolId) {
    authorizeSchool(actor, 'child:read', query.schoolId);
    filter.schoolId = new mongoose.Types.ObjectId(query.schoolId);
  } else {
    const scope = schoolScope(actor);
    if (scope !== 'all') filter.schoolId = { $in: scope.map((id) => new mongoose.Types.ObjectId(id)) };
  }
  if (query.grade !== undefined) filter.grade = query.grade;
  if (query.className !== undefined && query.className !== '') filter.className = query.className;
  if (query.leftBehindStatus) filter.leftBehindStatus = query.leftBehindStatus;
  if (query.active !== 'all') filter.active = query.active === 'true';
  if (query.q) {
    const pattern = escapeRegex(query.q.normalize('NFC'));
    filter.$or = [{ displayName: { $regex: pattern, $options: 'i' } }, { code: { $regex: pattern, $options: 'i' } }];
  }
  const [items, total] = await Promise.all([
    Child.find(filter)
      .sort({ grade: 1, className: 1, code: 1 })
      .skip((query.page - 1) * query.pageSize)
      .limit(query.pageSize)
      .lean<ChildDoc[]>(),
    Child.countDocuments(filter),
  ]);
  return { items: items.map(toChildJson), total, page: query.page, pageSize: query.pageSize };
}

async function findChild(id: string): Promise<ChildDoc> {
  const child = await Child.findById(id).lean<ChildDoc>();
  if (!child) throw notFound('The child');
  return child;
}

/** What would be lost by a hard delete: group memberships, register entries, assessments, dose. */
async function dataOfChild(childId: mongoose.Types.ObjectId) {
  const [groups, sessions, assessments, doseSummaries] = await Promise.all([
    membershipsOfChild(childId).then((m) => m.length),
    Session.countDocuments({ 'register.childId': childId }),
    Assessment.countDocuments({ childId }),
    DoseSummary.countDocuments({ childId }),
  ]);
  return { groups, sessions, assessments, doseSummaries };
}

export async function getChild(actor: Actor, id: string) {
  const child = await findChild(id);
  authorizeSchool(actor, 'child:read', String(child.schoolId));
  const [memberships, data] = await Promise.all([membershipsOfChild(child._id), dataOfChild(child._id)]);
  return {
    ...toChildJson(child),
    memberships,
    hasData: data.groups + data.sessions + data.assessments + data.doseSummaries > 0,
  };
}

/** Another child of the school with the same name, birth year/month and class, if any. */
export async function findDuplicate(schoolId: string, fields: ChildFields, exceptId?: string): Promise<ChildDoc | null> {
  const candidates = await Child.find({
    schoolId: new mongoose.Types.ObjectId(schoolId),
    birthYear: fields.birthYear,
    birthMonth: fields.birthMonth,
    grade: fields.grade,
  }).lean<ChildDoc[]>();
  const key = duplicateKey(fields);
  return (
    candidates.find(
      (c) => String(c._id) !== exceptId && duplicateKey({ ...c, className: c.className ?? '' }) === key,
    ) ?? null
  );
}

function duplicateError(existing: ChildDoc) {
  return conflict(
    'duplicate_child',
    `This school already has a child with the same name, birth year and month, and class (${existing.code}).`,
    { existing: { id: String(existing._id), code: existing.code, active: existing.active } },
  );
}

export async function createChild(actor: Actor, input: CreateChildInput) {
  authorizeSchool(actor, 'child:write', input.schoolId);
  const school = await loadSchool(input.schoolId);
  const { schoolId, ...fields } = input;
  rejectRuleIssues(fields, schoolToday(new Date(), school.timeZone));
  const existing = await findDuplicate(schoolId, fields);
  if (existing) throw duplicateError(existing);
  const created = await insertWithNewCode(schoolId, school.code, fields);
  const json = toChildJson(created.toObject() as ChildDoc);
  await recordAudit({ actor, action: 'create', entity: 'child', entityId: json.id, schoolId, after: json });
  return json;
}

/** Codes taken outside the counter (older data, a restored backup) are skipped, never a 500. */
const CODE_ATTEMPTS = 20;

/** Inserts the child under the next free code of its school; a code already taken claims the next number. */
async function insertWithNewCode(schoolId: string, schoolCode: string, fields: ChildFields) {
  for (let attempt = 1; ; attempt++) {
    const code = childCode(schoolCode, await nextSequence(childCounterName(schoolId)));
    try {
      return await Child.create({ ...fields, schoolId, code });
    } catch (err) {
      if (!isDuplicateKeyError(err) || attempt >= CODE_ATTEMPTS) throw err;
    }
  }
}

function rejectRuleIssues(fields: ChildFields, today: string): void {
  const issues = childRuleIssues(fields, today);
  if (issues.length > 0) {
    const details = issues.map((i) => ({ path: i.path, message: i.message, code: i.code }));
    const first = details[0]!;
    throw badRequest(
      'invalid_input',
      `Invalid body: ${first.path}: ${first.message}${details.length > 1 ? ` (and ${details.length - 1} more)` : ''}`,
      details,
    );
  }
}

/** A guarded delete matched nothing: gone (404) or changed meanwhile (409 with the current child). */
async function conflictAfterFailedDelete(id: string): Promise<never> {
  const current = await Child.findById(id).lean<ChildDoc>();
  if (!current) throw notFound('The child');
  throw versionConflict(toChildJson(current));
}

async function conditionalUpdate(id: string, version: number, set: Record<string, unknown>): Promise<ChildDoc> {
  const updated = await compareAndSet<ChildDoc>(Child, id, { version }, { $set: set, $inc: { version: 1 } });
  if (updated) return updated;
  const current = await Child.findById(id).lean<ChildDoc>();
  if (!current) throw notFound('The child');
  throw versionConflict(toChildJson(current));
}

export async function updateChild(actor: Actor, id: string, input: UpdateChildInput) {
  const before = await findChild(id);
  const schoolId = String(before.schoolId);
  authorizeSchool(actor, 'child:write', schoolId);
  const { version, ...changes } = input;
  const set = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as Partial<ChildFields>;
  const merged = { ...childFieldsOf(before), ...set };
  const school = await loadSchool(schoolId);
  rejectRuleIssues(merged, schoolToday(new Date(), school.timeZone));
  if (['displayName', 'birthYear', 'birthMonth', 'grade', 'className'].some((k) => k in set)) {
    const existing = await findDuplicate(schoolId, merged, id);
    if (existing) throw duplicateError(existing);
  }
  const updated = await conditionalUpdate(id, version, set);
  const json = toChildJson(updated);
  await recordAudit({ actor, action: 'update', entity: 'child', entityId: id, schoolId, before: toChildJson(before), after: json });
  return json;
}

/** The child left the school (or the programme): kept with all its data, hidden from rosters; open group memberships end. */
export async function deactivateChild(actor: Actor, id: string, input: { version: number; leftOn?: string | undefined }) {
  const before = await findChild(id);
  const schoolId = String(before.schoolId);
  authorizeSchool(actor, 'child:write', schoolId);
  const school = await loadSchool(schoolId);
  const leftOn = input.leftOn ?? schoolToday(new Date(), school.timeZone);
  if (!before.active) throw conflict('already_inactive', 'This child is already inactive.');
  const updated = await conditionalUpdate(id, input.version, { active: false, deactivatedOn: leftOn });
  const json = toChildJson(updated);
  await recordAudit({ actor, action: 'update', entity: 'child', entityId: id, schoolId, before: toChildJson(before), after: json, meta: { change: 'deactivate' } });
  const endedMemberships = await endOpenMembershipsOfChild(actor, before._id, schoolId, leftOn);
  return { ...json, endedMemberships };
}

export async function reactivateChild(actor: Actor, id: string, input: { version: number }) {
  const before = await findChild(id);
  const schoolId = String(before.schoolId);
  authorizeSchool(actor, 'child:write', schoolId);
  if (before.active) throw conflict('already_active', 'This child is already active.');
  const updated = await conditionalUpdate(id, input.version, { active: true, deactivatedOn: null });
  const json = toChildJson(updated);
  await recordAudit({ actor, action: 'update', entity: 'child', entityId: id, schoolId, before: toChildJson(before), after: json, meta: { change: 'reactivate' } });
  return json;
}

/** Hard delete, only for a child entered by mistake: no membership, register entry, assessment or dose. */
export async function deleteChild(actor: Actor, id: string, expectedVersion: number | undefined) {
  const child = await findChild(id);
  const schoolId = String(child.schoolId);
  authorizeSchool(actor, 'child:write', schoolId);
  const version = requireDeleteVersion(expectedVersion);
  if ((child.version ?? 0) !== version) throw versionConflict(toChildJson(child));
  const data = await dataOfChild(child._id);
  if (data.groups + data.sessions + data.assessments + data.doseSummaries > 0) {
    throw conflict(
      'child_has_data',
      'This child has group memberships, attendance or questionnaires and cannot be deleted. Deactivate the child instead.',
      data,
    );
  }
  if (!(await compareAndDelete(Child, child._id, { version }))) await conflictAfterFailedDelete(id);
  // The code is not reused: the school's counter never goes down.
  await recordAudit({ actor, action: 'delete', entity: 'child', entityId: id, schoolId, before: toChildJson(child) });
}

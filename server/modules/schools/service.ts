import type { CreateSchoolInput, UpdateSchoolInput } from '../../../shared/schemas/accounts.ts';
import { nextSequence } from '../../db/counters.ts';
import { badRequest, conflict, notFound, versionConflict } from '../../lib/errors.ts';
import { authorizeSchool, schoolScope, type Actor } from '../../lib/policy.ts';
import { recordAudit } from '../audit/service.ts';
import { User } from '../users/model.ts';
import { School, toSchoolJson, type SchoolDoc } from './model.ts';
import { compareAndDelete, compareAndSet } from '../../db/compare-and-set.ts';
import { requireDeleteVersion } from '../../lib/delete-version.ts';

function assertKnownTimeZone(timeZone: string | undefined): void {
  if (timeZone === undefined) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw badRequest('invalid_input', `timeZone: "${timeZone}" is not a known time zone`);
  }
}

export async function listSchools(actor: Actor) {
  const scope = schoolScope(actor);
  const filter = scope === 'all' ? {} : { _id: { $in: scope } };
  const schools = await School.find(filter).sort({ code: 1 }).lean<SchoolDoc[]>();
  return { items: schools.map(toSchoolJson) };
}

export async function getSchool(actor: Actor, id: string) {
  authorizeSchool(actor, 'school:read', id);
  const school = await School.findById(id).lean<SchoolDoc>();
  if (!school) throw notFound('The school');
  return toSchoolJson(school);
}

export async function createSchool(actor: Actor, input: CreateSchoolInput) {
  assertKnownTimeZone(input.timeZone);
  const code = `S${String(await nextSequence('school')).padStart(3, '0')}`;
  const school = await School.create({ ...input, code });
  const json = toSchoolJson(school.toObject() as SchoolDoc);
  await recordAudit({ actor, action: 'create', entity: 'school', entityId: json.id, schoolId: json.id, after: json });
  return json;
}

export async function updateSchool(actor: Actor, id: string, input: UpdateSchoolInput) {
  authorizeSchool(actor, 'school:manage', id);
  assertKnownTimeZone(input.timeZone);
  const before = await School.findById(id).lean<SchoolDoc>();
  if (!before) throw notFound('The school');
  const { version, ...changes } = input;
  const updated = await compareAndSet<SchoolDoc>(School, id, { version }, { $set: changes, $inc: { version: 1 } });
  if (!updated) {
    const current = await School.findById(id).lean<SchoolDoc>();
    if (!current) throw notFound('The school');
    throw versionConflict(toSchoolJson(current));
  }
  const json = toSchoolJson(updated);
  await recordAudit({ actor, action: 'update', entity: 'school', entityId: id, schoolId: id, before: toSchoolJson(before), after: json });
  return json;
}

export async function deleteSchool(actor: Actor, id: string, expectedVersion: number | undefined) {
  authorizeSchool(actor, 'school:manage', id);
  const school = await School.findById(id).lean<SchoolDoc>();
  if (!school) throw notFound('The school');
  const version = requireDeleteVersion(expectedVersion);
  if ((school.version ?? 0) !== version) throw versionConflict(toSchoolJson(school));
  const users = await User.countDocuments({ schoolIds: school._id });
  if (users > 0) {
    throw conflict('school_in_use', `${users} user account(s) still belong to this school. Remove the school from them first.`);
  }
  if (!(await compareAndDelete(School, id, { version }))) {
    const current = await School.findById(id).lean<SchoolDoc>();
    if (!current) throw notFound('The school');
    throw versionConflict(toSchoolJson(current));
  }
  await recordAudit({ actor, action: 'delete', entity: 'school', entityId: id, schoolId: id, before: toSchoolJson(school) });
}

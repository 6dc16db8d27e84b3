// Account management (admin) and the first-admin setup.
import mongoose from 'mongoose';
import type { CreateUserInput, UpdateUserInput } from '../../../shared/schemas/users.ts';
import { badRequest, conflict, isDuplicateKeyError, notFound, versionConflict } from '../../lib/errors.ts';
import type { Actor } from '../../lib/policy.ts';
import { recordAudit } from '../audit/service.ts';
import { deleteSessionsOfUser } from '../auth/sessions.ts';
import { hashPassword } from '../auth/passwords.ts';
import { School } from '../schools/model.ts';
import { User, toUserJson, type UserDoc } from './model.ts';
import { compareAndSet } from '../../db/compare-and-set.ts';

async function assertSchoolsExist(schoolIds: readonly string[]): Promise<void> {
  const unique = [...new Set(schoolIds)];
  if (unique.length === 0) return;
  const found = await School.countDocuments({ _id: { $in: unique } });
  if (found !== unique.length) throw badRequest('unknown_school', 'One or more of the chosen schools do not exist.');
}

export async function listUsers() {
  const users = await User.find().sort({ username: 1 }).lean<UserDoc[]>();
  return { items: users.map(toUserJson) };
}

export async function getUser(id: string) {
  const user = await User.findById(id).lean<UserDoc>();
  if (!user) throw notFound('The user');
  return toUserJson(user);
}

/** Creates a user; `actor` null means the terminal (create-admin) or first-run setup. */
export async function createUser(input: CreateUserInput, actor: Actor | null) {
  await assertSchoolsExist(input.schoolIds);
  const passwordHash = await hashPassword(input.password);
  let user;
  try {
    user = await User.create({
      username: input.username,
      displayName: input.displayName,
      passwordHash,
      role: input.role,
      schoolIds: [...new Set(input.schoolIds)],
      locale: input.locale ?? null,
    });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw conflict('username_taken', `The username "${input.username}" is already taken.`);
    throw err;
  }
  const json = toUserJson(user.toObject() as UserDoc);
  await recordAudit({ actor: actor ?? { id: json.id, username: json.username }, action: 'create', entity: 'user', entityId: json.id, after: json });
  return json;
}

export async function updateUser(id: string, input: UpdateUserInput, actor: Actor) {
  const before = await User.findById(id).lean<UserDoc>();
  if (!before) throw notFound('The user');
  const role = input.role ?? before.role;
  const schoolIds = input.schoolIds ? [...new Set(input.schoolIds)] : before.schoolIds.map(String);
  if (role !== 'admin' && schoolIds.length === 0) {
    throw badRequest('invalid_input', 'schoolIds: every non-admin user needs at least one school');
  }
  if (id === actor.id && (input.active === false || (input.role && input.role !== 'admin'))) {
    throw badRequest('self_lockout', 'You cannot deactivate yourself or remove your own admin role.');
  }
  if (input.schoolIds) await assertSchoolsExist(schoolIds);

  const set: Record<string, unknown> = {};
  if (input.displayName !== undefined) set.displayName = input.displayName;
  if (input.role !== undefined) set.role = input.role;
  if (input.schoolIds !== undefined) set.schoolIds = schoolIds.map((s) => new mongoose.Types.ObjectId(s));
  if (input.active !== undefined) set.active = input.active;
  if (input.locale !== undefined) set.locale = input.locale;
  if (input.password !== undefined) set.passwordHash = await hashPassword(input.password);

  const updated = await compareAndSet<UserDoc>(User, id, { version: input.version }, { $set: set, $inc: { version: 1 } });
  if (!updated) {
    const current = await User.findById(id).lean<UserDoc>();
    if (!current) throw notFound('The user');
    throw versionConflict(toUserJson(current));
  }
  // A new password or a deactivation ends the user's open sessions.
  if (input.password !== undefined || input.active === false) await deleteSessionsOfUser(id);
  const json = toUserJson(updated);
  await recordAudit({
    actor,
    action: 'update',
    entity: 'user',
    entityId: id,
    before: toUserJson(before),
    after: { ...json, ...(input.password !== undefined ? { passwordChanged: true } : {}) },
  });
  return json;
}

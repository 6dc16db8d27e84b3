// Sign-in, sign-out and first-run setup.
import type { SetupInput } from '../../../shared/schemas/users.ts';
import { AppError, conflict, isDuplicateKeyError } from '../../lib/errors.ts';
import { recordAudit } from '../audit/service.ts';
import { User, toUserJson, type UserDoc } from '../users/model.ts';
import { createUser } from '../users/service.ts';
import { SetupClaim } from './model.ts';
import { verifyPassword } from './passwords.ts';
import { createLoginSession } from './sessions.ts';

export async function isSetupRequired(): Promise<boolean> {
  return (await User.estimatedDocumentCount()) === 0 && (await User.countDocuments()) === 0;
}

const FIRST_ADMIN_CLAIM = 'first-admin';

/** Creates the first admin; only possible while no user exists, and only once. */
export async function setupFirstAdmin(input: SetupInput) {
  if (!(await isSetupRequired())) throw conflict('setup_done', 'ActiveGroups is already set up. Please sign in.');
  try {
    await SetupClaim.create({ _id: FIRST_ADMIN_CLAIM, at: new Date() });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw conflict('setup_done', 'ActiveGroups is already set up. Please sign in.');
    throw err;
  }
  try {
    const user = await createUser({ ...input, role: 'admin', schoolIds: [] }, null);
    const token = await createLoginSession(await userObjectId(user.id));
    return { user, token };
  } catch (err) {
    await SetupClaim.deleteOne({ _id: FIRST_ADMIN_CLAIM }); // let the admin try again
    throw err;
  }
}

async function userObjectId(id: string) {
  const user = await User.findById(id).lean<UserDoc>();
  return user!._id;
}

export async function login(username: string, password: string) {
  const user = await User.findOne({ username }).lean<UserDoc>();
  const ok = await verifyPassword(user?.passwordHash, password);
  if (!user || !ok || !user.active) {
    await recordAudit({ actor: null, action: 'login_failed', entity: 'sign_in', meta: { username } });
    throw new AppError(401, 'invalid_credentials', 'Wrong username or password.');
  }
  await User.updateOne({ _id: user._id }, { $set: { lastLoginAt: new Date() } });
  const token = await createLoginSession(user._id);
  const json = toUserJson(user);
  await recordAudit({ actor: { id: json.id, username: json.username }, action: 'login', entity: 'sign_in', entityId: json.id });
  return { user: json, token };
}

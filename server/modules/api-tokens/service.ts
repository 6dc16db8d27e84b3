// Personal API tokens: create (shown once), list, revoke, and resolve the token a script sends to
// the user it acts for. A token carries no rights of its own: the request runs as its owner, with
// the owner's current role and schools, through the same policy module as the browser.
import { createHash, randomBytes } from 'node:crypto';
import { apiTokenLimits, type CreateApiTokenInput } from '../../../shared/schemas/api-tokens.ts';
import { AppError, conflict, isDuplicateKeyError, notFound } from '../../lib/errors.ts';
import type { Actor } from '../../lib/policy.ts';
import { recordAudit } from '../audit/service.ts';
import { User, type UserDoc } from '../users/model.ts';
import { ApiToken, ApiTokenEvent, toApiTokenJson, type ApiTokenDoc } from './model.ts';

/** Recognisable in logs and secret scanners; the random part is 32 bytes (256 bits). */
const TOKEN_PREFIX = 'agt_';
const TOKEN_PATTERN = /^agt_[A-Za-z0-9_-]{43}$/;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Record "last used" at most this often, to avoid a write on every request. */
const TOUCH_EVERY_MS = 5 * 60 * 1000;

/** True for the one caller that claims the event first (see ApiTokenEvent). */
async function claimOnce(tokenId: string, event: 'first_use' | 'revoke', at: Date): Promise<boolean> {
  try {
    await ApiTokenEvent.create({ _id: `${tokenId}:${event}`, at });
    return true;
  } catch (err) {
    if (isDuplicateKeyError(err)) return false;
    throw err;
  }
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createApiToken(actor: Actor, input: CreateApiTokenInput) {
  const now = new Date();
  const active = await ApiToken.countDocuments({ userId: actor.id, revokedAt: null, expiresAt: { $gt: now } });
  if (active >= apiTokenLimits.activePerUserMax) {
    throw conflict('too_many_tokens', `You have ${active} active API tokens, the most allowed. Revoke one you no longer use.`);
  }
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const doc = await ApiToken.create({
    userId: actor.id,
    name: input.name,
    tokenHash: hashApiToken(token),
    prefix: token.slice(0, TOKEN_PREFIX.length + 4),
    createdAt: now,
    expiresAt: new Date(now.getTime() + input.expiresInDays * DAY_MS),
  });
  const apiToken = toApiTokenJson(doc.toObject() as ApiTokenDoc, now);
  await recordAudit({ actor, action: 'create', entity: 'api_token', entityId: apiToken.id, after: apiToken });
  return { token, apiToken };
}

export async function listApiTokens(actor: Actor) {
  const docs = await ApiToken.find({ userId: actor.id }).sort({ createdAt: -1 }).lean<ApiTokenDoc[]>();
  const now = new Date();
  return { items: docs.map((d) => toApiTokenJson(d, now)) };
}

/** Revoking twice is harmless (audited once). Only the owner may revoke. */
export async function revokeApiToken(actor: Actor, id: string) {
  const doc = await ApiToken.findOne({ _id: id, userId: actor.id }).lean<ApiTokenDoc>();
  if (!doc) throw notFound('This API token');
  if (doc.revokedAt) return toApiTokenJson(doc);
  const revokedAt = new Date();
  await ApiToken.updateOne({ _id: doc._id }, { $set: { revokedAt } });
  const after = toApiTokenJson({ ...doc, revokedAt });
  if (await claimOnce(after.id, 'revoke', revokedAt)) {
    await recordAudit({ actor, action: 'revoke', entity: 'api_token', entityId: after.id, before: toApiTokenJson(doc), after });
  }
  return after;
}

const refused = (code: 'token_invalid' | 'token_expired' | 'token_revoked' | 'token_user_inactive', message: string) =>
  new AppError(401, code, message);

/** The user a request's token acts for; a refused token is a 401 whose code says why. */
export async function userForApiToken(token: string): Promise<{ user: UserDoc; tokenId: string }> {
  if (!TOKEN_PATTERN.test(token)) throw refused('token_invalid', 'This API token is not valid. Copy it again or create a new one.');
  const doc = await ApiToken.findOne({ tokenHash: hashApiToken(token) }).lean<ApiTokenDoc>();
  if (!doc) throw refused('token_invalid', 'This API token is not valid. Copy it again or create a new one.');
  if (doc.revokedAt) throw refused('token_revoked', 'This API token was revoked. Create a new one.');
  const now = new Date();
  if (doc.expiresAt.getTime() <= now.getTime()) throw refused('token_expired', 'This API token has expired. Create a new one.');
  const user = await User.findById(doc.userId).lean<UserDoc>();
  if (!user || !user.active) throw refused('token_user_inactive', 'The account this API token belongs to is deactivated.');
  if (!doc.lastUsedAt || now.getTime() - doc.lastUsedAt.getTime() > TOUCH_EVERY_MS) {
    await ApiToken.updateOne({ _id: doc._id }, { $set: { lastUsedAt: now } });
    // The first use is audited (the moment a token starts working for a script); later uses only
    // move "last used".
    if (!doc.lastUsedAt && (await claimOnce(String(doc._id), 'first_use', now))) {
      await recordAudit({ actor: { id: String(user._id), username: user.username }, action: 'first_use', entity: 'api_token', entityId: String(doc._id) });
    }
  }
  return { user, tokenId: String(doc._id) };
}

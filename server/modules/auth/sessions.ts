// Login sessions: creation, lookup with sliding expiry, removal and periodic clean-up.
import mongoose from 'mongoose';
import { User, type UserDoc } from '../users/model.ts';
import { cachedById } from '../../db/sole-writer-cache.ts';
import { LoginSession } from './model.ts';
import { hashSessionToken, newSessionToken } from './tokens.ts';

/** Idle timeout: a teacher's phone stays signed in through a school day. */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** Absolute lifetime: sign in again at least weekly. */
export const SESSION_MAX_MS = 7 * 24 * 60 * 60 * 1000;
/** Extend the expiry at most this often, to avoid a write on every request. */
const TOUCH_EVERY_MS = 5 * 60 * 1000;

export async function createLoginSession(userId: mongoose.Types.ObjectId): Promise<string> {
  const token = newSessionToken();
  const now = new Date();
  await LoginSession.create({
    _id: hashSessionToken(token),
    userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + SESSION_IDLE_MS),
  });
  return token;
}

/** The active user behind a session token, or null (unknown, expired or deactivated). */
export async function userForSessionToken(token: string): Promise<UserDoc | null> {
  const id = hashSessionToken(token);
  // Remembered on the embedded engine (db/sole-writer-cache.ts): sign-out, a password change or a
  // deactivation writes these models, which forgets them at once.
  const session = await cachedById(LoginSession, id, () => LoginSession.findById(id).lean());
  const now = Date.now();
  if (!session || session.expiresAt.getTime() <= now) return null;
  const user = await cachedById(User, session.userId, () => User.findById(session.userId).lean<UserDoc>());
  if (!user || !user.active) return null;
  if (now - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    const expiresAt = Math.min(now + SESSION_IDLE_MS, session.createdAt.getTime() + SESSION_MAX_MS);
    await LoginSession.updateOne({ _id: id }, { $set: { lastSeenAt: new Date(now), expiresAt: new Date(expiresAt) } });
  }
  return user;
}

export async function deleteLoginSession(token: string): Promise<void> {
  await LoginSession.deleteOne({ _id: hashSessionToken(token) });
}

export async function deleteSessionsOfUser(userId: mongoose.Types.ObjectId | string): Promise<void> {
  await LoginSession.deleteMany({ userId });
}

export async function deleteExpiredSessions(now = new Date()): Promise<number> {
  const result = await LoginSession.deleteMany({ expiresAt: { $lte: now } });
  return result.deletedCount;
}

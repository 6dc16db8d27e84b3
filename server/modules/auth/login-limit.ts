// Throttling of password guessing (OWASP Authentication Cheat Sheet: limit failed attempts per
// account and per source). Only FAILED sign-ins count: per username across all addresses (a
// distributed guess at one account) and per client address across all usernames (one address
// spraying a common password over many accounts).
//
// Stored in the database, so limits survive restarts and are shared by every app process. One
// document per attempt, counted — not a counter with $inc, which FerretDB's read-modify-write
// updates can lose under concurrency (shared/DESIGN.md §2 rule 7). An attempt is inserted BEFORE
// the password is checked and counted including itself, so N concurrent guesses can never all
// slip under the limit; a successful sign-in removes its own document, so it never counts.
// Old documents are removed by a periodic delete, not a TTL index (§2 rule 3).
import mongoose, { Schema } from 'mongoose';
import { ipKeyGenerator } from 'express-rate-limit';
import { AppError } from '../../lib/errors.ts';

/** Window of the limits (OWASP: throttle over minutes; the product's choice is 15). */
export const LOGIN_WINDOW_MS = 15 * 60 * 1000;

export interface LoginLimits {
  /** Failed sign-ins per username in the window, from any address (product default 10). */
  perUsername: number;
  /**
   * Failed sign-ins per client address in the window, over all usernames (product default 20:
   * a whole school behind one NAT address may mistype a few times; 30 usernames × 1 guess may not).
   */
  perAddress: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perUsername: 10, perAddress: 20 };

const loginAttemptSchema = new Schema(
  {
    username: { type: String, required: true },
    /** Client address (IPv6 grouped by /56 as express-rate-limit does, so one host is one key). */
    address: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
loginAttemptSchema.index({ username: 1, at: 1 });
loginAttemptSchema.index({ address: 1, at: 1 });
loginAttemptSchema.index({ at: 1 });

export const LoginAttempt = mongoose.model('LoginAttempt', loginAttemptSchema, 'login_attempts');

export function addressKey(ip: string | undefined): string {
  return ipKeyGenerator(ip ?? '');
}

export interface PendingAttempt {
  /** The password was right: this attempt does not count. */
  succeeded(): Promise<void>;
}

/**
 * Records a sign-in attempt before the password is checked; refuses with 429 when the username or
 * the address already has its limit of failed attempts in the window.
 */
export async function beginLoginAttempt(username: string, ip: string | undefined, limits: LoginLimits, now = new Date()): Promise<PendingAttempt> {
  const address = addressKey(ip);
  const { _id } = await LoginAttempt.create({ username, address, at: now });
  const since = new Date(now.getTime() - LOGIN_WINDOW_MS);
  const [byUsername, byAddress] = await Promise.all([
    LoginAttempt.countDocuments({ username, at: { $gt: since } }),
    LoginAttempt.countDocuments({ address, at: { $gt: since } }),
  ]);
  if (byUsername > limits.perUsername || byAddress > limits.perAddress) {
    // A refused attempt checks no password, so it is not a failure of its own.
    await LoginAttempt.deleteOne({ _id });
    throw new AppError(429, 'rate_limited', 'Too many failed sign-in attempts. Wait 15 minutes and try again.', {
      retryAfterSeconds: LOGIN_WINDOW_MS / 1000,
    });
  }
  return {
    succeeded: async () => {
      await LoginAttempt.deleteOne({ _id });
    },
  };
}

/** Periodic clean-up of attempts older than the window. */
export async function deleteOldLoginAttempts(now = new Date()): Promise<number> {
  const result = await LoginAttempt.deleteMany({ at: { $lte: new Date(now.getTime() - LOGIN_WINDOW_MS) } });
  return result.deletedCount;
}

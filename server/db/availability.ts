// Is the database reachable? The embedded engine's supervisor (provision.ts) says so the moment
// its process dies and again once it is back; driver errors about an unreachable server say so for
// any engine. While it is down, API calls answer 503 `database_unavailable` at once instead of
// waiting for the driver's timeouts and ending in a 500.
import mongoose from 'mongoose';
import { AppError } from '../lib/errors.ts';

let downReason: string | null = null;

export function markDatabaseDown(reason: string): void {
  downReason = reason;
}
export function markDatabaseUp(): void {
  downReason = null;
}
/** Why the database is known to be down, or null. */
export const databaseDownReason = (): string | null => downReason;

export const databaseUnavailable = () =>
  new AppError(503, 'database_unavailable', 'The database cannot be reached right now, so nothing was read or saved. Try again in a moment.');

/** Driver and mongoose errors that mean "no server to talk to", not a problem with the request. */
const connectionErrorNames = new Set([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);
export function isDatabaseConnectionError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { name, message } = err as { name?: unknown; message?: unknown };
  if (typeof name === 'string' && connectionErrorNames.has(name)) return true;
  // mongoose's command buffer while disconnected: "Operation `x.find()` buffering timed out after 10000ms".
  return typeof message === 'string' && /buffering timed out/.test(message);
}

/** A round trip to the server, bounded by `timeoutMs` (the health endpoint's answer). */
export async function pingDatabase(timeoutMs = 2_000): Promise<boolean> {
  const db = mongoose.connection.db;
  if (!db) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      db.admin().ping().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

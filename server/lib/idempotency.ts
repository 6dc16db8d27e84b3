// Idempotency keys for saves a phone may retry (shared/DESIGN.md §2): the client sends a
// generated id in the `Idempotency-Key` header; the first request with that key does the work and
// its response is stored; a retry with the same key and body gets the stored response and does
// nothing again. Claiming the key is an insert on `_id`, so two concurrent retries cannot both run.
//
// A claim is a lease: a key still `pending` after `leaseMs` belonged to a request whose process
// died (kill -9, power loss) or whose database went away mid-save. The next retry takes it over
// (a guarded write on the claim's `attempt`, so only one retry wins) and runs the save again. The
// work gets the key's id (`requestId`) and stores it with its write, so a save that had in fact
// reached the database before the crash is recognised and answered, not run twice.
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import mongoose, { Schema } from 'mongoose';
import { compareAndDelete, compareAndSet } from '../db/compare-and-set.ts';
import { AppError, isDuplicateKeyError } from './errors.ts';
import type { Actor } from './policy.ts';

const idempotencyKeySchema = new Schema(
  {
    _id: { type: String, required: true }, // `${userId}:${key}`
    requestHash: { type: String, required: true },
    state: { type: String, enum: ['pending', 'done'], required: true },
    status: { type: Number, default: null },
    response: { type: Schema.Types.Mixed, default: null },
    createdAt: { type: Date, required: true },
    /** When the current claim started; a pending claim older than the lease is taken over. */
    claimedAt: { type: Date, default: null },
    /** Counts claims (0 = first); the take-over is guarded on it. */
    attempt: { type: Number, default: 0 },
  },
  { versionKey: false, minimize: false },
);
idempotencyKeySchema.index({ createdAt: 1 });
export const IdempotencyKey = mongoose.model('IdempotencyKey', idempotencyKeySchema, 'idempotency_keys');

/** Keys are kept this long; retries come within minutes or, from an offline phone, days. */
export const IDEMPOTENCY_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** A save takes well under a second; 30 s without finishing means its process died (config IDEMPOTENCY_LEASE_MS). */
let leaseMs = 30_000;
export function setIdempotencyLease(ms: number): void {
  leaseMs = ms;
}

const keyPattern = /^[A-Za-z0-9_-]{8,80}$/;

export function idempotencyKeyOf(req: Request, required: boolean): string | undefined {
  const key = req.get('Idempotency-Key');
  if (key === undefined) {
    if (required) throw new AppError(400, 'idempotency_key_required', 'This save needs an Idempotency-Key header (a client-generated id).');
    return undefined;
  }
  if (!keyPattern.test(key)) throw new AppError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 8–80 letters, digits, "-" or "_".');
  return key;
}

/** A stored key (a type, not an interface, so it passes for the driver's plain document). */
type KeyDoc = {
  _id: string;
  requestHash: string;
  state: 'pending' | 'done';
  status: number | null;
  response: unknown;
  createdAt: Date;
  claimedAt?: Date | null;
  attempt?: number;
};

const inProgress = (retryAfterMs: number) =>
  new AppError(409, 'request_in_progress', 'The same save is still being processed. Try again in a moment.', {
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
  });

const keyReused = () => new AppError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request.');

const hashOf = (requestBody: unknown) => createHash('sha256').update(JSON.stringify(requestBody ?? null)).digest('hex');

/** The claim's guard: documents written before claims had an `attempt` match `null`. */
const claimGuard = (doc: KeyDoc) => ({ state: 'pending', attempt: doc.attempt ?? null });

/**
 * Claims the key for this request: a fresh insert, or the take-over of an expired pending claim.
 * Returns the claim's attempt number, or the stored response to replay.
 */
async function claim(id: string, requestHash: string): Promise<{ attempt: number } | { replay: KeyDoc }> {
  const now = new Date();
  try {
    await IdempotencyKey.create({ _id: id, requestHash, state: 'pending', createdAt: now, claimedAt: now, attempt: 0 });
    return { attempt: 0 };
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  const existing = await IdempotencyKey.findById(id).lean<KeyDoc>();
  if (!existing) throw inProgress(0); // deleted between our insert and read: the client retries
  if (existing.requestHash !== requestHash) throw keyReused();
  if (existing.state === 'done') return { replay: existing };
  const claimedAt = (existing.claimedAt ?? existing.createdAt).getTime();
  const leftMs = claimedAt + leaseMs - now.getTime();
  if (leftMs > 0) throw inProgress(leftMs);
  // The claim outlived its lease: its request died. Exactly one retry wins the take-over.
  const taken = await compareAndSet<KeyDoc>(IdempotencyKey, id, claimGuard(existing), { $set: { claimedAt: now }, $inc: { attempt: 1 } });
  if (!taken) {
    const current = await IdempotencyKey.findById(id).lean<KeyDoc>();
    if (current?.state === 'done') return { replay: current };
    throw inProgress(leaseMs);
  }
  return { attempt: taken.attempt ?? 1 };
}

/** The work behind an idempotent request: gets the request id to store with its write. */
type IdempotentWork<T> = (requestId: string | undefined) => Promise<{ status: number; body: T }>;
type IdempotentAnswer<T> = { status: number; body: T; replayed: boolean };

/** The stored answer of a finished key. */
const replayOf = <T>(doc: KeyDoc): IdempotentAnswer<T> => ({ status: doc.status ?? 200, body: doc.response as T, replayed: true });

/**
 * Runs `work` once per (user, key). Returns `{ status, body, replayed }`. `work` receives the
 * request id to store with its write (see above). JSON of the stored response must be storable
 * (no keys with "." or "$").
 */
export async function once<T>(
  actor: Actor,
  key: string | undefined,
  requestBody: unknown,
  work: IdempotentWork<T>,
): Promise<IdempotentAnswer<T>> {
  if (!key) return { ...(await work(undefined)), replayed: false };
  const id = `${actor.id}:${key}`;
  const requestHash = hashOf(requestBody);
  const claimed = await claim(id, requestHash);
  if ('replay' in claimed) return replayOf<T>(claimed.replay);
  const mine = { state: 'pending', attempt: claimed.attempt };
  let result: { status: number; body: T };
  try {
    result = await work(id);
  } catch (err) {
    // Failed work leaves nothing behind: the client may retry the same key after fixing the cause.
    // If even that fails (database gone), the claim expires after the lease.
    await compareAndDelete(IdempotencyKey, id, mine).catch(() => undefined);
    throw err;
  }
  // Only our own claim is completed (a take-over after our lease ran out owns the key now). The
  // work is stored: if completing the key fails, the answer stays a success and a later retry
  // takes the claim over and finds the save by its request id.
  await compareAndSet(IdempotencyKey, id, mine, {
    $set: { state: 'done', status: result.status, response: JSON.parse(JSON.stringify(result.body ?? null)) },
  }).catch(() => undefined);
  return { ...result, replayed: false };
}

/**
 * `once` for work that stores its request id with its one conditional write and recognises it
 * (`writtenBy`), such as a register save. There a duplicate running at the same time is harmless:
 * its conditional write fails, and it finds the first one's write instead. So no claim is written
 * before the work; the key's record is written once, when the work is done — one database write
 * fewer per request (issue 11). The request id names the body too, so the same key with another
 * body never passes for the first one's write (that gets the work's own conflict; after the first
 * is done, 422 as in `once`). A key with a pending claim (written by `once`) goes through `once`.
 */
export async function onceRecognisingItsWrite<T>(
  actor: Actor,
  key: string | undefined,
  requestBody: unknown,
  work: IdempotentWork<T>,
): Promise<IdempotentAnswer<T>> {
  if (!key) return { ...(await work(undefined)), replayed: false };
  const id = `${actor.id}:${key}`;
  const requestHash = hashOf(requestBody);
  const existing = await IdempotencyKey.findById(id).lean<KeyDoc>();
  if (existing) {
    if (existing.requestHash !== requestHash) throw keyReused();
    if (existing.state === 'done') return replayOf<T>(existing);
    return once(actor, key, requestBody, work);
  }
  const result = await work(`${id}:${requestHash.slice(0, 16)}`);
  const now = new Date();
  // A duplicate key means a duplicate finished first and stored the same answer. Any other failure
  // leaves the answer a success too: the work is stored, and a retry finds it by its request id.
  const record: Record<string, unknown> = doneRecord(id, requestHash, result, now);
  await IdempotencyKey.collection.insertOne(record).catch(() => undefined);
  return { ...result, replayed: false };
}

/**
 * The stored record of a key whose work is done, with every field of the schema already in its
 * stored type: onceRecognisingItsWrite inserts it through the driver, because building a mongoose
 * document around the stored response (a whole session) cost the register save a noticeable share
 * of the app's CPU (issue 11). Tests pin it to mongoose's cast of the same fields.
 */
export function doneRecord(id: string, requestHash: string, result: { status: number; body: unknown }, now: Date): KeyDoc {
  return { _id: id, requestHash, state: 'done', status: result.status, response: JSON.parse(JSON.stringify(result.body ?? null)), createdAt: now, claimedAt: now, attempt: 0 };
}

/** True when `doc` was last written by this very request (a retry after a crash finds its own save). */
export function writtenBy(doc: { lastRequestId?: string | null }, requestId: string | undefined): boolean {
  return requestId !== undefined && doc.lastRequestId === requestId;
}

/** Schema path storing the id of the idempotent request that last wrote the document. */
export const lastRequestIdPath = { type: String, default: null };

export async function deleteExpiredIdempotencyKeys(now = Date.now()): Promise<number> {
  const result = await IdempotencyKey.deleteMany({ createdAt: { $lt: new Date(now - IDEMPOTENCY_RETENTION_MS) } });
  return result.deletedCount;
}

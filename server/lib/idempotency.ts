// Idempotency keys for saves a phone may retry (shared/DESIGN.md §2): the client sends a
// generated id in the `Idempotency-Key` header; the first request with that key does the work and
// its response is stored; a retry with the same key and body gets the stored response and does
// nothing again. Claiming the key is an insert on `_id`, so two concurrent retries cannot both run.
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import mongoose, { Schema } from 'mongoose';
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
  },
  { versionKey: false, minimize: false },
);
idempotencyKeySchema.index({ createdAt: 1 });
export const IdempotencyKey = mongoose.model('IdempotencyKey', idempotencyKeySchema, 'idempotency_keys');

/** Keys are kept this long; retries come within minutes or, from an offline phone, days. */
export const IDEMPOTENCY_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

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

/**
 * Runs `work` once per (user, key). Returns `{ status, body, replayed }`. JSON of the stored
 * response must be storable (no keys with "." or "$").
 */
export async function once<T>(
  actor: Actor,
  key: string | undefined,
  requestBody: unknown,
  work: () => Promise<{ status: number; body: T }>,
): Promise<{ status: number; body: T; replayed: boolean }> {
  if (!key) return { ...(await work()), replayed: false };
  const id = `${actor.id}:${key}`;
  const requestHash = createHash('sha256').update(JSON.stringify(requestBody ?? null)).digest('hex');
  try {
    await IdempotencyKey.create({ _id: id, requestHash, state: 'pending', createdAt: new Date() });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const existing = await IdempotencyKey.findById(id).lean();
    if (!existing) throw err;
    if (existing.requestHash !== requestHash) {
      throw new AppError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request.');
    }
    if (existing.state === 'pending') {
      throw new AppError(409, 'request_in_progress', 'The same save is still being processed. Try again in a moment.');
    }
    return { status: existing.status ?? 200, body: existing.response as T, replayed: true };
  }
  try {
    const result = await work();
    await IdempotencyKey.updateOne(
      { _id: id },
      { $set: { state: 'done', status: result.status, response: JSON.parse(JSON.stringify(result.body ?? null)) } },
    );
    return { ...result, replayed: false };
  } catch (err) {
    // Failed work leaves nothing behind: the client may retry the same key after fixing the cause.
    await IdempotencyKey.deleteOne({ _id: id });
    throw err;
  }
}

export async function deleteExpiredIdempotencyKeys(now = Date.now()): Promise<number> {
  const result = await IdempotencyKey.deleteMany({ createdAt: { $lt: new Date(now - IDEMPOTENCY_RETENTION_MS) } });
  return result.deletedCount;
}

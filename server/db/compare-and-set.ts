// Optimistic concurrency in one place: change a document only if it still matches what the
// caller read (its `version`, and any other guard fields such as `status`).
//
// MongoDB: one conditional findOneAndUpdate on `{ _id, ...guard }` — atomic in the server.
// FerretDB 1.24 (SQLite): its updates are read-modify-write without a lock (two writers at the
// same version both "match"; its `$inc` loses increments too), so a conditional filter is not a
// guard there. The embedded FerretDB serves exactly one app process (server/db/data-dir-lock.ts
// refuses a second), so every conditional write of one document runs inside this process one
// after another (`serialisedWrite`). Inside that queue the embedded build runs the same single
// conditional write as MongoDB: its `{ _id, ...guard }` filter selects by `_id` in SQL
// (tools/ferretdb/id-pushdown.patch). A stock FerretDB 1.x would scan the collection for that
// filter (measured on 5 000 documents: 86 ms against 7 ms for `{ _id }`), so there the queue
// reads by `_id`, checks the guard here and writes by `_id`.
//
// Every write to a guarded document must come through here (or `serialisedWrite`), or it could
// slip between the read and the write.
import type { Model, UpdateQuery } from 'mongoose';
import { engineTraits } from './connection.ts';

type Guard = Record<string, string | number | boolean | null | { toString(): string }>;

function matches(doc: Record<string, unknown>, guard: Guard): boolean {
  return Object.entries(guard).every(([key, expected]) => {
    const actual = doc[key];
    // Like MongoDB, `null` matches a missing field too.
    if (expected === null) return actual === null || actual === undefined;
    if (expected instanceof Date) return actual instanceof Date && actual.getTime() === expected.getTime();
    return actual !== null && actual !== undefined && String(actual) === String(expected);
  });
}

/** Tail of the queue of writes per document key; removed when the queue empties. */
const queues = new Map<string, Promise<void>>();

/** Runs `work` after every earlier queued work of the same key has finished (FIFO, in-process). */
async function inQueue<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  queues.set(key, tail);
  await previous;
  try {
    return await work();
  } finally {
    release();
    if (queues.get(key) === tail) queues.delete(key);
  }
}

/**
 * Runs a read-check-write of one document so that no other write of the same document through
 * this module interleaves: queued per document on FerretDB, direct on MongoDB (whose single-document
 * operations are atomic and which may serve several app processes).
 */
export function serialisedWrite<T>(model: Model<any>, id: unknown, work: () => Promise<T>): Promise<T> {
  if (!engineTraits().updatesAreReadModifyWrite) return work();
  return inQueue(`${model.db.name}.${model.collection.collectionName}:${String(id)}`, work);
}

/**
 * Runs `update` with the filter that guards it: `{ _id, ...guard }` where the engine applies it
 * atomically or (embedded build) inside the document's queue; on a stock FerretDB, inside the
 * queue after checking the guard here, with `{ _id }`.
 */
function guardedUpdate<T>(model: Model<any>, id: unknown, guard: Guard, update: (filter: Record<string, unknown>) => Promise<T | null>): Promise<T | null> {
  if (!engineTraits().updatesAreReadModifyWrite) return update({ _id: id, ...guard });
  if (engineTraits().idFiltersUseIndex) return serialisedWrite(model, id, () => update({ _id: id, ...guard }));
  return serialisedWrite(model, id, async () => {
    const current = await model.findById(id).lean<Record<string, unknown>>();
    if (!current || !matches(current, guard)) return null;
    return update({ _id: id });
  });
}

/** The updated document (lean), or null when the document is gone or no longer matches the guard. */
export function compareAndSet<T>(model: Model<any>, id: unknown, guard: Guard, update: UpdateQuery<unknown>): Promise<T | null> {
  return guardedUpdate(model, id, guard, (filter) => model.findOneAndUpdate(filter, update, { returnDocument: 'after' }).lean<T>());
}

/**
 * compareAndSet for an update whose id, guard and values are already in their stored types, sent
 * through the driver without mongoose's casting. For a big update on a hot path: casting a
 * register's 30 entries into subdocuments and serialising them again cost a register save about
 * 0.9 ms of the app's CPU, against 0.03 ms for the plain update (issue 11). The caller sets what
 * mongoose would add (`updatedAt` of `timestamps`); a test pins its update to mongoose's cast.
 */
export function compareAndSetStored<T>(model: Model<any>, id: unknown, guard: Guard, update: { $set: Record<string, unknown>; $inc?: Record<string, number> }): Promise<T | null> {
  return guardedUpdate(model, id, guard, (filter) => model.collection.findOneAndUpdate(filter, update, { returnDocument: 'after' }) as Promise<T | null>);
}

/** Deletes the document only if it still matches the guard; true when it was deleted. */
export async function compareAndDelete(model: Model<any>, id: unknown, guard: Guard): Promise<boolean> {
  if (!engineTraits().updatesAreReadModifyWrite) {
    return (await model.deleteOne({ _id: id, ...guard })).deletedCount === 1;
  }
  if (engineTraits().idFiltersUseIndex) {
    return serialisedWrite(model, id, async () => (await model.deleteOne({ _id: id, ...guard })).deletedCount === 1);
  }
  return serialisedWrite(model, id, async () => {
    const current = await model.findById(id).lean<Record<string, unknown>>();
    if (!current || !matches(current, guard)) return false;
    return (await model.deleteOne({ _id: id })).deletedCount === 1;
  });
}

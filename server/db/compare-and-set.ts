// Optimistic concurrency in one place: change a document only if it still matches what the
// caller read (its `version`, and any other guard fields such as `status`).
//
// MongoDB: one conditional findOneAndUpdate on `{ _id, ...guard }` — atomic.
// FerretDB 1.24 (SQLite): only a filter of exactly `{ _id }` is pushed down to SQLite; any other
// filter reads and decodes the whole collection (measured here on 5 000 documents: 86 ms for
// findOneAndUpdate({ _id, version }) against 7 ms for findOneAndUpdate({ _id }), growing with the
// collection). FerretDB's updates are read-modify-write anyway (shared/DESIGN.md §2 rule 7), so
// there the guard is checked on a read by `_id` and the write filters on `_id` alone: the same
// result for a stale version (tested on both engines), at the cost of the index lookup only.
import type { Model, UpdateQuery } from 'mongoose';
import { engineTraits } from './connection.ts';

type Guard = Record<string, string | number | boolean | null | { toString(): string }>;

function matches(doc: Record<string, unknown>, guard: Guard): boolean {
  return Object.entries(guard).every(([key, expected]) => {
    const actual = doc[key];
    // Like MongoDB, `null` matches a missing field too.
    if (expected === null) return actual === null || actual === undefined;
    return actual !== null && actual !== undefined && String(actual) === String(expected);
  });
}

/** The updated document (lean), or null when the document is gone or no longer matches the guard. */
export async function compareAndSet<T>(model: Model<any>, id: unknown, guard: Guard, update: UpdateQuery<unknown>): Promise<T | null> {
  if (!engineTraits().filtersOnlyIdEfficiently) {
    return model.findOneAndUpdate({ _id: id, ...guard }, update, { returnDocument: 'after' }).lean<T>();
  }
  const current = await model.findById(id).lean<Record<string, unknown>>();
  if (!current || !matches(current, guard)) return null;
  return model.findOneAndUpdate({ _id: id }, update, { returnDocument: 'after' }).lean<T>();
}

/** Deletes the document only if it still matches the guard; true when it was deleted. */
export async function compareAndDelete(model: Model<any>, id: unknown, guard: Guard): Promise<boolean> {
  if (!engineTraits().filtersOnlyIdEfficiently) {
    return (await model.deleteOne({ _id: id, ...guard })).deletedCount === 1;
  }
  const current = await model.findById(id).lean<Record<string, unknown>>();
  if (!current || !matches(current, guard)) return false;
  return (await model.deleteOne({ _id: id })).deletedCount === 1;
}

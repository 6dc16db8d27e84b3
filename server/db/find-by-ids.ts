// Reading a known set of documents by `_id`, shaped for the engine.
//
// MongoDB: one `{ _id: { $in: ids } }` query (the _id index serves it).
// Embedded FerretDB: the same, in batches of at most ID_PUSHDOWN_MAX_IN ids, which its SQLite
// backend selects through the `_id_` index (tools/ferretdb/id-pushdown.patch).
// Stock FerretDB 1.24: only a filter of exactly `{ _id: value }` reaches SQLite; `$in` reads and
// decodes the whole collection in Go. There, one `findById` per id (a few at a time) costs a few
// index lookups instead of a scan whose price grows with the collection (measured: 30 children
// out of 1 200 — 460 ms as `$in` on a busy machine, a few ms as lookups; a county holds 100 000).
import type { Model } from 'mongoose';
import { engineTraits, ID_PUSHDOWN_MAX_IN } from './connection.ts';

/** Lookups in flight at once on FerretDB: enough to overlap round trips, few enough to stay fair. */
const PARALLEL_LOOKUPS = 16;

/** The documents with these ids (lean, in no particular order); ids that do not exist are left out. */
export async function findByIds<T>(model: Model<any>, ids: readonly unknown[], projection?: Record<string, 0 | 1>): Promise<T[]> {
  const unique = [...new Set(ids.map(String))];
  if (unique.length === 0) return [];
  if (!engineTraits().filtersOnlyIdEfficiently) {
    return model.find({ _id: { $in: unique } }, projection).lean<T[]>();
  }
  if (engineTraits().idFiltersUseIndex) {
    const batches = idBatches(unique).map((batch) => model.find({ _id: { $in: batch } }, projection).lean<T[]>());
    return (await Promise.all(batches)).flat();
  }
  const found: T[] = [];
  for (let i = 0; i < unique.length; i += PARALLEL_LOOKUPS) {
    const batch = await Promise.all(unique.slice(i, i + PARALLEL_LOOKUPS).map((id) => model.findById(id, projection).lean<T>()));
    for (const doc of batch) if (doc) found.push(doc);
  }
  return found;
}

/** `ids` in slices the engine selects by index as one `{ _id: { $in } }` filter. */
export function idBatches<T>(ids: readonly T[]): T[][] {
  const size = engineTraits().filtersOnlyIdEfficiently ? ID_PUSHDOWN_MAX_IN : Math.max(1, ids.length);
  const batches: T[][] = [];
  for (let i = 0; i < ids.length; i += size) batches.push(ids.slice(i, i + size));
  return batches;
}

/**
 * Deletes the documents with these ids that also match `filter` (e.g. a `sourceReadAt` guard), in
 * batches the engine selects by `_id` (see above). Returns how many were deleted.
 */
export async function deleteByIds(model: Model<any>, ids: readonly unknown[], filter: Record<string, unknown> = {}): Promise<number> {
  let deleted = 0;
  for (const batch of idBatches([...new Set(ids.map(String))])) {
    deleted += (await model.deleteMany({ _id: { $in: batch }, ...filter })).deletedCount;
  }
  return deleted;
}

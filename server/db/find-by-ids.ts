// Reading a known set of documents by `_id`, shaped for the engine.
//
// MongoDB: one `{ _id: { $in: ids } }` query (the _id index serves it).
// FerretDB 1.24 (SQLite): only a filter of exactly `{ _id: value }` reaches SQLite (and, with
// tools/ferretdb/id-index.patch, its index); `$in` reads and decodes the whole collection in Go.
// There, one `findById` per id (a few at a time) costs a few index lookups instead of a scan
// whose price grows with the collection (measured: 30 children out of 1 200 — 460 ms as `$in` on
// a busy machine, a few ms as lookups; a county holds 100 000 children).
import type { Model } from 'mongoose';
import { engineTraits } from './connection.ts';

/** Lookups in flight at once on FerretDB: enough to overlap round trips, few enough to stay fair. */
const PARALLEL_LOOKUPS = 16;

/** The documents with these ids (lean, in no particular order); ids that do not exist are left out. */
export async function findByIds<T>(model: Model<any>, ids: readonly unknown[], projection?: Record<string, 0 | 1>): Promise<T[]> {
  const unique = [...new Set(ids.map(String))];
  if (unique.length === 0) return [];
  if (!engineTraits().filtersOnlyIdEfficiently) {
    return model.find({ _id: { $in: unique } }, projection).lean<T[]>();
  }
  const found: T[] = [];
  for (let i = 0; i < unique.length; i += PARALLEL_LOOKUPS) {
    const batch = await Promise.all(unique.slice(i, i + PARALLEL_LOOKUPS).map((id) => model.findById(id, projection).lean<T>()));
    for (const doc of batch) if (doc) found.push(doc);
  }
  return found;
}

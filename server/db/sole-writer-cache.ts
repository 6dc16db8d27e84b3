// Lean documents by `_id`, remembered between requests only where this process is the database's
// only writer: the embedded FerretDB (its data-directory lock refuses a second app process; the
// write queue in compare-and-set.ts rests on the same premise), never with MONGODB_URI. On
// that engine every read is a round trip that decodes the whole document, and a register save read
// the same login session, user, group and programme each time (4 of its 10 database operations).
// Measured (bench/register-save.ts, 60 saves/s, back to back): CPU per save 22.4–23.0 → 19.2–19.5 ms,
// p95 0.31–0.34 → 0.15–0.18 s.
//
// Every write to a model through mongoose — query, document and model middleware, before, after
// and on error — forgets that model's documents, and a read that a write overlapped is not kept.
// Writes that bypass mongoose (`Model.collection`, dropDatabase) are not seen, so use it only for
// models their services write, and only on hot paths. Documents come back frozen: shared between
// requests, they must not be changed by any of them.
import type { Model, Schema } from 'mongoose';
import { engineTraits } from './connection.ts';

/** Forgotten all at once beyond this many documents of a model (a school has tens of users and groups). */
const MAX_DOCUMENTS = 5_000;

interface ModelCache {
  /** Bumped by every write, before and after it: a read that saw it change keeps nothing. */
  generation: number;
  docs: Map<string, unknown>;
}
const caches = new Map<string, ModelCache>();

/** Set by createApp: true only on the embedded FerretDB, whose data-directory lock makes this process its only writer. */
let enabled = false;
export function rememberReads(on: boolean): void {
  enabled = on;
  for (const cache of caches.values()) {
    cache.generation++;
    cache.docs.clear();
  }
}

function cacheOf(modelName: string): ModelCache {
  let cache = caches.get(modelName);
  if (!cache) {
    cache = { generation: 0, docs: new Map() };
    caches.set(modelName, cache);
  }
  return cache;
}

const WRITE_QUERIES = ['updateOne', 'updateMany', 'findOneAndUpdate', 'findOneAndDelete', 'findOneAndReplace', 'replaceOne', 'deleteOne', 'deleteMany'];

/** Schema plugin (before `mongoose.model()`): any write to the model forgets its remembered documents. */
export function forgetOnWrite(schema: Schema, modelName: string): void {
  const forget = () => {
    const cache = cacheOf(modelName);
    cache.generation++;
    cache.docs.clear();
  };
  const hooks: [string[], Record<string, boolean>][] = [
    [WRITE_QUERIES, { query: true, document: false }],
    [['save', 'deleteOne', 'updateOne'], { document: true, query: false }],
    [['insertMany', 'bulkWrite'], {}],
  ];
  for (const [names, options] of hooks) {
    // Casts: mongoose types each hook kind separately; every one of these takes a plain callback.
    schema.pre(names as never, options as never, function () {
      forget();
    });
    schema.post(names as never, options as never, function () {
      forget();
    });
    // Three parameters make it an error handler (kareem); it only forgets, so the error goes on as it was.
    schema.post(names as never, options as never, async function (_error: unknown, _result: unknown, _next: unknown) {
      forget();
    });
  }
}

/** Freezes plain objects and arrays all the way down (ObjectIds, dates and buffers are left as they are). */
function deepFreeze<T>(value: T): T {
  const plain = Array.isArray(value) || (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype);
  if (plain && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value as object)) deepFreeze(inner);
  }
  return value;
}

/**
 * The document `load` reads (a lean find by this `_id`), remembered on the embedded engine; with
 * MONGODB_URI (another process may write) `load` runs every time.
 */
export async function cachedById<T>(model: Model<any>, id: unknown, load: () => Promise<T | null>): Promise<Readonly<T> | null> {
  if (!enabled || !engineTraits().updatesAreReadModifyWrite) return load();
  const cache = cacheOf(model.modelName);
  const key = `${model.db.name}:${String(id)}`; // a test or tool may switch databases
  if (cache.docs.has(key)) return cache.docs.get(key) as T | null;
  const generation = cache.generation;
  const doc = await load();
  if (cache.generation === generation) {
    if (cache.docs.size >= MAX_DOCUMENTS) cache.docs.clear();
    cache.docs.set(key, deepFreeze(doc));
  }
  return doc;
}

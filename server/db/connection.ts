// One mongoose connection per process; models are registered on the default connection.
import mongoose from 'mongoose';
import type { DatabaseEngine } from './provision.ts';

export interface DatabaseInfo {
  engine: DatabaseEngine;
  /** Wire-protocol version the server reports (FerretDB reports the MongoDB version it emulates). */
  version: string;
  ferretdbVersion?: string;
}

/** What the connected server does differently (see compare-and-set.ts). */
export interface EngineTraits {
  /** FerretDB 1.x: only filters on `_id` use an index; anything else scans the collection. */
  filtersOnlyIdEfficiently: boolean;
  /**
   * The engine selects by `_id` in SQL also when the filter has other keys (`{ _id, version }`) or
   * is `{ _id: { $in: [...] } }` (at most ID_PUSHDOWN_MAX_IN ids). True for MongoDB and for the
   * embedded FerretDB build (tools/ferretdb/id-pushdown.patch); false for a stock FerretDB 1.x,
   * which pushes down only a filter of exactly `{ _id: value }`. Probed at connect.
   */
  idFiltersUseIndex: boolean;
  /**
   * FerretDB 1.x (SQLite): updates are read-modify-write without a lock, so conditional filters
   * and `$inc` race between concurrent writers; conditional writes are serialised in-process.
   */
  updatesAreReadModifyWrite: boolean;
}
let traits: EngineTraits = { filtersOnlyIdEfficiently: false, idFiltersUseIndex: true, updatesAreReadModifyWrite: false };
export const engineTraits = (): EngineTraits => traits;

/** The server's buildInfo, read once at connect (engine traits, health). */
let buildInfo: { version?: string; ferretdbVersion?: string } | null = null;

export async function connectDatabase(uri: string, dbName: string): Promise<void> {
  // strictQuery: unknown filter keys are dropped rather than sent (defence in depth next to zod).
  mongoose.set('strictQuery', true);
  await mongoose.connect(uri, { dbName, serverSelectionTimeoutMS: 10_000, autoIndex: true });
  buildInfo = (await mongoose.connection.db!.admin().command({ buildInfo: 1 })) as { version?: string; ferretdbVersion?: string };
  const ferretdb = buildInfo.ferretdbVersion !== undefined;
  // Indexes must exist before the app relies on them (unique usernames, school codes).
  await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
  traits = { filtersOnlyIdEfficiently: ferretdb, idFiltersUseIndex: !ferretdb || (await ferretdbPushesDownIdFilters()), updatesAreReadModifyWrite: ferretdb };
}

/** Longest `$in` list of ids the embedded FerretDB selects in SQL (tools/ferretdb/id-pushdown.patch). */
export const ID_PUSHDOWN_MAX_IN = 500;

/**
 * Asks FerretDB's explain whether a filter with `_id` and another key is pushed down to SQL: the
 * embedded build says yes, a stock FerretDB 1.x says no. Explain needs an existing collection;
 * `model.init()` above has created the indexed ones.
 */
async function ferretdbPushesDownIdFilters(): Promise<boolean> {
  const db = mongoose.connection.db!;
  const [collection] = await db.listCollections({}, { nameOnly: true }).toArray();
  if (!collection) return false;
  const explained = (await db.command({
    explain: { find: collection.name, filter: { _id: { $in: ['probe-a', 'probe-b'] }, probe: 1 } },
  })) as { filterPushdown?: boolean };
  return explained.filterPushdown === true;
}

export function describeDatabase(engine: DatabaseEngine): DatabaseInfo {
  const info = buildInfo;
  if (!info) throw new Error('database not connected');
  const result: DatabaseInfo = { engine, version: info.version ?? 'unknown' };
  if (engine === 'ferretdb' || info.ferretdbVersion) {
    // The embedded build pins FerretDB 1.24.2; its buildInfo says "unknown" (no version.txt in the module).
    result.ferretdbVersion = info.ferretdbVersion && info.ferretdbVersion !== 'unknown' ? info.ferretdbVersion : '1.24.2';
  }
  return result;
}

export async function disconnectDatabase(): Promise<void> {
  await mongoose.disconnect();
}

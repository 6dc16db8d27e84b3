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
  /** FerretDB 1.x: only `{ _id }` filters use an index; anything else scans the collection. */
  filtersOnlyIdEfficiently: boolean;
  /**
   * FerretDB 1.x (SQLite): updates are read-modify-write without a lock, so conditional filters
   * and `$inc` race between concurrent writers; conditional writes are serialised in-process.
   */
  updatesAreReadModifyWrite: boolean;
}
let traits: EngineTraits = { filtersOnlyIdEfficiently: false, updatesAreReadModifyWrite: false };
export const engineTraits = (): EngineTraits => traits;

/** The server's buildInfo, read once at connect (engine traits, health). */
let buildInfo: { version?: string; ferretdbVersion?: string } | null = null;

export async function connectDatabase(uri: string, dbName: string): Promise<void> {
  // strictQuery: unknown filter keys are dropped rather than sent (defence in depth next to zod).
  mongoose.set('strictQuery', true);
  await mongoose.connect(uri, { dbName, serverSelectionTimeoutMS: 10_000, autoIndex: true });
  buildInfo = (await mongoose.connection.db!.admin().command({ buildInfo: 1 })) as { version?: string; ferretdbVersion?: string };
  const ferretdb = buildInfo.ferretdbVersion !== undefined;
  traits = { filtersOnlyIdEfficiently: ferretdb, updatesAreReadModifyWrite: ferretdb };
  // Indexes must exist before the app relies on them (unique usernames, school codes).
  await Promise.all(Object.values(mongoose.models).map((model) => model.init()));
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

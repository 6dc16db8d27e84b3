// Database provisioning, shared by `npm start`, `npm run dev`, the CLI tools and the test suite:
//   MONGODB_URI set      → that server (standalone, replica set, Atlas, sharded cluster);
//   otherwise            → the embedded default, mongod via mongodb-memory-server with a persistent
//                          dbPath under DATA_DIR;
//   no mongod obtainable → FerretDB v1.24.2 with its SQLite files under DATA_DIR (shared/DESIGN.md §2).
import path from 'node:path';
import { ensureFerretdbBinary, startFerretdb, DatabaseUnavailableError } from './ferretdb.ts';
import { findMongodBinary, startMongod } from './mongod.ts';

export { DatabaseUnavailableError };

export type DatabaseEngine = 'external' | 'mongod' | 'ferretdb';

export interface ProvisionedDatabase {
  engine: DatabaseEngine;
  uri: string;
  /** Where the data lives, for the console; the URI host for an external server. */
  location: string;
  stop(): Promise<void>;
}

export interface ProvisionOptions {
  mongodbUri?: string | undefined;
  dataDir: string;
  engine?: 'auto' | 'mongod' | 'ferretdb';
  log?: (msg: string) => void;
}

export async function provisionDatabase(options: ProvisionOptions): Promise<ProvisionedDatabase> {
  const log = options.log ?? ((msg: string) => console.log(msg));
  if (options.mongodbUri) {
    return {
      engine: 'external',
      uri: options.mongodbUri,
      location: redactUri(options.mongodbUri),
      stop: async () => {},
    };
  }

  const wanted = options.engine ?? 'auto';
  if (wanted !== 'ferretdb') {
    const binary = await findMongodBinary(log);
    if (binary) {
      const dbPath = path.join(options.dataDir, 'mongod');
      const mongod = await startMongod(binary, dbPath);
      return { engine: 'mongod', uri: mongod.uri, location: dbPath, stop: mongod.stop };
    }
    if (wanted === 'mongod') {
      throw new DatabaseUnavailableError(
        'DB_ENGINE=mongod but no mongod binary was found or could be downloaded. ' +
          'Set MONGOMS_SYSTEM_BINARY=/path/to/mongod, or MONGODB_URI, or DB_ENGINE=auto.',
      );
    }
    log('No mongod binary available (offline?): using the embedded FerretDB fallback.');
  }

  const binary = ensureFerretdbBinary(log);
  const sqliteDir = path.join(options.dataDir, 'ferretdb');
  const ferret = await startFerretdb(binary, sqliteDir);
  return { engine: 'ferretdb', uri: ferret.uri, location: sqliteDir, stop: ferret.stop };
}

/** Hides credentials when a URI is printed. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/([^@/]+)@/, '//***@');
}

// Database provisioning, shared by `npm start`, `npm run dev`, the CLI tools and the test suite:
//   MONGODB_URI set      → that server (standalone, replica set, Atlas, sharded cluster);
//   otherwise            → the embedded default, mongod via mongodb-memory-server with a persistent
//                          dbPath under DATA_DIR;
//   no mongod obtainable → FerretDB v1.24.2 with its SQLite files under DATA_DIR (shared/DESIGN.md §2).
import path from 'node:path';
import { lockDataDir } from './data-dir-lock.ts';
import { ensureFerretdbBinary, startFerretdb, DatabaseUnavailableError, type RunningFerretdb } from './ferretdb.ts';
import { findMongodBinary, startMongod } from './mongod.ts';

export { DatabaseUnavailableError };

export type DatabaseEngine = 'external' | 'mongod' | 'ferretdb';

export interface ProvisionedDatabase {
  engine: DatabaseEngine;
  uri: string;
  /** Where the data lives, for the console; the URI host for an external server. */
  location: string;
  stop(): Promise<void>;
  /** Embedded engines: tells when the database process died, came back after a restart, or could not be restarted. */
  watch?(watcher: DatabaseWatcher): void;
}

export interface DatabaseWatcher {
  down(reason: string): void;
  up(): void;
  gaveUp(err: Error): void;
}

/**
 * The embedded FerretDB is restarted on the same port and data directory when its process dies,
 * after 0.5, 1, 2, 4, 8 s; then the app gives up (server/index.ts exits non-zero for a supervisor).
 */
export const FERRETDB_RESTART_DELAYS_MS = [500, 1_000, 2_000, 4_000, 8_000];

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
      return {
        engine: 'mongod',
        uri: mongod.uri,
        location: dbPath,
        stop: mongod.stop,
        // mongodb-memory-server does not restart mongod: report it down and give up, so the app
        // exits non-zero and its supervisor restarts both (not exercised here: no mongod offline).
        watch: (watcher) =>
          mongod.onUnexpectedExit((reason) => {
            watcher.down(`the embedded mongod stopped (${reason})`);
            watcher.gaveUp(new DatabaseUnavailableError(`The embedded mongod stopped (${reason}).`));
          }),
      };
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
  // One app process per data directory (data-dir-lock.ts explains why).
  const lock = lockDataDir(sqliteDir);
  try {
    return await superviseFerretdb(binary, sqliteDir, await startFerretdb(binary, sqliteDir), lock.release);
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function superviseFerretdb(binary: string, sqliteDir: string, first: RunningFerretdb, release: () => void): Promise<ProvisionedDatabase> {
  let current = first;
  let stopping = false;
  let watcher: DatabaseWatcher | undefined;
  const port = Number(new URL(first.uri).port);

  const restart = async (reason: string) => {
    watcher?.down(`the embedded FerretDB stopped (${reason})`);
    let lastError: unknown;
    for (const delay of FERRETDB_RESTART_DELAYS_MS) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (stopping) return;
      try {
        current = await startFerretdb(binary, sqliteDir, port);
        watchExit(current);
        watcher?.up();
        return;
      } catch (err) {
        lastError = err;
      }
    }
    watcher?.gaveUp(new DatabaseUnavailableError(`The embedded FerretDB could not be restarted: ${(lastError as Error)?.message ?? lastError}`));
  };
  const watchExit = (running: RunningFerretdb) =>
    running.process.once('exit', (code, signal) => {
      if (!stopping) void restart(signal ?? `exit code ${code}`);
    });
  watchExit(first);

  return {
    engine: 'ferretdb',
    uri: first.uri,
    location: sqliteDir,
    watch: (w) => {
      watcher = w;
    },
    async stop() {
      stopping = true;
      await current.stop();
      release();
    },
  };
}

/** Hides credentials when a URI is printed. */
export function redactUri(uri: string): string {
  return uri.replace(/\/\/([^@/]+)@/, '//***@');
}

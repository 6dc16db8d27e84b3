// mongod through mongodb-memory-server, with a persistent dbPath so data survives restarts.
import fs from 'node:fs';
import { DryMongoBinary, MongoBinary, MongoMemoryServer, type MongoInstance } from 'mongodb-memory-server';

export interface RunningMongod {
  uri: string;
  stop(): Promise<void>;
  /** Called once if mongod exits while it should be running (the app then exits for its supervisor). */
  onUnexpectedExit(listener: (reason: string) => void): void;
}

/**
 * Finds a usable mongod without waiting on a download that cannot succeed:
 * a system binary (MONGOMS_SYSTEM_BINARY) or one already in mongodb-memory-server's cache, else a
 * download if the download host answers within a few seconds. Returns undefined when none can be had.
 */
export async function findMongodBinary(log: (msg: string) => void): Promise<string | undefined> {
  const located = await DryMongoBinary.locateBinary(await DryMongoBinary.generateOptions()).catch(() => undefined);
  if (located) return located;
  if (/^(false|0|no)$/i.test(process.env.MONGOMS_RUNTIME_DOWNLOAD ?? '')) return undefined;

  const host = process.env.MONGOMS_DOWNLOAD_MIRROR ?? 'https://fastdl.mongodb.org';
  try {
    await fetch(host, { method: 'HEAD', signal: AbortSignal.timeout(5_000) });
  } catch {
    return undefined; // offline or blocked: fall back instead of timing out later
  }
  log(`Downloading a mongod binary from ${host} (first run only)…`);
  return MongoBinary.getPath();
}

export async function startMongod(binary: string, dbPath: string): Promise<RunningMongod> {
  fs.mkdirSync(dbPath, { recursive: true });
  const server = await MongoMemoryServer.create({
    binary: { systemBinary: binary },
    // wiredTiger + our own dbPath = persistent; mongodb-memory-server only deletes temp dirs.
    instance: { dbPath, storageEngine: 'wiredTiger', ip: '127.0.0.1' },
  });
  let stopping = false;
  return {
    uri: server.getUri(),
    async stop() {
      stopping = true;
      await server.stop({ doCleanup: false, force: false });
    },
    onUnexpectedExit(listener) {
      // MongoInstanceEvents.instanceClosed; the enum is not exported by the package's entry point.
      const instanceClosed = 'instanceClosed' as Parameters<MongoInstance['once']>[0];
      server.instanceInfo?.instance.once(instanceClosed, (code: number | null, signal: string | null) => {
        if (!stopping) listener(signal ?? `exit code ${code}`);
      });
    },
  };
}

// startServer / stopServer: provisioning, connection, the app and a periodic session clean-up.
// Used by the process entry (index.ts), the dev server and the browser tests.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { createApp } from './app.ts';
import type { Config } from './config.ts';
import { markDatabaseDown, markDatabaseUp, pingDatabase } from './db/availability.ts';
import { connectDatabase, disconnectDatabase } from './db/connection.ts';
import { provisionDatabase, type ProvisionedDatabase } from './db/provision.ts';
import { createLogger } from './lib/logger.ts';
import { answerClientErrorsInEnvelope } from './lib/http-guards.ts';
import { deleteExpiredIdempotencyKeys, setIdempotencyLease } from './lib/idempotency.ts';
import { deleteOldLoginAttempts, type LoginLimits } from './modules/auth/login-limit.ts';
import { deleteExpiredSessions } from './modules/auth/sessions.ts';
import { deleteExpiredRosterImports } from './modules/children/import.ts';
import { seedBuiltInInstruments } from './modules/instruments/service.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const clientDistDir = path.join(repoRoot, 'dist', 'client');

/**
 * SESSION_SECRET from the environment, else a random one kept in DATA_DIR so sign-ins and
 * CSRF tokens survive a restart of a single-machine install.
 */
export function resolveSessionSecret(config: Pick<Config, 'SESSION_SECRET' | 'DATA_DIR'>): string {
  if (config.SESSION_SECRET) return config.SESSION_SECRET;
  const file = path.join(config.DATA_DIR, 'session-secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(config.DATA_DIR, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  fs.writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export interface RunningServer {
  url: string;
  database: ProvisionedDatabase;
  logger: Logger;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** An already provisioned database (tests share one); otherwise provisioned from config. */
  database?: ProvisionedDatabase;
  /** Stop the database on stop() (default: when this call provisioned it). */
  ownsDatabase?: boolean;
  log?: (msg: string) => void;
  loginLimits?: Partial<LoginLimits>;
  /** Built client to serve (default dist/client). */
  clientDir?: string;
  /** The embedded database died and could not be restarted (the process entry exits non-zero). */
  onDatabaseLost?: (err: Error) => void;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.log ?? ((msg: string) => console.log(msg));
  const logger = createLogger(config.LOG_LEVEL);
  const database =
    options.database ??
    (await provisionDatabase({ mongodbUri: config.MONGODB_URI, dataDir: config.DATA_DIR, engine: config.DB_ENGINE, log }));
  const ownsDatabase = options.ownsDatabase ?? !options.database;
  try {
    await connectDatabase(database.uri, config.MONGODB_DB);
    // Built-in instruments (SCARED, SASC-CN-10, RSES) as version 1; idempotent at every start.
    await seedBuiltInInstruments();
  } catch (err) {
    if (ownsDatabase) await database.stop();
    throw err;
  }

  const app = createApp({
    sessionSecret: resolveSessionSecret(config),
    engine: database.engine,
    logger,
    clientDir: options.clientDir ?? clientDistDir,
    trustProxy: config.TRUST_PROXY,
    sourceMaps: config.SOURCE_MAPS,
    ...(options.loginLimits ? { loginLimits: options.loginLimits } : {}),
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  answerClientErrorsInEnvelope(server);
  setIdempotencyLease(config.IDEMPOTENCY_LEASE_MS);
  // The embedded database's process died: answer 503 until the supervisor has restarted it.
  database.watch?.({
    down(reason) {
      logger.error({ reason }, 'database down: restarting the embedded database');
      markDatabaseDown(reason);
    },
    up() {
      // A round trip first, so the driver has reconnected before requests are let through.
      void pingDatabase(10_000).then(() => {
        markDatabaseUp();
        logger.warn('embedded database restarted');
      });
    },
    gaveUp(err) {
      logger.fatal({ err }, 'embedded database could not be restarted');
      (options.onDatabaseLost ?? (() => {}))(err);
    },
  });
  const { port } = server.address() as AddressInfo;

  // Periodic deletes instead of TTL indexes, which FerretDB lacks (shared/DESIGN.md §2 rule 3).
  const cleanup = setInterval(() => {
    deleteExpiredSessions().catch((err: unknown) => logger.warn({ err }, 'session clean-up failed'));
    deleteOldLoginAttempts().catch((err: unknown) => logger.warn({ err }, 'sign-in attempt clean-up failed'));
    deleteExpiredIdempotencyKeys().catch((err: unknown) => logger.warn({ err }, 'idempotency-key clean-up failed'));
    deleteExpiredRosterImports().catch((err: unknown) => logger.warn({ err }, 'roster-import clean-up failed'));
  }, 10 * 60 * 1000);
  cleanup.unref();

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${config.HOST}:${port}`,
    database,
    logger,
    stop: () =>
      (stopping ??= (async () => {
        clearInterval(cleanup);
        server.closeIdleConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await disconnectDatabase();
        if (ownsDatabase) await database.stop();
      })()),
  };
}

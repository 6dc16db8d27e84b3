// Runtime configuration from the environment, validated once at start (fail fast, clear message).
import path from 'node:path';
import { z } from 'zod';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  /** Database name used on the server (the URI's own path is ignored). */
  MONGODB_DB: z.string().regex(/^[A-Za-z0-9_-]{1,60}$/, 'letters, digits, _ and - only').default('activegroups'),
  DATA_DIR: z.string().min(1).default('./data'),
  /** Which embedded engine to use when MONGODB_URI is not set. */
  DB_ENGINE: z.enum(['auto', 'mongod', 'ferretdb']).default('auto'),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /**
   * Quiet by default: a newcomer's terminal shows the start-up summary, warnings and errors (a
   * failed request is an error). `info` adds one line per API request, `debug` more.
   */
  LOG_LEVEL: z.enum(logLevels).default('warn'),
  /** Set when the app runs behind an HTTPS-terminating proxy: cookies become Secure. */
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  /** A save still "in progress" after this long is taken to have died with its process; a retry takes it over. */
  IDEMPOTENCY_LEASE_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  /** Serve the web client's source maps (for debugging a production build). */
  SOURCE_MAPS: z.enum(['true', 'false']).default('false'),
});

export type Config = Omit<z.infer<typeof configSchema>, 'TRUST_PROXY' | 'SOURCE_MAPS'> & {
  TRUST_PROXY: boolean;
  SOURCE_MAPS: boolean;
  /** Absolute data directory. */
  DATA_DIR: string;
};

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty variables count as unset, so `MONGODB_URI=` in a .env file does not break start.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return {
    ...parsed.data,
    TRUST_PROXY: parsed.data.TRUST_PROXY === 'true',
    SOURCE_MAPS: parsed.data.SOURCE_MAPS === 'true',
    DATA_DIR: path.resolve(parsed.data.DATA_DIR),
  };
}

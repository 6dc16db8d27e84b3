// Shared set-up for benchmarks: a database (MONGODB_URI, or the embedded engine in a throw-away
// directory, exactly as the app provisions it) and timing helpers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { provisionDatabase, type ProvisionedDatabase } from '../server/db/provision.ts';

export async function benchDatabase(): Promise<{ database: ProvisionedDatabase; dataDir: string; cleanup: () => Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'activegroups-bench-'));
  const database = await provisionDatabase({
    mongodbUri: process.env.MONGODB_URI,
    dataDir,
    engine: (process.env.DB_ENGINE as 'auto' | 'mongod' | 'ferretdb' | undefined) ?? 'auto',
    log: (msg) => console.log(`[db] ${msg}`),
  });
  console.log(`engine: ${database.engine} (${database.location})`);
  return {
    database,
    dataDir,
    cleanup: async () => {
      await database.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

export function numberArg(value: string | boolean | undefined, fallback: number): number {
  if (typeof value !== 'string') return fallback;
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`not a positive number: ${value}`);
  return n;
}

// Starts one MongoDB-wire server for the API and browser suites through the app's own
// provisioning module, with a throw-away data directory. MONGODB_URI runs the suite against an
// existing server instead; DB_ENGINE=mongod|ferretdb forces an embedded engine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { provisionDatabase } from '../../server/db/provision.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dbUri: string;
    dbEngine: 'external' | 'mongod' | 'ferretdb';
  }
}

export default async function setup(project: TestProject) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'activegroups-test-'));
  const engine = process.env.DB_ENGINE as 'auto' | 'mongod' | 'ferretdb' | undefined;
  const database = await provisionDatabase({
    mongodbUri: process.env.MONGODB_URI,
    dataDir,
    engine: engine ?? 'auto',
    log: (msg) => console.log(`[test db] ${msg}`),
  });
  console.log(`[test db] ${database.engine} at ${database.location}`);
  project.provide('dbUri', database.uri);
  project.provide('dbEngine', database.engine);
  return async () => {
    await database.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}

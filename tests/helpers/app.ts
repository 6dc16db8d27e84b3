// Test harness: the real app on a real MongoDB-wire server, one database per test file.
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { pino } from 'pino';
import supertest from 'supertest';
import { inject } from 'vitest';
import { createApp } from '../../server/app.ts';
import { connectDatabase, disconnectDatabase } from '../../server/db/connection.ts';

export const TEST_SECRET = 'test-secret-0123456789-0123456789-0123456789';
export const PASSWORD = 'correct horse battery staple';

export type TestApp = ReturnType<typeof createApp>;

export async function startTestApp(
  options: { loginLimits?: { perUsername?: number; perAddress?: number }; clientDir?: string; sourceMaps?: boolean; apiTokenLimit?: number } = {},
) {
  const dbName = `t_${randomBytes(6).toString('hex')}`;
  await connectDatabase(inject('dbUri'), dbName);
  const app = createApp({
    sessionSecret: TEST_SECRET,
    engine: inject('dbEngine'),
    logger: pino({ level: 'silent' }),
    loginLimits: { perUsername: 1000, perAddress: 1000, ...options.loginLimits },
    clientDir: options.clientDir,
    sourceMaps: options.sourceMaps,
    apiTokenLimit: options.apiTokenLimit,
  });
  return {
    app,
    dbName,
    async stop() {
      await mongoose.connection.db?.dropDatabase();
      await disconnectDatabase();
    },
  };
}

/** A browser-like client: keeps cookies and sends the CSRF header on every state-changing request. */
export class TestClient {
  readonly agent: ReturnType<typeof supertest.agent>;
  csrfToken = '';

  constructor(app: TestApp) {
    this.agent = supertest.agent(app);
  }

  async init(): Promise<this> {
    const res = await this.agent.get('/api/v1/auth/session').expect(200);
    this.csrfToken = res.body.csrfToken as string;
    return this;
  }

  get(url: string) {
    return this.agent.get(url);
  }
  post(url: string, body?: unknown) {
    const req = this.agent.post(url).set('X-CSRF-Token', this.csrfToken);
    // Sign-in and setup answer with a new CSRF token bound to the new session; keep it as a browser does.
    if (url.startsWith('/api/v1/auth/')) {
      req.on('response', (res: { body?: { csrfToken?: unknown } }) => {
        if (typeof res.body?.csrfToken === 'string') this.csrfToken = res.body.csrfToken;
      });
    }
    return body === undefined ? req : req.send(body as object);
  }
  patch(url: string, body?: unknown) {
    const req = this.agent.patch(url).set('X-CSRF-Token', this.csrfToken);
    return body === undefined ? req : req.send(body as object);
  }
  delete(url: string) {
    return this.agent.delete(url).set('X-CSRF-Token', this.csrfToken);
  }
}

export async function signedInClient(app: TestApp, username: string, password = PASSWORD): Promise<TestClient> {
  const client = await new TestClient(app).init();
  await client.post('/api/v1/auth/login', { username, password }).expect(200);
  return client;
}

/** Every document of every collection, to assert that a rejected request changed nothing. */
export async function databaseSnapshot(): Promise<Record<string, unknown[]>> {
  const db = mongoose.connection.db!;
  const collections = (await db.listCollections().toArray()).map((c) => c.name).sort();
  const snapshot: Record<string, unknown[]> = {};
  for (const name of collections) {
    snapshot[name] = await db.collection(name).find().sort({ _id: 1 }).toArray();
  }
  return snapshot;
}

// Reliability when processes die (issue 10, items 1, 3 and 6), with real processes and real
// kill -9: the app as `npm start` runs it, with its own embedded FerretDB.
//  - a second app process on the same data directory is refused (the version guards rely on one);
//  - the database killed: health and API answer 503 at once, the app restarts its database;
//  - a register save interrupted by kill -9 of the database or of the app: the phone's retries with
//    the same Idempotency-Key find the save if it was stored (its request id) or make it, and each
//    register lands exactly once. (Register saves write no claim before the work; a claim left
//    pending by other saves is taken over after the lease: reliability-concurrency.test.ts.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDatabase, disconnectDatabase } from '../../server/db/connection.ts';
import { provisionDatabase } from '../../server/db/provision.ts';
import { IdempotencyKey } from '../../server/lib/idempotency.ts';
import { Session } from '../../server/modules/sessions/model.ts';
import { TestClient, type TestApp } from '../helpers/app.ts';
import { ferretdbPidOf as ferretdbPidUnder, isAlive, startAppProcess, waitFor, type AppProcess } from '../helpers/app-process.ts';
import { seedAccounts } from '../helpers/fixtures.ts';
import { createProgrammeWorld, newKey, registerBody, type ProgrammeWorld } from './sessions.fixtures.ts';

/** Long enough that a claim cut off by the database kill is still leased at the first retry. */
const LEASE_MS = 5_000;
const SAVES = 16;
const env = { IDEMPOTENCY_LEASE_MS: String(LEASE_MS) };
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'activegroups-crash-'));
let world: ProgrammeWorld;
let running: AppProcess | undefined;

/** Opens the data directory's database from the test while no app runs on it. */
async function inDataDir<T>(work: () => Promise<T>): Promise<T> {
  const db = await provisionDatabase({ dataDir, engine: 'ferretdb', log: () => {} });
  try {
    await connectDatabase(db.uri, 'activegroups');
    return await work();
  } finally {
    await disconnectDatabase();
    await db.stop();
  }
}

// The world is written straight into the data directory before the app starts on it.
beforeAll(async () => {
  if (inject('dbEngine') === 'external') return;
  world = await inDataDir(async () => {
    const { schoolA, schoolB } = await seedAccounts();
    return createProgrammeWorld(schoolA.id, schoolB.id, 14);
  });
}, 120_000);
afterAll(async () => {
  if (running && running.app.exitCode === null) {
    running.app.kill('SIGTERM');
    await running.exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function signIn(url: string): Promise<TestClient> {
  const client = await new TestClient(url as unknown as TestApp).init();
  await client.post('/api/v1/auth/login', { username: 'teacher', password: 'correct horse battery staple' }).expect(200);
  return client;
}

interface Save {
  sessionId: string;
  key: string;
  body: ReturnType<typeof registerBody>;
  absent: string;
}
const savesFor = (sessionIds: string[]): Save[] =>
  sessionIds.map((sessionId, i) => {
    const absent = world.childrenA[i % world.childrenA.length]!;
    return { sessionId, key: newKey(), body: registerBody(0, world.childrenA, { absent: [absent] }), absent };
  });

/** Status 0 = the connection broke (the app died). */
const put = (client: TestClient, s: Save) =>
  client.agent
    .put(`/api/v1/sessions/${s.sessionId}/log`)
    .set('X-CSRF-Token', client.csrfToken)
    .set('Idempotency-Key', s.key)
    .send(s.body)
    .then(
      (r) => ({ status: r.status, code: r.body?.error?.code as string | undefined }),
      () => ({ status: 0, code: 'connection_lost' }),
    );

/**
 * Fires every save at once and calls `kill` the moment the first one has answered, in that answer's
 * own callback: the others are mid-save (polling for the answer let a fast app finish all of them).
 */
async function savesInterruptedBy(client: TestClient, saves: Save[], kill: () => void) {
  let killed = false;
  const killOnce = () => {
    if (killed) return;
    killed = true;
    kill();
  };
  return Promise.all(saves.map((s) => put(client, s).then((r) => (killOnce(), r))));
}

/**
 * The phone's retries: the same key and body, once at once and then until each is answered 200.
 * Returns how many were still `request_in_progress` on the first retry and how many never got a 200.
 */
async function retryUntilSaved(client: TestClient, saves: Save[]) {
  const first = await Promise.all(saves.map((s) => put(client, s)));
  const pendingAtFirstRetry = first.filter((r) => r.code === 'request_in_progress').length;
  const open = new Set(saves.filter((_, i) => first[i]!.status !== 200));
  const until = Date.now() + LEASE_MS + 10_000;
  while (open.size > 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 300));
    for (const s of [...open]) {
      const r = await put(client, s);
      if (r.status === 200) open.delete(s);
      else expect([409, 503]).toContain(r.status); // 409 request_in_progress until the lease ends
    }
  }
  return { pendingAtFirstRetry, stuck: open.size, otherFirst: first.filter((r) => r.status !== 200 && r.code !== 'request_in_progress') };
}

/** Every session saved exactly once (version 1) with its own register. */
async function expectSavedOnce(client: TestClient, saves: Save[]) {
  for (const s of saves) {
    const res = await client.get(`/api/v1/sessions/${s.sessionId}`).expect(200);
    expect(res.body.session.version).toBe(1);
    const absent = res.body.session.register.filter((r: { status: string }) => r.status === 'absent').map((r: { childId: string }) => r.childId);
    expect(absent).toEqual([s.absent]);
  }
}

const ferretdbPidOf = (app: AppProcess) => {
  const pid = ferretdbPidUnder(app.app.pid!);
  expect(pid).toBeDefined();
  return pid!;
};

describe.runIf(inject('dbEngine') !== 'external')('crashes and restarts on the embedded database', () => {
  it('when a second app process starts on the same data directory, then it refuses with a clear message and exit code 1', async () => {
    running = await startAppProcess(dataDir, env);
    const second = await startAppProcess(dataDir, env).then(
      () => {
        throw new Error('the second app started');
      },
      (err: Error) => err.message,
    );
    expect(second).toContain('exited with code 1');
    expect(second).toContain(`Another ActiveGroups process (pid ${running.app.pid}) is already using the embedded database`);
    // The first one is untouched.
    expect((await fetch(`${running.url}/api/health`)).status).toBe(200);
  });

  it('when the database process is killed, then health and the API answer 503 at once, and the app restarts its database', async () => {
    const app = running!;
    const client = await signIn(app.url);
    const dbPid = ferretdbPidOf(app);
    process.kill(dbPid, 'SIGKILL');
    await waitFor(() => !isAlive(dbPid), 5_000, 'the database to die');
    await waitFor(async () => (await fetch(`${app.url}/api/health`)).status === 503, 5_000, 'health 503');

    const started = Date.now();
    const res = await client.get(`/api/v1/children`);
    const tookMs = Date.now() - started;
    const health = await fetch(`${app.url}/api/health`);
    // Either the restart already finished (then 200) or the answer is a fast 503 with the code.
    if (res.status !== 200) {
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('database_unavailable');
      expect(tookMs).toBeLessThan(1_000);
    }
    if (health.status === 503) expect((await health.json()).error.code).toBe('database_unavailable');

    await waitFor(async () => (await fetch(`${app.url}/api/health`)).status === 200, 30_000, 'the database to be back');
    expect(ferretdbPidOf(app)).not.toBe(dbPid);
    // The same sign-in works: sessions and data survived.
    await client.get('/api/v1/children').expect(200);
    console.log(`[reliability] database killed: health 503 seen, API answered in ${tookMs} ms (${res.status}), database restarted`);
  });

  it('when the database is killed in the middle of register saves, then retries with the same key save each register exactly once', async () => {
    const app = running!;
    const client = await signIn(app.url);
    const saves = savesFor(world.sessionsA.slice(0, SAVES));
    const dbPid = ferretdbPidOf(app); // looked up before, so the kill itself is immediate
    const results = await savesInterruptedBy(client, saves, () => process.kill(dbPid, 'SIGKILL'));
    const statuses = results.map((r) => r.status);
    // Never a 500: a save either landed (200) or was refused as database_unavailable (503).
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);

    await waitFor(async () => (await fetch(`${app.url}/api/health`)).status === 200, 30_000, 'the database to be back');
    const { pendingAtFirstRetry, stuck, otherFirst } = await retryUntilSaved(client, saves);
    console.log(
      `[reliability] kill -9 of the database during ${SAVES} saves: ${statuses.filter((s) => s === 200).length} × 200, ` +
        `${statuses.filter((s) => s === 503).length} × 503; first retry: ${pendingAtFirstRetry} still in progress; stuck keys after the lease: ${stuck}`,
    );
    expect(otherFirst.filter((r) => r.status >= 500 && r.status !== 503)).toEqual([]);
    expect(stuck).toBe(0);
    await expectSavedOnce(client, saves);
  });

  it('when the app is killed with kill -9 in the middle of register saves, then after a restart the retries save each register exactly once', async () => {
    const app = running!;
    const client = await signIn(app.url);
    const saves = savesFor(world.sessionsA.slice(SAVES, 2 * SAVES));
    const dbPid = ferretdbPidOf(app);
    const results = await savesInterruptedBy(client, saves, () => app.app.kill('SIGKILL'));
    await app.exited;
    await waitFor(() => !isAlive(dbPid), 10_000, 'the old database to exit');
    // What the crash left behind, read from the data directory while no app runs.
    const left = await inDataDir(async () => ({
      pending: await IdempotencyKey.countDocuments({ state: 'pending' }),
      stored: await Session.countDocuments({ _id: { $in: saves.map((s) => s.sessionId) }, version: 1 }),
    }));
    expect(results.filter((r) => r.status === 0).length).toBeGreaterThan(0); // the crash did cut saves off mid-way

    // The lock file of the dead process is taken over.
    running = await startAppProcess(dataDir, env);
    const again = await signIn(running.url);
    const { pendingAtFirstRetry, stuck } = await retryUntilSaved(again, saves);
    console.log(
      `[reliability] kill -9 of the app during ${SAVES} saves: ${results.filter((r) => r.status === 200).length} answered before the kill, ` +
        `${results.filter((r) => r.status === 0).length} cut off; the crash left ${left.pending} keys pending and ${left.stored} registers stored; ` +
        `first retry after restart: ${pendingAtFirstRetry} still in progress; stuck keys after the lease: ${stuck}`,
    );
    expect(stuck).toBe(0);
    await expectSavedOnce(again, saves);
  });
});

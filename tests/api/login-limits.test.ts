// Issue 10 item 7: sign-in limiting. Only failed sign-ins count; per username across addresses
// and per address across usernames; stored in the database (a restarted or second app process
// sees the same limits); concurrent guesses cannot slip under the limit; behind TRUST_PROXY only
// the address the proxy appended counts.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createApp } from '../../server/app.ts';
import { deleteOldLoginAttempts, LoginAttempt, LOGIN_WINDOW_MS } from '../../server/modules/auth/login-limit.ts';
import { PASSWORD, TEST_SECRET, TestClient, startTestApp } from '../helpers/app.ts';
import { seedAccounts } from '../helpers/fixtures.ts';

const LIMITS = { perUsername: 5, perAddress: 8 };
let harness: Awaited<ReturnType<typeof startTestApp>>;

/** An app process behind a proxy (TRUST_PROXY=true) on the same database. */
const proxiedApp = () => createApp({ sessionSecret: TEST_SECRET, engine: inject('dbEngine'), logger: pino({ level: 'silent' }), trustProxy: true, loginLimits: LIMITS });

/** A browser behind the proxy at `address` (the proxy appends it to X-Forwarded-For). */
async function browserAt(app: ReturnType<typeof proxiedApp>, address: string, spoofed?: string) {
  const client = new TestClient(app);
  const xff = spoofed ? `${spoofed}, ${address}` : address;
  const res = await client.agent.get('/api/v1/auth/session').set('X-Forwarded-For', xff).expect(200);
  client.csrfToken = res.body.csrfToken as string;
  return {
    login: async (username: string, password: string) => {
      const r = await client.agent.post('/api/v1/auth/login').set('X-Forwarded-For', xff).set('X-CSRF-Token', client.csrfToken).send({ username, password });
      if (r.body?.csrfToken) client.csrfToken = r.body.csrfToken as string; // the new session's token
      return r;
    },
  };
}

beforeAll(async () => {
  harness = await startTestApp({ loginLimits: LIMITS });
  await seedAccounts();
});
afterAll(() => harness.stop());

const statuses = (rs: { status: number }[]) => rs.map((r) => r.status);

describe('sign-in limits', () => {
  it('when an account signs in successfully 3 × the limit in the window, then every sign-in succeeds', async () => {
    await LoginAttempt.deleteMany({});
    const app = proxiedApp();
    const browser = await browserAt(app, '198.51.100.1');
    const results = [];
    for (let i = 0; i < LIMITS.perUsername * 3; i++) results.push(await browser.login('teacher', PASSWORD));
    expect(new Set(statuses(results))).toEqual(new Set([200]));
    expect(await LoginAttempt.countDocuments()).toBe(0);
  });

  it('when one username fails from many addresses, then the next attempt from a fresh address is refused with 429, even with the right password', async () => {
    await LoginAttempt.deleteMany({});
    const app = proxiedApp();
    const results = [];
    for (let i = 0; i < LIMITS.perUsername; i++) results.push(await (await browserAt(app, `203.0.113.${i + 1}`)).login('counsellor', 'wrong password 123'));
    expect(statuses(results)).toEqual(Array(LIMITS.perUsername).fill(401));
    const fresh = await (await browserAt(app, '203.0.113.200')).login('counsellor', PASSWORD);
    expect(fresh.status).toBe(429);
    expect(fresh.body.error).toMatchObject({ code: 'rate_limited' });
    expect(fresh.headers['retry-after']).toBe('900');
    // Another account is not affected.
    expect((await (await browserAt(app, '203.0.113.201')).login('teacher', PASSWORD)).status).toBe(200);
  });

  it('when one address tries one password on many usernames, then it is refused after the per-address limit while other addresses still sign in', async () => {
    await LoginAttempt.deleteMany({});
    const app = proxiedApp();
    const sprayer = await browserAt(app, '192.0.2.66');
    const results = [];
    for (let i = 0; i < 30; i++) results.push(await sprayer.login(`user${i}`, 'Summer2025!'));
    expect(statuses(results).filter((s) => s === 401)).toHaveLength(LIMITS.perAddress);
    expect(statuses(results).slice(LIMITS.perAddress)).toEqual(Array(30 - LIMITS.perAddress).fill(429));
    expect((await (await browserAt(app, '192.0.2.67')).login('teacher', PASSWORD)).status).toBe(200);
  });

  it('when 20 wrong guesses for one account arrive at once, then at most the limit are checked and the rest get 429', async () => {
    await LoginAttempt.deleteMany({});
    const app = proxiedApp();
    const browsers = await Promise.all(Array.from({ length: 20 }, (_, i) => browserAt(app, `198.51.100.${100 + i}`)));
    const results = await Promise.all(browsers.map((b) => b.login('researcher', 'wrong password 123')));
    const failed = statuses(results).filter((s) => s === 401).length;
    // The guarantee is "never more than the limit checked". When all 20 are inserted before any
    // counts, every one sees 20 > limit and none is checked (seen on a loaded CI run): still safe.
    expect(failed).toBeLessThanOrEqual(LIMITS.perUsername);
    expect(statuses(results).filter((s) => s === 429)).toHaveLength(20 - failed);
    expect(await LoginAttempt.countDocuments({ username: 'researcher' })).toBe(failed);
  });

  it('when the app restarts or a second process serves the next request, then the failures still count', async () => {
    await LoginAttempt.deleteMany({});
    const first = proxiedApp();
    for (let i = 0; i < LIMITS.perUsername; i++) await (await browserAt(first, '198.51.100.9')).login('admin', 'wrong password 123');
    const second = proxiedApp(); // a new process: nothing in memory
    expect((await (await browserAt(second, '198.51.100.10')).login('admin', PASSWORD)).status).toBe(429);
  });

  it('when the window has passed, then the periodic delete removes the old failures and the account signs in again', async () => {
    await LoginAttempt.deleteMany({});
    const old = new Date(Date.now() - LOGIN_WINDOW_MS - 1000);
    await LoginAttempt.insertMany(Array.from({ length: LIMITS.perUsername }, () => ({ username: 'admin', address: '198.51.100.11', at: old })));
    // Outside the window they no longer count, and the clean-up deletes them.
    expect((await (await browserAt(proxiedApp(), '198.51.100.12')).login('admin', PASSWORD)).status).toBe(200);
    expect(await deleteOldLoginAttempts()).toBe(LIMITS.perUsername);
    expect(await LoginAttempt.countDocuments()).toBe(0);
  });

  it('when TRUST_PROXY is on and a client forges X-Forwarded-For entries, then only the address the proxy appended counts', async () => {
    await LoginAttempt.deleteMany({});
    const app = proxiedApp();
    const results = [];
    for (let i = 0; i < LIMITS.perAddress + 2; i++) results.push(await (await browserAt(app, '192.0.2.99', `10.0.0.${i}`)).login(`spray${i}`, 'wrong password 123'));
    expect(statuses(results).slice(LIMITS.perAddress)).toEqual([429, 429]);
    expect(new Set((await LoginAttempt.find().lean()).map((a) => a.address))).toEqual(new Set(['192.0.2.99']));
  });

  it('when TRUST_PROXY is off, then X-Forwarded-For is ignored (the socket address counts)', async () => {
    await LoginAttempt.deleteMany({});
    const direct = new TestClient(harness.app);
    await direct.init();
    await direct.agent.post('/api/v1/auth/login').set('X-Forwarded-For', '192.0.2.1').set('X-CSRF-Token', direct.csrfToken).send({ username: 'nobody', password: 'wrong password 123' }).expect(401);
    const [attempt] = await LoginAttempt.find().lean();
    expect(attempt!.address).not.toBe('192.0.2.1');
    expect(attempt!.address).toMatch(/127\.0\.0\.1|::1|::ffff:127\.0\.0\.1/);
  });
});


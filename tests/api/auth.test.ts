import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../server/modules/audit/model.ts';
import { User } from '../../server/modules/users/model.ts';
import supertest from 'supertest';
import { PASSWORD, TestClient, startTestApp, type TestApp } from '../helpers/app.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;

beforeAll(async () => {
  harness = await startTestApp({ loginLimits: { perUsername: 5, perAddress: 8 } });
  app = harness.app;
});
afterAll(() => harness.stop());

describe('first-run setup, sign-in and sign-out', () => {
  it('when no user exists, then setup creates the first admin and signs them in; logout ends the session', async () => {
    const client = await new TestClient(app).init();
    const session = await client.get('/api/v1/auth/session').expect(200);
    expect(session.body).toMatchObject({ setupRequired: true, user: null });

    const setup = await client.post('/api/v1/auth/setup', { username: 'Admin', displayName: '管理员', password: PASSWORD }).expect(201);
    expect(setup.body.user).toMatchObject({ username: 'admin', role: 'admin', displayName: '管理员' });
    expect(setup.body.user).not.toHaveProperty('passwordHash');
    const cookie = setup.headers['set-cookie'] as unknown as string[];
    expect(cookie.join(';')).toMatch(/ag_session=[^;]+;.*HttpOnly/i);
    expect(cookie.join(';')).toMatch(/SameSite=Lax/i);

    const me = await client.get('/api/v1/auth/session').expect(200);
    expect(me.body).toMatchObject({ setupRequired: false, user: { username: 'admin' } });
    const stored = await User.findOne({ username: 'admin' }).lean();
    expect(stored!.passwordHash).toMatch(/^\$argon2id\$/);

    await client.post('/api/v1/auth/logout').expect(204);
    const after = await client.get('/api/v1/auth/session').expect(200);
    expect(after.body.user).toBeNull();
    await client.get('/api/v1/users').expect(401);

    // The CSRF token was bound to the ended session: the sign-in page reads a new one.
    await client.init();
    await client.post('/api/v1/auth/login', { username: 'ADMIN', password: PASSWORD }).expect(200);
    await client.get('/api/v1/users').expect(200);
    const actions = (await AuditEvent.find({ entity: 'sign_in' }).lean()).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['login', 'logout']));
  });

  it('when a user exists, then setup is refused with 409 and no second admin appears', async () => {
    const client = await new TestClient(app).init();
    const res = await client.post('/api/v1/auth/setup', { username: 'intruder', displayName: 'X', password: PASSWORD }).expect(409);
    expect(res.body.error.code).toBe('setup_done');
    expect(await User.countDocuments()).toBe(1);
  });

  it('when the password is wrong, then 401 with a clear message and the failure is audited', async () => {
    const client = await new TestClient(app).init();
    const res = await client.post('/api/v1/auth/login', { username: 'admin', password: 'wrong password!' }).expect(401);
    expect(res.body.error).toMatchObject({ code: 'invalid_credentials', message: 'Wrong username or password.' });
    const unknown = await client.post('/api/v1/auth/login', { username: 'nobody', password: 'whatever1234' }).expect(401);
    expect(unknown.body.error.code).toBe('invalid_credentials');
    expect(await AuditEvent.countDocuments({ action: 'login_failed' })).toBe(2);
  });

  it('when sign-ins for one account keep coming, then the rate limit answers 429', async () => {
    const client = await new TestClient(app).init();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await client.post('/api/v1/auth/login', { username: 'ratelimited', password: 'wrong password!' });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const limited = await client.post('/api/v1/auth/login', { username: 'ratelimited', password: 'x' });
    expect(limited.body.error.code).toBe('rate_limited');
  });

  it('when the CSRF header is missing or forged, then state-changing requests get 403 and nothing happens', async () => {
    const client = await new TestClient(app).init();
    const missing = await client.agent.post('/api/v1/auth/login').send({ username: 'admin', password: PASSWORD }).expect(403);
    expect(missing.body.error.code).toBe('csrf_invalid');
    await client.agent
      .post('/api/v1/auth/login')
      .set('X-CSRF-Token', `${client.csrfToken.split('.')[0]}.forged`)
      .send({ username: 'admin', password: PASSWORD })
      .expect(403);
    // A header that is validly signed but differs from the cookie (token from another browser).
    const other = await new TestClient(app).init();
    await client.agent.post('/api/v1/auth/login').set('X-CSRF-Token', other.csrfToken).send({ username: 'admin', password: PASSWORD }).expect(403);
    const session = await client.get('/api/v1/auth/session').expect(200);
    expect(session.body.user).toBeNull();
  });

  it('when signed in, then a state-changing request without CSRF is still refused', async () => {
    const client = await new TestClient(app).init();
    await client.post('/api/v1/auth/login', { username: 'admin', password: PASSWORD }).expect(200);
    const before = await AuditEvent.countDocuments();
    await client.agent.post('/api/v1/schools').send({ name: 'X', region: 'R', county: 'C', setting: 'rural' }).expect(403);
    expect(await AuditEvent.countDocuments()).toBe(before);
  });

  it('when a validly signed CSRF token minted for another browser or session is sent, then 403 and nothing is written (issue 10 item 8)', async () => {
    const cookieOf = (res: { headers: Record<string, unknown> }, name: string) =>
      ((res.headers['set-cookie'] as string[] | undefined) ?? []).map((c) => new RegExp(`^${name}=([^;]+)`).exec(c)?.[1]).find(Boolean)!;
    const attacker = await new TestClient(app).init();
    const victim = new TestClient(app);
    const first = await victim.agent.get('/api/v1/auth/session').expect(200);
    victim.csrfToken = first.body.csrfToken;
    const victimBrowser = cookieOf(first, 'ag_browser');
    expect(victimBrowser).toBeTruthy();
    const beforeSignIn = victim.csrfToken;
    const signIn = await victim.post('/api/v1/auth/login', { username: 'admin', password: PASSWORD }).expect(200);
    const victimSession = cookieOf(signIn, 'ag_session');
    expect(signIn.body.csrfToken).toBeTruthy();
    expect(signIn.body.csrfToken).not.toBe(beforeSignIn);
    const school = { name: 'CSRF School', region: 'R', county: 'C', setting: 'rural' };
    const before = await AuditEvent.countDocuments();
    // Cookie tossing: the attacker plants its own (validly signed) token as cookie and header.
    for (const token of [attacker.csrfToken, beforeSignIn]) {
      const res = await supertest(app)
        .post('/api/v1/schools')
        .set('Cookie', `ag_session=${victimSession}; ag_browser=${victimBrowser}; ag_csrf=${token}`)
        .set('X-CSRF-Token', token)
        .send(school);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('csrf_invalid');
    }
    // Before sign-in too: a token of another browser does not work for this browser's sign-in form.
    const loginCsrf = await supertest(app)
      .post('/api/v1/auth/login')
      .set('Cookie', `ag_browser=${victimBrowser}; ag_csrf=${attacker.csrfToken}`)
      .set('X-CSRF-Token', attacker.csrfToken)
      .send({ username: 'admin', password: PASSWORD });
    expect(loginCsrf.status).toBe(403);
    expect(await AuditEvent.countDocuments()).toBe(before);
    // The victim's own session token works.
    await victim.post('/api/v1/schools', school).expect(201);
  });

  it('when a session cookie is unknown, then the request is anonymous', async () => {
    const res = await new TestClient(app).agent.get('/api/v1/users').set('Cookie', 'ag_session=bogus').expect(401);
    expect(res.body.error.code).toBe('unauthenticated');
  });
});

// Personal API tokens: created (shown once, stored hashed), used (as the owner, same role and
// schools, no CSRF header), refused when revoked, expired, malformed or the owner is deactivated
// (401 with a code that says why), rate-limited, audited; and the access matrix of their routes.
import mongoose from 'mongoose';
import supertest from 'supertest';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createApp } from '../../server/app.ts';
import { apiTokenLimits } from '../../shared/schemas/api-tokens.ts';
import { ApiToken } from '../../server/modules/api-tokens/model.ts';
import { createApiToken } from '../../server/modules/api-tokens/service.ts';
import { AuditEvent } from '../../server/modules/audit/model.ts';
import { User } from '../../server/modules/users/model.ts';
import { describeAccessMatrix, everyone, type MatrixCase, type Who } from '../helpers/access-matrix.ts';
import { PASSWORD, TEST_SECRET, TestClient, databaseSnapshot, signedInClient, startTestApp, type TestApp } from '../helpers/app.ts';
import { seedAccounts } from '../helpers/fixtures.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;
let world: Awaited<ReturnType<typeof seedAccounts>>;
const clients = {} as Record<Who, TestClient>;

beforeAll(async () => {
  harness = await startTestApp();
  app = harness.app;
  world = await seedAccounts();
  clients.anonymous = await new TestClient(app).init();
  for (const who of everyone.filter((w) => w !== 'anonymous')) clients[who] = await signedInClient(app, who);
});
afterAll(() => harness.stop());

const userOf = (who: Who) => world.users[who === 'anonymous' ? 'admin' : who];
const actorOf = (who: Who) => {
  const u = userOf(who);
  return { id: u.id, username: u.username, role: u.role, schoolIds: u.schoolIds };
};
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
/** A request with only the token: no cookie jar, no CSRF header (as a script sends it). */
const script = (token: string) => ({
  get: (url: string) => supertest(app).get(url).set(bearer(token)),
  post: (url: string, body: object) => supertest(app).post(url).set(bearer(token)).send(body),
  patch: (url: string, body: object) => supertest(app).patch(url).set(bearer(token)).send(body),
});
async function newToken(who: Exclude<Who, 'anonymous'>, body: object = { name: `script of ${who}` }) {
  const res = await clients[who].post('/api/v1/api-tokens', body).expect(201);
  return res.body as { token: string; apiToken: { id: string; status: string; prefix: string; expiresAt: string; createdAt: string } };
}

const all = (status: number) => ({ anonymous: 401, admin: status, teacher: status, counsellor: status, researcher: status });
const cases: MatrixCase[] = [
  { method: 'get', path: '/api/v1/api-tokens/', targets: ['none'], request: async () => ({ url: '/api/v1/api-tokens' }), expected: all(200) },
  {
    method: 'post',
    path: '/api/v1/api-tokens/',
    targets: ['none'],
    request: async () => ({ url: '/api/v1/api-tokens', body: { name: 'matrix', expiresInDays: 7 } }),
    expected: all(201),
  },
  {
    method: 'post',
    path: '/api/v1/api-tokens/:id/revoke',
    targets: ['own', 'other'],
    // own = a token of the caller; other = someone else's token, which is not theirs to see (404).
    request: async (target, who) => {
      const owner: Who = target === 'own' ? who : who === 'admin' ? 'teacher' : 'admin';
      const { apiToken } = await createApiToken(actorOf(owner), { name: 'to revoke', expiresInDays: 7 });
      return { url: `/api/v1/api-tokens/${apiToken.id}/revoke` };
    },
    expected: {
      anonymous: 401,
      admin: (t) => (t === 'own' ? 200 : 404),
      teacher: (t) => (t === 'own' ? 200 : 404),
      counsellor: (t) => (t === 'own' ? 200 : 404),
      researcher: (t) => (t === 'own' ? 200 : 404),
    },
  },
];
describeAccessMatrix({ prefixes: ['/api/v1/api-tokens'], cases, clients: () => clients });

describe('creating a token', () => {
  it('when a user creates a token, then it is shown once, only its hash is stored, and the list never shows it', async () => {
    const before = Date.now();
    const { token, apiToken } = await newToken('teacher', { name: 'Roster sync', expiresInDays: 30 });
    expect(token).toMatch(/^agt_[A-Za-z0-9_-]{43}$/);
    expect(apiToken).toMatchObject({ name: 'Roster sync', status: 'active', prefix: token.slice(0, 8), lastUsedAt: null, revokedAt: null });
    const lifetimeDays = (Date.parse(apiToken.expiresAt) - Date.parse(apiToken.createdAt)) / 86_400_000;
    expect(lifetimeDays).toBe(30);
    expect(Date.parse(apiToken.createdAt)).toBeGreaterThanOrEqual(before - 1000);

    const stored = await mongoose.connection.db!.collection('api_tokens').find().toArray();
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(JSON.stringify(stored)).not.toContain(token.slice(8));
    const list = await clients.teacher.get('/api/v1/api-tokens').expect(200);
    expect(JSON.stringify(list.body)).not.toContain(token.slice(8));
    expect(list.body.items[0]).toMatchObject({ id: apiToken.id, name: 'Roster sync', status: 'active' });
    // Each user sees only their own tokens.
    const others = await clients.counsellor.get('/api/v1/api-tokens').expect(200);
    expect(others.body.items.map((t: { id: string }) => t.id)).not.toContain(apiToken.id);
  });

  it('when no lifetime is given, then the token expires after the default; more than the maximum is refused', async () => {
    const { apiToken } = await newToken('researcher', { name: 'default lifetime' });
    expect((Date.parse(apiToken.expiresAt) - Date.parse(apiToken.createdAt)) / 86_400_000).toBe(apiTokenLimits.lifetimeDaysDefault);
  });

  it.each([
    ['a lifetime over a year', { name: 'x', expiresInDays: apiTokenLimits.lifetimeDaysMax + 1 }, 'expiresInDays'],
    ['a lifetime of zero days', { name: 'x', expiresInDays: 0 }, 'expiresInDays'],
    ['a fractional lifetime', { name: 'x', expiresInDays: 1.5 }, 'expiresInDays'],
    ['an empty name', { name: '   ' }, 'name'],
    ['a name that is too long', { name: 'n'.repeat(apiTokenLimits.nameMax + 1) }, 'name'],
    ['an unknown field', { name: 'x', scopes: ['admin'] }, '(root)'],
    ['no body', undefined, '(root)'],
  ])('when a token is requested with %s, then 400 names the field and nothing is stored', async (_label, body, field) => {
    const before = await databaseSnapshot();
    const res = await clients.teacher.post('/api/v1/api-tokens', body).expect(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(field);
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('when a user already has the most active tokens, then one more is refused with 409 until one is revoked', async () => {
    const existing = await ApiToken.countDocuments({ userId: world.users.counsellor.id, revokedAt: null });
    const made = [];
    for (let i = existing; i < apiTokenLimits.activePerUserMax; i++) made.push(await newToken('counsellor', { name: `t${i}` }));
    const res = await clients.counsellor.post('/api/v1/api-tokens', { name: 'one too many' }).expect(409);
    expect(res.body.error.code).toBe('too_many_tokens');
    await clients.counsellor.post(`/api/v1/api-tokens/${made[0]!.apiToken.id}/revoke`).expect(200);
    await clients.counsellor.post('/api/v1/api-tokens', { name: 'now fits' }).expect(201);
  });
});

describe('using a token', () => {
  it('when a script sends the token, then it acts as its owner: same role, same schools', async () => {
    const { token } = await newToken('teacher');
    const own = await script(token).get(`/api/v1/schools/${world.schoolA.id}`).expect(200);
    expect(own.body.id).toBe(world.schoolA.id);
    const other = await script(token).get(`/api/v1/schools/${world.schoolB.id}`).expect(403);
    expect(other.body.error.code).toBe('forbidden');
    const list = await script(token).get('/api/v1/schools').expect(200);
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual([world.schoolA.id]);
    // A PE teacher's token reaches no scores and no accounts.
    expect((await script(token).get('/api/v1/users').expect(403)).body.error.code).toBe('forbidden');
    expect((await script(token).get(`/api/v1/worklist?schoolId=${world.schoolA.id}`).expect(403)).body.error.code).toBe('forbidden');
  });

  it('when the owner’s schools change, then the token follows at once', async () => {
    const { token } = await newToken('researcher');
    await script(token).get(`/api/v1/schools/${world.schoolB.id}`).expect(403);
    const user = await User.findById(world.users.researcher.id).lean();
    await clients.admin.patch(`/api/v1/users/${world.users.researcher.id}`, { version: user!.version, schoolIds: [world.schoolA.id, world.schoolB.id] }).expect(200);
    await script(token).get(`/api/v1/schools/${world.schoolB.id}`).expect(200);
    const again = await User.findById(world.users.researcher.id).lean();
    await clients.admin.patch(`/api/v1/users/${world.users.researcher.id}`, { version: again!.version, schoolIds: [world.schoolA.id] }).expect(200);
    await script(token).get(`/api/v1/schools/${world.schoolB.id}`).expect(403);
  });

  it('when a script changes data with a token, then no CSRF header is needed (a browser session still needs one)', async () => {
    const { token } = await newToken('admin');
    const created = await script(token).post('/api/v1/schools', { name: 'Scripted school', region: 'R', county: 'C', setting: 'rural' }).expect(201);
    expect(created.body.name).toBe('Scripted school');
    const audit = await AuditEvent.findOne({ entity: 'school', entityId: created.body.id, action: 'create' }).lean();
    expect(audit?.actorUsername).toBe('admin');
    // Cookie-only requests are unchanged: without the header they are refused.
    const noHeader = await clients.admin.agent.post('/api/v1/schools').send({ name: 'Forged', region: 'R', county: 'C', setting: 'rural' }).expect(403);
    expect(noHeader.body.error.code).toBe('csrf_invalid');
  });

  it('when a request carries a bad token and a valid session cookie, then the token decides: 401, no fall-back to the cookie', async () => {
    const before = await databaseSnapshot();
    const res = await clients.admin.agent
      .post('/api/v1/schools')
      .set(bearer('agt_' + 'x'.repeat(43)))
      .send({ name: 'Via cookie?', region: 'R', county: 'C', setting: 'rural' })
      .expect(401);
    expect(res.body.error.code).toBe('token_invalid');
    expect(await databaseSnapshot()).toEqual(before);
  });

  it.each([
    ['a malformed token', 'Bearer not-a-token'],
    ['an empty bearer', 'Bearer '],
    ['an unknown token of the right shape', `Bearer agt_${'A'.repeat(43)}`],
  ])('when a script sends %s, then 401 token_invalid', async (_label, header) => {
    const res = await supertest(app).get('/api/v1/schools').set('Authorization', header).expect(401);
    expect(res.body.error).toMatchObject({ code: 'token_invalid', message: expect.stringMatching(/not valid/) });
  });

  it('when a token is used to manage tokens, then 403 session_required: a token cannot mint or revoke tokens', async () => {
    const { token, apiToken } = await newToken('teacher');
    const before = await databaseSnapshot();
    expect((await script(token).get('/api/v1/api-tokens').expect(403)).body.error.code).toBe('session_required');
    expect((await script(token).post('/api/v1/api-tokens', { name: 'child token' }).expect(403)).body.error.code).toBe('session_required');
    expect((await script(token).post(`/api/v1/api-tokens/${apiToken.id}/revoke`, {}).expect(403)).body.error.code).toBe('session_required');
    // Only the first use of the token (lastUsedAt and its audit line) was written.
    const after = await databaseSnapshot();
    expect(after.api_tokens!.length).toBe(before.api_tokens!.length);
  });
});

describe('refused tokens', () => {
  it('when a token is revoked, then it stops working at once with 401 token_revoked and the list says revoked', async () => {
    const { token, apiToken } = await newToken('researcher');
    await script(token).get('/api/v1/programmes').expect(200);
    const revoked = await clients.researcher.post(`/api/v1/api-tokens/${apiToken.id}/revoke`).expect(200);
    expect(revoked.body).toMatchObject({ id: apiToken.id, status: 'revoked', revokedAt: expect.any(String) });
    const res = await script(token).get('/api/v1/programmes').expect(401);
    expect(res.body.error).toMatchObject({ code: 'token_revoked', message: expect.stringMatching(/revoked/) });
    const list = await clients.researcher.get('/api/v1/api-tokens').expect(200);
    expect(list.body.items.find((t: { id: string }) => t.id === apiToken.id).status).toBe('revoked');
  });

  it('when a token has expired, then 401 token_expired', async () => {
    const { token, apiToken } = await newToken('admin', { name: 'short-lived', expiresInDays: 1 });
    await script(token).get('/api/v1/schools').expect(200);
    await ApiToken.updateOne({ _id: apiToken.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const res = await script(token).get('/api/v1/schools').expect(401);
    expect(res.body.error.code).toBe('token_expired');
    const list = await clients.admin.get('/api/v1/api-tokens').expect(200);
    expect(list.body.items.find((t: { id: string }) => t.id === apiToken.id).status).toBe('expired');
  });

  it('when the owner is deactivated, then their token is refused with 401 token_user_inactive', async () => {
    const created = await clients.admin.post('/api/v1/users', { username: 'leaver', displayName: 'Leaver', password: PASSWORD, role: 'pe_teacher', schoolIds: [world.schoolA.id] }).expect(201);
    const leaver = await signedInClient(app, 'leaver');
    const { token } = (await leaver.post('/api/v1/api-tokens', { name: 'cron' }).expect(201)).body as { token: string };
    await script(token).get('/api/v1/schools').expect(200);
    await clients.admin.patch(`/api/v1/users/${created.body.id}`, { version: created.body.version, active: false }).expect(200);
    const res = await script(token).get('/api/v1/schools').expect(401);
    expect(res.body.error.code).toBe('token_user_inactive');
  });

  it('when someone tries to revoke another user’s token, then 404 and the token keeps working', async () => {
    const { token, apiToken } = await newToken('teacher');
    await clients.counsellor.post(`/api/v1/api-tokens/${apiToken.id}/revoke`).expect(404);
    await clients.admin.post(`/api/v1/api-tokens/${apiToken.id}/revoke`).expect(404);
    await script(token).get('/api/v1/schools').expect(200);
    expect((await clients.teacher.post('/api/v1/api-tokens/not-an-id/revoke').expect(400)).body.error.code).toBe('invalid_input');
  });
});

describe('audit trail', () => {
  it('when a token is created, used (first time by two concurrent requests, then again) and revoked, then each is audited once and no secret is written', async () => {
    const { token, apiToken } = await newToken('researcher', { name: 'Audited script' });
    await Promise.all([script(token).get('/api/v1/programmes').expect(200), script(token).get('/api/v1/schools').expect(200)]);
    await script(token).get('/api/v1/programmes').expect(200);
    await Promise.all([
      clients.researcher.post(`/api/v1/api-tokens/${apiToken.id}/revoke`).expect(200),
      clients.researcher.post(`/api/v1/api-tokens/${apiToken.id}/revoke`).expect(200),
    ]);
    const events = await AuditEvent.find({ entity: 'api_token', entityId: apiToken.id }).sort({ at: 1, _id: 1 }).lean();
    expect(events.map((e) => e.action)).toEqual(['create', 'first_use', 'revoke']);
    expect(events.every((e) => e.actorUsername === 'researcher')).toBe(true);
    const hash = (await ApiToken.findById(apiToken.id).lean())!.tokenHash;
    expect(JSON.stringify(events)).not.toContain(token.slice(8));
    expect(JSON.stringify(events)).not.toContain(hash);
    const viaApi = await clients.admin.get('/api/v1/audit?entity=api_token&action=first_use').expect(200);
    expect(viaApi.body.items.some((e: { entityId: string }) => e.entityId === apiToken.id)).toBe(true);
  });
});

describe('rate limit', () => {
  it('when a token sends more requests in a minute than allowed, then 429 rate_limited (other tokens unaffected)', async () => {
    const limited = createApp({ sessionSecret: TEST_SECRET, engine: inject('dbEngine'), logger: pino({ level: 'silent' }), apiTokenLimit: 3 });
    const { token: busy } = await newToken('researcher', { name: 'busy' });
    const { token: calm } = await newToken('teacher', { name: 'calm' });
    const statuses = await Promise.all(Array.from({ length: 5 }, () => supertest(limited).get('/api/v1/schools').set(bearer(busy)).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    const refused = await supertest(limited).get('/api/v1/schools').set(bearer(busy)).expect(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(refused.headers['ratelimit-policy']).toBeDefined();
    await supertest(limited).get('/api/v1/schools').set(bearer(calm)).expect(200);
  });
});

// Every endpoint that takes input rejects malformed data with a 4xx and a clear message, and the
// database is exactly as it was (every document of every collection compared).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { School } from '../../server/modules/schools/model.ts';
import { User } from '../../server/modules/users/model.ts';
import { PASSWORD, TestClient, databaseSnapshot, signedInClient, startTestApp, type TestApp } from '../helpers/app.ts';
import { seedAccounts } from '../helpers/fixtures.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;
let admin: TestClient;
let world: Awaited<ReturnType<typeof seedAccounts>>;

beforeAll(async () => {
  harness = await startTestApp();
  app = harness.app;
  world = await seedAccounts();
  admin = await signedInClient(app, 'admin');
});
afterAll(() => harness.stop());

interface Endpoint {
  name: string;
  method: 'post' | 'patch';
  url: () => Promise<string>;
  /** A valid body; each bad variant breaks one thing in it. */
  valid: () => Promise<Record<string, unknown>>;
  /** Sent as the admin, or anonymously (setup and login). */
  anonymous?: boolean;
}

const endpoints: Endpoint[] = [
  { name: 'setup', method: 'post', anonymous: true, url: async () => '/api/v1/auth/setup', valid: async () => ({ username: 'root', displayName: 'Root', password: PASSWORD }) },
  { name: 'login', method: 'post', anonymous: true, url: async () => '/api/v1/auth/login', valid: async () => ({ username: 'admin', password: PASSWORD }) },
  { name: 'create school', method: 'post', url: async () => '/api/v1/schools', valid: async () => ({ name: 'New School', region: 'Hunan', county: 'Xinhua', setting: 'rural', timeZone: 'Asia/Shanghai' }) },
  {
    name: 'update school',
    method: 'patch',
    url: async () => `/api/v1/schools/${world.schoolA.id}`,
    valid: async () => {
      const s = await School.findById(world.schoolA.id).lean();
      return { version: s!.version, name: 'Renamed', region: 'Hunan', county: 'Xinhua', setting: 'urban', timeZone: 'Asia/Shanghai' };
    },
  },
  {
    name: 'create user',
    method: 'post',
    url: async () => '/api/v1/users',
    valid: async () => ({ username: 'newuser', displayName: 'New User', password: PASSWORD, role: 'counsellor', schoolIds: [world.schoolA.id], locale: 'zh-CN' }),
  },
  {
    name: 'update user',
    method: 'patch',
    url: async () => {
      const u = await User.findOne({ username: 'teacher' }).lean();
      return `/api/v1/users/${u!._id}`;
    },
    valid: async () => {
      const u = await User.findOne({ username: 'teacher' }).lean();
      return { version: u!.version, displayName: 'T', role: 'pe_teacher', schoolIds: [world.schoolA.id], active: true, locale: 'en', password: PASSWORD };
    },
  },
];

type Variant = { label: string; body: string; expectStatus: number; expectCode: string };

function variants(valid: Record<string, unknown>): Variant[] {
  const json = (o: unknown) => JSON.stringify(o);
  const out: Variant[] = [
    { label: 'malformed JSON', body: json(valid).slice(0, -3), expectStatus: 400, expectCode: 'malformed_json' },
    { label: 'a JSON array instead of an object', body: json([valid]), expectStatus: 400, expectCode: 'invalid_input' },
    { label: 'an unknown field', body: json({ ...valid, isAdmin: true }), expectStatus: 400, expectCode: 'invalid_input' },
    { label: 'an oversized body', body: json({ ...valid, padding: 'x'.repeat(300_000) }), expectStatus: 413, expectCode: 'payload_too_large' },
  ];
  for (const [key, value] of Object.entries(valid)) {
    out.push({ label: `${key} of the wrong type`, body: json({ ...valid, [key]: typeof value === 'number' ? 'seven' : 12345 }), expectStatus: 400, expectCode: 'invalid_input' });
    if (typeof value === 'string') {
      out.push({ label: `${key} over-long`, body: json({ ...valid, [key]: 'x'.repeat(5_000) }), expectStatus: 400, expectCode: 'invalid_input' });
      out.push({ label: `${key} as an operator {"$gt": ""}`, body: json({ ...valid, [key]: { $gt: '' } }), expectStatus: 400, expectCode: 'invalid_input' });
    }
    if (Array.isArray(value)) {
      out.push({ label: `${key} holding an operator`, body: json({ ...valid, [key]: [{ $ne: null }] }), expectStatus: 400, expectCode: 'invalid_input' });
    }
  }
  return out;
}

describe('bad input is rejected and changes nothing', () => {
  for (const endpoint of endpoints) {
    it(`when ${endpoint.name} receives bad input, then 4xx with a clear message and the database is unchanged`, async () => {
      const valid = await endpoint.valid();
      const url = await endpoint.url();
      const client = endpoint.anonymous ? await new TestClient(app).init() : admin;
      const before = await databaseSnapshot();
      for (const v of variants(valid)) {
        const res = await client[endpoint.method](url).set('Content-Type', 'application/json').send(v.body);
        expect(res.status, `${endpoint.name}: ${v.label} → ${JSON.stringify(res.body)}`).toBe(v.expectStatus);
        expect(res.body.error.code, v.label).toBe(v.expectCode);
        expect(res.body.error.message.length, v.label).toBeGreaterThan(10);
      }
      expect(await databaseSnapshot()).toEqual(before);
    });
  }

  it('when a path id is not an id, then 400 names the problem', async () => {
    const res = await admin.get('/api/v1/schools/not-an-id').expect(400);
    expect(res.body.error.message).toBe('Invalid path: id: must be a 24-character id');
    await admin.patch('/api/v1/users/{"$gt":""}', { version: 0 }).expect(400);
  });

  it('when audit filters are malformed or injected, then 400 and nothing listed', async () => {
    for (const qs of ['entity[$ne]=x', 'page=0', 'pageSize=100000', 'from=yesterday', 'action=drop', 'actorId=abc', 'unknown=1']) {
      const res = await admin.get(`/api/v1/audit?${qs}`);
      expect(res.status, qs).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
    }
  });

  it('when a body is sent as text/plain, then it is refused and nothing is created', async () => {
    const before = await databaseSnapshot();
    const res = await admin.post('/api/v1/schools').set('Content-Type', 'text/plain').send('name=x');
    expect(res.status).toBe(400);
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('when a school time zone does not exist, then 400', async () => {
    const res = await admin.post('/api/v1/schools', { name: 'N', region: 'R', county: 'C', setting: 'rural', timeZone: 'Mars/Olympus' }).expect(400);
    expect(res.body.error.message).toContain('Mars/Olympus');
  });

  it('when a user is created for a school that does not exist, then 400 and no user', async () => {
    const before = await User.countDocuments();
    await admin.post('/api/v1/users', { username: 'ghost', displayName: 'G', password: PASSWORD, role: 'pe_teacher', schoolIds: ['0123456789abcdef01234567'] }).expect(400);
    await admin.post('/api/v1/users', { username: 'noschool', displayName: 'G', password: PASSWORD, role: 'pe_teacher', schoolIds: [] }).expect(400);
    expect(await User.countDocuments()).toBe(before);
  });
});

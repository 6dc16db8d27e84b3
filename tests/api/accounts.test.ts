import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schoolToday } from '../../shared/domain/dates.ts';
import { AuditEvent } from '../../server/modules/audit/model.ts';
import { PASSWORD, TestClient, signedInClient, startTestApp, type TestApp } from '../helpers/app.ts';
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

describe('schools', () => {
  it('when schools are created, then each gets the next code, never reused after a delete', async () => {
    const a = await admin.post('/api/v1/schools', { name: '城关小学', region: '湖南', county: '新化', setting: 'urban' }).expect(201);
    expect(a.body).toMatchObject({ code: 'S003', timeZone: 'Asia/Shanghai', version: 0 });
    await admin.delete(`/api/v1/schools/${a.body.id}?version=0`).expect(204);
    const b = await admin.post('/api/v1/schools', { name: 'Next', region: 'R', county: 'C', setting: 'rural' }).expect(201);
    expect(b.body.code).toBe('S004');
    await admin.get(`/api/v1/schools/${a.body.id}`).expect(404);
  });

  it('when two admins edit the same school, then the second gets 409 with the current state and nothing is lost', async () => {
    const first = await admin.patch(`/api/v1/schools/${world.schoolB.id}`, { version: 0, name: 'Urban School B (renamed)' }).expect(200);
    expect(first.body.version).toBe(1);
    const stale = await admin.patch(`/api/v1/schools/${world.schoolB.id}`, { version: 0, county: 'Other' }).expect(409);
    expect(stale.body.error.code).toBe('version_conflict');
    expect(stale.body.error.details.current).toMatchObject({ name: 'Urban School B (renamed)', county: 'Loudi', version: 1 });
  });

  it('when a school still has users, then it cannot be deleted', async () => {
    const res = await admin.delete(`/api/v1/schools/${world.schoolA.id}?version=0`).expect(409);
    expect(res.body.error.code).toBe('school_in_use');
  });

  it('when a school changes, then the audit trail holds who, what, before and after', async () => {
    const events = await admin.get(`/api/v1/audit?entity=school&action=update&entityId=${world.schoolB.id}`).expect(200);
    expect(events.body.total).toBe(1);
    const [event] = events.body.items;
    expect(event.actor.username).toBe('admin');
    expect(event.before.name).toBe('Urban School B');
    expect(event.after.name).toBe('Urban School B (renamed)');
  });
});

describe('users', () => {
  it('when a user is created, then the username is unique and no password hash is ever returned or audited', async () => {
    const res = await admin.post('/api/v1/users', { username: 'Li.Wei', displayName: '李伟', password: PASSWORD, role: 'pe_teacher', schoolIds: [world.schoolA.id] }).expect(201);
    expect(res.body).toMatchObject({ username: 'li.wei', role: 'pe_teacher', schoolIds: [world.schoolA.id], active: true });
    expect(JSON.stringify(res.body)).not.toContain('argon2');
    const dup = await admin.post('/api/v1/users', { username: 'li.wei', displayName: 'X', password: PASSWORD, role: 'researcher', schoolIds: [world.schoolA.id] }).expect(409);
    expect(dup.body.error.code).toBe('username_taken');
    const audit = await AuditEvent.find({ entity: 'user' }).lean();
    expect(JSON.stringify(audit)).not.toMatch(/argon2|passwordHash/);
  });

  it('when a user is deactivated, then their open session ends at once and they cannot sign in', async () => {
    const teacher = await signedInClient(app, 'teacher');
    await teacher.get('/api/v1/schools').expect(200);
    const list = await admin.get('/api/v1/users').expect(200);
    const t = list.body.items.find((u: { username: string }) => u.username === 'teacher');
    await admin.patch(`/api/v1/users/${t.id}`, { version: t.version, active: false }).expect(200);
    await teacher.get('/api/v1/schools').expect(401);
    const again = await new TestClient(app).init();
    await again.post('/api/v1/auth/login', { username: 'teacher', password: PASSWORD }).expect(401);
  });

  it('when a password is reset, then the old password stops working and the new one works', async () => {
    const list = await admin.get('/api/v1/users').expect(200);
    const r = list.body.items.find((u: { username: string }) => u.username === 'researcher');
    await admin.patch(`/api/v1/users/${r.id}`, { version: r.version, password: 'a brand new passphrase' }).expect(200);
    const client = await new TestClient(app).init();
    await client.post('/api/v1/auth/login', { username: 'researcher', password: PASSWORD }).expect(401);
    await client.post('/api/v1/auth/login', { username: 'researcher', password: 'a brand new passphrase' }).expect(200);
  });

  it('when a role or school changes, then the next request of that user already follows it', async () => {
    const counsellor = await signedInClient(app, 'counsellor');
    await counsellor.get(`/api/v1/schools/${world.schoolB.id}`).expect(403);
    const list = await admin.get('/api/v1/users').expect(200);
    const c = list.body.items.find((u: { username: string }) => u.username === 'counsellor');
    await admin.patch(`/api/v1/users/${c.id}`, { version: c.version, schoolIds: [world.schoolA.id, world.schoolB.id] }).expect(200);
    await counsellor.get(`/api/v1/schools/${world.schoolB.id}`).expect(200);
  });

  it('when the admin tries to deactivate or demote themselves, then 400', async () => {
    const me = (await admin.get('/api/v1/auth/session')).body.user;
    const res = await admin.patch(`/api/v1/users/${me.id}`, { version: me.version, active: false }).expect(400);
    expect(res.body.error.code).toBe('self_lockout');
    await admin.patch(`/api/v1/users/${me.id}`, { version: me.version, role: 'researcher' }).expect(400);
  });

  it('when a user edit is stale, then 409 with the current user (no hash)', async () => {
    const list = await admin.get('/api/v1/users').expect(200);
    const u = list.body.items.find((x: { username: string }) => x.username === 'li.wei');
    await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, displayName: 'First' }).expect(200);
    const res = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, displayName: 'Second' }).expect(409);
    expect(res.body.error.details.current.displayName).toBe('First');
    expect(JSON.stringify(res.body)).not.toContain('argon2');
  });
});

describe('password policy (issue 10 item 9)', () => {
  it('when a new or changed password is blank, NUL-only, short, common or guessable, then 400 says why and nothing is written', async () => {
    const { databaseSnapshot } = await import('../helpers/app.ts');
    const { User } = await import('../../server/modules/users/model.ts');
    const teacher = (await User.findOne({ username: 'teacher' }).lean())!;
    const before = await databaseSnapshot();
    const cases: [string, RegExp][] = [
      ['            ', /only spaces or invisible/],
      ['\u0000'.repeat(12), /only spaces or invisible/],
      ['short', /at least 10 characters/],
      ['password123', /most common passwords/],
      ['woaini1314', /most common passwords/],
      ['abcdefghij', /too easy to guess/],
    ];
    for (const [password, why] of cases) {
      const created = await admin.post('/api/v1/users', { username: 'weakling', displayName: 'W', password, role: 'counsellor', schoolIds: [world.schoolA.id] });
      expect(created.status, JSON.stringify(password)).toBe(400);
      expect(created.body.error.message).toMatch(why);
      expect(created.body.error.details[0].path).toBe('password');
      const changed = await admin.patch(`/api/v1/users/${teacher._id}`, { version: teacher.version, password });
      expect(changed.status).toBe(400);
      expect(changed.body.error.message).toMatch(why);
    }
    expect(await databaseSnapshot()).toEqual(before);
  });
});

describe('audit listing', () => {
  it('when filtered by action, date and paged, then the newest entries come first', async () => {
    const today = schoolToday(new Date(), 'Asia/Shanghai');
    const page1 = await admin.get(`/api/v1/audit?action=create&from=${today}&to=${today}&pageSize=2&page=1`).expect(200);
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.total).toBeGreaterThan(2);
    const page2 = await admin.get(`/api/v1/audit?action=create&pageSize=2&page=2`).expect(200);
    expect(page2.body.items[0].id).not.toBe(page1.body.items[0].id);
    expect(Date.parse(page1.body.items[0].at)).toBeGreaterThanOrEqual(Date.parse(page1.body.items[1].at));
    const none = await admin.get('/api/v1/audit?from=2000-01-01&to=2000-01-02').expect(200);
    expect(none.body).toMatchObject({ items: [], total: 0 });
  });

  it('when days are given, then they are read in the given time zone (default Asia/Shanghai)', async () => {
    const [event] = (await admin.get('/api/v1/audit?pageSize=1').expect(200)).body.items;
    const at = new Date(event.at);
    const shanghaiDay = schoolToday(at, 'Asia/Shanghai');
    const honoluluDay = schoolToday(at, 'Pacific/Honolulu');
    const inShanghai = await admin.get(`/api/v1/audit?from=${shanghaiDay}&to=${shanghaiDay}`).expect(200);
    expect(inShanghai.body.items.map((e: { id: string }) => e.id)).toContain(event.id);
    const inHonolulu = await admin.get(`/api/v1/audit?from=${honoluluDay}&to=${honoluluDay}&timeZone=Pacific/Honolulu`).expect(200);
    expect(inHonolulu.body.items.map((e: { id: string }) => e.id)).toContain(event.id);
    await admin.get('/api/v1/audit?from=2026-01-01&timeZone=Mars/Base').expect(400);
  });

  it('when a user locale is cleared with null, then the user follows the browser again', async () => {
    const u = (await admin.get('/api/v1/users').expect(200)).body.items.find((x: { username: string }) => x.username === 'li.wei');
    const set = await admin.patch(`/api/v1/users/${u.id}`, { version: u.version, locale: 'en' }).expect(200);
    expect(set.body.locale).toBe('en');
    const cleared = await admin.patch(`/api/v1/users/${u.id}`, { version: set.body.version, locale: null }).expect(200);
    expect(cleared.body.locale).toBeUndefined();
    expect((await admin.get(`/api/v1/users/${u.id}`).expect(200)).body.displayName).toBe('First');
  });
});

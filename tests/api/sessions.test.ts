// Session log and attendance register API: access matrix, bad input, idempotent retries, stale
// versions, membership on the session date, audit, and the dose recompute after a save.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../shared/domain/dates.ts';
import { AuditEvent } from '../../server/modules/audit/model.ts';
import { DoseSummary } from '../../server/modules/dose/model.ts';
import { doseIdle } from '../../server/modules/dose/service.ts';
import { Session } from '../../server/modules/sessions/model.ts';
import { databaseSnapshot, signedInClient, startTestApp, TestClient, type TestApp } from '../helpers/app.ts';
import { describeAccessMatrix, type Who } from '../helpers/access-matrix.ts';
import { seedAccounts } from '../helpers/fixtures.ts';
import { createProgrammeWorld, newKey, registerBody, type ProgrammeWorld } from './sessions.fixtures.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let app: TestApp;
let world: Awaited<ReturnType<typeof seedAccounts>>;
let pw: ProgrammeWorld;
const clients = {} as Record<Who, TestClient>;

beforeAll(async () => {
  harness = await startTestApp();
  app = harness.app;
  world = await seedAccounts();
  pw = await createProgrammeWorld(world.schoolA.id, world.schoolB.id);
  clients.anonymous = await new TestClient(app).init();
  for (const who of ['admin', 'teacher', 'counsellor', 'researcher'] as const) clients[who] = await signedInClient(app, who);
});
afterAll(async () => {
  await doseIdle();
  await harness.stop();
});

const membersA = () => pw.childrenA;
let matrixSession = 0;
/** A fresh past session per call, so saves in the matrix never collide on the version. */
async function pastSession(target: 'own' | 'other' | 'none') {
  const list = target === 'other' ? pw.sessionsB : pw.sessionsA;
  const id = list[matrixSession++ % list.length] as string;
  const s = await Session.findById(id).lean();
  return { id, version: s!.version, members: target === 'other' ? pw.childrenB : membersA() };
}

describeAccessMatrix({
  prefixes: ['/api/v1/sessions'],
  clients: () => clients,
  cases: [
    {
      method: 'get',
      path: '/api/v1/sessions/',
      targets: ['none'],
      request: async () => ({ url: '/api/v1/sessions' }),
      expected: { anonymous: 401, admin: 200, teacher: 200, counsellor: 200, researcher: 403 },
    },
    {
      method: 'get',
      path: '/api/v1/sessions/:id',
      targets: ['own', 'other'],
      request: async (t) => ({ url: `/api/v1/sessions/${(await pastSession(t)).id}` }),
      expected: { anonymous: 401, admin: 200, teacher: (t) => (t === 'own' ? 200 : 403), counsellor: (t) => (t === 'own' ? 200 : 403), researcher: 403 },
    },
    {
      method: 'put',
      path: '/api/v1/sessions/:id/log',
      targets: ['own', 'other'],
      request: async (t) => {
        const s = await pastSession(t);
        return { url: `/api/v1/sessions/${s.id}/log`, body: registerBody(s.version, s.members), headers: { 'Idempotency-Key': newKey() } };
      },
      expected: { anonymous: 401, admin: 200, teacher: (t) => (t === 'own' ? 200 : 403), counsellor: 403, researcher: 403 },
    },
  ],
});

function put(client: TestClient, id: string, body: unknown, key = newKey()) {
  return client.agent.put(`/api/v1/sessions/${id}/log`).set('X-CSRF-Token', client.csrfToken).set('Idempotency-Key', key).send(body as object);
}

describe('saving a register', () => {
  it('when a teacher saves a 30-child register with a late child, then the session is held, versioned, audited and the register is stored', async () => {
    const id = pw.sessionsA[11] as string;
    const before = await Session.findById(id).lean();
    const audits = await AuditEvent.countDocuments({ entity: 'session', entityId: id });
    const body = registerBody(before!.version, membersA(), { absent: [membersA()[0] as string], late: { [membersA()[1] as string]: 20 } });
    const res = await put(clients.teacher, id, body).expect(200);
    expect(res.body.status).toBe('held');
    expect(res.body.version).toBe(before!.version + 1);
    expect(res.body.register).toHaveLength(30);
    expect(res.body.register[1]).toEqual({ childId: membersA()[1], status: 'late', minutes: 20 });
    expect(res.body.activityBlocks[1]).toEqual({ activityCode: 'rope-skipping', minutes: 30, rpe: 6, avgHeartRate: 150 });
    const stored = await Session.findById(id).lean();
    expect(stored!.register.map((r) => r.status).filter((s) => s === 'absent')).toHaveLength(1);
    const audit = await AuditEvent.find({ entity: 'session', entityId: id }).sort({ at: -1, _id: -1 }).lean();
    expect(audit).toHaveLength(audits + 1);
    expect((audit[0]!.before as { version: number }).version).toBe(before!.version);
    expect((audit[0]!.after as { status: string; register: unknown[] }).register).toHaveLength(30);
    expect((audit[0]!.after as { status: string }).status).toBe('held');
  });

  it('when the same save is retried with the same Idempotency-Key, then it is replayed and nothing changes twice', async () => {
    const id = pw.sessionsA[10] as string;
    const before = await Session.findById(id).lean();
    const body = registerBody(before!.version, membersA());
    const key = newKey();
    const first = await put(clients.teacher, id, body, key).expect(200);
    const auditCount = await AuditEvent.countDocuments({ entityId: id });
    const retry = await put(clients.teacher, id, body, key).expect(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    const after = await Session.findById(id).lean();
    expect(after!.version).toBe(before!.version + 1);
    expect(await AuditEvent.countDocuments({ entityId: id })).toBe(auditCount);
    // The same key for a different body is refused (a client bug, not a retry).
    const other = await put(clients.teacher, id, { ...body, notes: 'changed' }, key);
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
  });

  it('when the same save arrives 4 times at once (a phone retrying while the first is in flight), then all answer 200 with one saved session, written and audited once', async () => {
    const id = pw.sessionsA[6] as string;
    const before = await Session.findById(id).lean();
    const audits = await AuditEvent.countDocuments({ entity: 'session', entityId: id });
    const body = registerBody(before!.version, membersA(), { absent: [membersA()[2] as string] });
    const key = newKey();
    const answers = await Promise.all([1, 2, 3, 4].map(() => put(clients.teacher, id, body, key)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    for (const a of answers) expect(a.body).toEqual(answers[0]!.body);
    expect(answers[0]!.body.version).toBe(before!.version + 1);
    expect((await Session.findById(id).lean())!.version).toBe(before!.version + 1);
    expect(await AuditEvent.countDocuments({ entity: 'session', entityId: id })).toBe(audits + 1);
    // A later retry is a replay of the stored answer.
    const later = await put(clients.teacher, id, body, key).expect(200);
    expect(later.headers['idempotent-replayed']).toBe('true');
    expect(later.body).toEqual(answers[0]!.body);
  });

  it('when one key is sent at once with two different registers (a client bug), then only one is saved and the other is never told it was', async () => {
    const id = pw.sessionsA[8] as string;
    const before = await Session.findById(id).lean();
    const key = newKey();
    const bodies = [membersA()[3], membersA()[4]].map((absent) => registerBody(before!.version, membersA(), { absent: [absent as string] }));
    const answers = await Promise.all(bodies.map((b) => put(clients.teacher, id, b, key)));
    const saved = answers.filter((a) => a.status === 200);
    expect(saved).toHaveLength(1);
    const loser = answers.find((a) => a.status !== 200)!;
    expect([409, 422]).toContain(loser.status);
    const stored = (await Session.findById(id).lean())!;
    expect(stored.version).toBe(before!.version + 1);
    expect(stored.register.filter((r) => r.status === 'absent').map((r) => String(r.childId))).toEqual(
      saved[0]!.body.register.filter((r: { status: string }) => r.status === 'absent').map((r: { childId: string }) => r.childId),
    );
  });

  it('when a second teacher saves with a stale version, then 409 carries the current session and nothing is overwritten', async () => {
    const id = pw.sessionsA[9] as string;
    const before = await Session.findById(id).lean();
    const mine = registerBody(before!.version, membersA(), { absent: [membersA()[2] as string] });
    await put(clients.teacher, id, mine).expect(200);
    const stale = registerBody(before!.version, membersA(), { absent: [membersA()[3] as string] });
    await doseIdle();
    const snapshot = await databaseSnapshot();
    const res = await put(clients.admin, id, stale);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('version_conflict');
    expect(res.body.error.details.current.version).toBe(before!.version + 1);
    expect(res.body.error.details.current.register.find((r: { status: string }) => r.status === 'absent').childId).toBe(membersA()[2]);
    expect(await databaseSnapshot()).toEqual(snapshot);
    // The merge: resend with the current version.
    await put(clients.admin, id, { ...stale, version: before!.version + 1 }).expect(200);
  });

  it('when the register names a child who was not a member on that date, then 400 not_a_member and nothing changes', async () => {
    // Week 1: the late joiner had not joined yet; the leaver was still a member.
    const id = pw.sessionsA[1] as string;
    const s = await Session.findById(id).lean();
    expect(s!.date >= pw.startDate && s!.date < addDays(pw.startDate, 7)).toBe(true);
    await doseIdle();
    const before = await databaseSnapshot();
    for (const stranger of [pw.lateJoiner, pw.outsider, pw.childrenB[0] as string]) {
      const res = await put(clients.teacher, id, registerBody(s!.version, [...membersA(), stranger]));
      expect(res.status, stranger).toBe(400);
      expect(res.body.error.code).toBe('not_a_member');
      expect(res.body.error.details.childIds).toEqual([stranger]);
    }
    expect(await databaseSnapshot()).toEqual(before);
    await put(clients.teacher, id, registerBody(s!.version, [...membersA(), pw.leaver])).expect(200);
  });

  it('when a session lies after the leaver left, then the leaver cannot be registered but the late joiner can', async () => {
    const id = pw.sessionsA[7] as string; // week 3
    const s = await Session.findById(id).lean();
    expect((await put(clients.teacher, id, registerBody(s!.version, [...membersA(), pw.leaver]))).body.error.code).toBe('not_a_member');
    await put(clients.teacher, id, registerBody(s!.version, [...membersA(), pw.lateJoiner])).expect(200);
    const view = await clients.teacher.get(`/api/v1/sessions/${id}`).expect(200);
    const roster = view.body.roster.map((r: { childId: string }) => r.childId);
    expect(roster).toContain(pw.lateJoiner);
    expect(roster).not.toContain(pw.leaver);
    expect(view.body.roster[0].displayName).toMatch(/孩子/);
  });

  it('when a session is in the future or cancelled, then it cannot be logged', async () => {
    const future = await Session.findById(pw.futureA).lean();
    const res = await put(clients.teacher, pw.futureA, registerBody(future!.version, membersA()));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('session_in_future');
    const id = pw.sessionsA[3] as string;
    await Session.updateOne({ _id: id }, { $set: { status: 'cancelled', cancelReason: 'rain' }, $inc: { version: 1 } });
    const s = await Session.findById(id).lean();
    const res2 = await put(clients.teacher, id, registerBody(s!.version, membersA()));
    expect(res2.status).toBe(409);
    expect(res2.body.error.code).toBe('session_cancelled');
    await Session.updateOne({ _id: id }, { $set: { status: 'scheduled', cancelReason: null }, $inc: { version: 1 } });
  });

  it('when the Idempotency-Key is missing or malformed, then 400 and nothing changes', async () => {
    const id = pw.sessionsA[4] as string;
    const s = await Session.findById(id).lean();
    await doseIdle();
    const before = await databaseSnapshot();
    const noKey = await clients.teacher.agent.put(`/api/v1/sessions/${id}/log`).set('X-CSRF-Token', clients.teacher.csrfToken).send(registerBody(s!.version, membersA()));
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.code).toBe('idempotency_key_required');
    const bad = await put(clients.teacher, id, registerBody(s!.version, membersA()), 'no spaces allowed!');
    expect(bad.body.error.code).toBe('invalid_idempotency_key');
    expect(await databaseSnapshot()).toEqual(before);
  });
});

describe('bad input is rejected and changes nothing', () => {
  it('when a register save receives malformed, mistyped, unknown, over-long or injected input, then 4xx with a clear message and the database is unchanged', async () => {
    const id = pw.sessionsA[5] as string;
    const s = await Session.findById(id).lean();
    const valid = registerBody(s!.version, membersA());
    const json = (o: unknown) => JSON.stringify(o);
    const reg = valid.register;
    const variants: [string, string, number, string][] = [
      ['malformed JSON', json(valid).slice(0, -3), 400, 'malformed_json'],
      ['an array', json([valid]), 400, 'invalid_input'],
      ['an unknown field', json({ ...valid, status: 'held' }), 400, 'invalid_input'],
      ['an oversized body', json({ ...valid, notes: 'x'.repeat(300_000) }), 413, 'payload_too_large'],
      ['version as a string', json({ ...valid, version: 'seven' }), 400, 'invalid_input'],
      ['version as an operator', json({ ...valid, version: { $gt: 0 } }), 400, 'invalid_input'],
      ['actualStart not a time', json({ ...valid, actualStart: '25:99' }), 400, 'invalid_input'],
      ['actualStart as an operator', json({ ...valid, actualStart: { $gt: '' } }), 400, 'invalid_input'],
      ['notes over-long', json({ ...valid, notes: 'x'.repeat(5_000) }), 400, 'invalid_input'],
      ['no activity blocks', json({ ...valid, activityBlocks: [] }), 400, 'invalid_input'],
      ['minutes of the wrong type', json({ ...valid, activityBlocks: [{ activityCode: 'running', minutes: '30' }] }), 400, 'invalid_input'],
      ['RPE above the OMNI scale', json({ ...valid, activityBlocks: [{ activityCode: 'running', minutes: 30, rpe: 11 }] }), 400, 'invalid_input'],
      ['heart rate implausible', json({ ...valid, activityBlocks: [{ activityCode: 'running', minutes: 30, avgHeartRate: 400 }] }), 400, 'invalid_input'],
      ['unknown activity', json({ ...valid, activityBlocks: [{ activityCode: 'quidditch', minutes: 30 }] }), 400, 'unknown_activity'],
      ['activity code over-long', json({ ...valid, activityBlocks: [{ activityCode: 'x'.repeat(500), minutes: 30 }] }), 400, 'invalid_input'],
      ['a status that does not exist', json({ ...valid, register: [{ childId: reg[0]!.childId, status: 'sleeping' }] }), 400, 'invalid_input'],
      ['a child twice', json({ ...valid, register: [reg[0], reg[0]] }), 400, 'invalid_input'],
      ['a child id operator', json({ ...valid, register: [{ childId: { $ne: null }, status: 'present' }] }), 400, 'invalid_input'],
      ['a child id that is not an id', json({ ...valid, register: [{ childId: 'abc', status: 'present' }] }), 400, 'invalid_input'],
      ['partial minutes beyond the session', json({ ...valid, register: [{ childId: reg[0]!.childId, status: 'late', minutes: 200 }] }), 400, 'invalid_input'],
      ['a register that is not an array', json({ ...valid, register: { $gt: '' } }), 400, 'invalid_input'],
      ['a register entry with an unknown field', json({ ...valid, register: [{ ...reg[0], name: 'x' }] }), 400, 'invalid_input'],
    ];
    await doseIdle();
    const before = await databaseSnapshot();
    for (const [label, body, status, code] of variants) {
      const res = await clients.teacher.agent
        .put(`/api/v1/sessions/${id}/log`)
        .set('X-CSRF-Token', clients.teacher.csrfToken)
        .set('Idempotency-Key', newKey())
        .set('Content-Type', 'application/json')
        .send(body);
      expect(res.status, `${label}: ${JSON.stringify(res.body)}`).toBe(status);
      expect(res.body.error.code, label).toBe(code);
      expect(res.body.error.message.length, label).toBeGreaterThan(10);
    }
    expect(await databaseSnapshot()).toEqual(before);
  });

  it('when ids or list filters are malformed or injected, then 400', async () => {
    for (const url of ['/api/v1/sessions/not-an-id', '/api/v1/sessions?groupId[$ne]=x', '/api/v1/sessions?from=yesterday', '/api/v1/sessions?status=done', '/api/v1/sessions?unknown=1']) {
      const res = await clients.teacher.get(url);
      expect(res.status, url).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
    }
    await clients.teacher.get('/api/v1/sessions/0123456789abcdef01234567').expect(404);
  });
});

describe('listing sessions', () => {
  it('when a teacher lists sessions, then only their school appears, with attendance counts', async () => {
    const res = await clients.teacher.get(`/api/v1/sessions?programmeId=${pw.programmeId}`).expect(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.every((s: { schoolId: string }) => s.schoolId === world.schoolA.id)).toBe(true);
    const held = res.body.items.find((s: { id: string }) => s.id === pw.sessionsA[11]);
    expect(held.status).toBe('held');
    expect(held.marks).toBe(30);
    expect(held.attended).toBe(29);
    expect(held.groupName).toBe('Skipping club');
    const admin = await clients.admin.get(`/api/v1/sessions?programmeId=${pw.programmeId}&status=scheduled&from=${pw.startDate}`).expect(200);
    expect(admin.body.items.some((s: { schoolId: string }) => s.schoolId === world.schoolB.id)).toBe(true);
  });
});

describe('dose after a save', () => {
  it('when a register is saved, then the children of that group get summaries in the background', async () => {
    await doseIdle();
    const n = await DoseSummary.countDocuments({ programmeId: pw.programmeId });
    expect(n).toBeGreaterThanOrEqual(30);
  });
});

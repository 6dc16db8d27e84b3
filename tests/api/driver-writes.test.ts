// What the register save writes through the driver instead of through mongoose (issue 11): the
// audit entry and the idempotency record (inserted), and the session's update. What lands in the
// database must be exactly what mongoose would have stored — every schema field present, in its
// schema type, and valid — and the update must equal mongoose's cast of the same values.
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyKey } from '../../server/lib/idempotency.ts';
import { recordAudit } from '../../server/modules/audit/service.ts';
import { AuditEvent } from '../../server/modules/audit/model.ts';
import { Session } from '../../server/modules/sessions/model.ts';
import { registerSaveUpdate } from '../../server/modules/sessions/service.ts';
import { saveSessionLogSchema } from '../../shared/schemas/register.ts';
import { signedInClient, startTestApp } from '../helpers/app.ts';
import { seedAccounts } from '../helpers/fixtures.ts';
import { createProgrammeWorld, newKey, registerBody, type ProgrammeWorld } from './sessions.fixtures.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let world: ProgrammeWorld;

beforeAll(async () => {
  harness = await startTestApp();
  const seeded = await seedAccounts();
  world = await createProgrammeWorld(seeded.schoolA.id, seeded.schoolB.id);
}, 120_000);
afterAll(() => harness.stop());

/** The stored document next to mongoose's cast of it: equal, and valid. */
async function expectAsMongooseStoresIt(model: mongoose.Model<any>, stored: Record<string, unknown> | null) {
  expect(stored).not.toBeNull();
  const cast = new model(stored);
  await expect(cast.validate()).resolves.toBeUndefined();
  expect(cast.toObject({ depopulate: true })).toEqual(stored);
  // Every path of the schema is stored, none left to a default applied only on read.
  for (const path of Object.keys(model.schema.paths)) expect(Object.keys(stored!)).toContain(path);
}

describe('documents written through the driver', () => {
  it('when a register is saved, then the session, its audit entry and idempotency record are stored exactly as mongoose would store them', async () => {
    const teacher = await signedInClient(harness.app, 'teacher');
    const key = newKey();
    const sessionId = world.sessionsA[0]!;
    const res = await teacher.agent
      .put(`/api/v1/sessions/${sessionId}/log`)
      .set('X-CSRF-Token', teacher.csrfToken)
      .set('Idempotency-Key', key)
      .send(registerBody(0, world.childrenA, { absent: [world.childrenA[0]!], late: { [world.childrenA[1]!]: 10 } }));
    expect(res.status).toBe(200);

    const session = await Session.collection.findOne({ _id: new mongoose.Types.ObjectId(sessionId) });
    await expectAsMongooseStoresIt(Session, session);
    expect(session).toMatchObject({ status: 'held', version: 1, notes: 'Windy but fine' });
    expect(session!.updatedAt).toEqual(session!.loggedAt);

    const audit = await AuditEvent.collection.findOne({ entity: 'session', entityId: sessionId, action: 'update' });
    await expectAsMongooseStoresIt(AuditEvent, audit);
    expect(audit).toMatchObject({ actorUsername: 'teacher', meta: { kind: 'register-save' } });
    expect((audit!.after as { register: unknown[] }).register).toHaveLength(world.childrenA.length);

    const record = await IdempotencyKey.collection.findOne({ _id: { $regex: `:${key}$` } } as object);
    await expectAsMongooseStoresIt(IdempotencyKey, record);
    expect(record).toMatchObject({ state: 'done', status: 200, response: res.body });
  });

  it('when an entry has no actor, school or snapshots, then its nulls are stored as mongoose would store them', async () => {
    const entityId = `driver-insert-${Date.now()}`;
    await recordAudit({ actor: null, action: 'create', entity: 'system', entityId });
    const stored = await AuditEvent.collection.findOne({ entityId });
    await expectAsMongooseStoresIt(AuditEvent, stored);
    expect(stored).toMatchObject({ actorId: null, actorUsername: null, schoolId: null, before: null, after: null, meta: null });
  });

  it('when a register save update is built, then it equals mongoose’s cast of the same values, optional fields included', () => {
    const body = structuredClone(registerBody(3, world.childrenA.slice(0, 4), { absent: [world.childrenA[0]!], late: { [world.childrenA[1]!]: 12 } })) as unknown as {
      register: Record<string, unknown>[];
      activityBlocks: Record<string, unknown>[];
    };
    body.register[2]!.rpe = 7.5;
    body.activityBlocks[1]!.mets = 6.5;
    const input = saveSessionLogSchema.parse(body);
    const now = new Date();
    const actor = { id: new mongoose.Types.ObjectId().toHexString() };
    const update = registerSaveUpdate(actor, input, now, 'user:key:hash');
    const { updatedAt, ...set } = update.$set;
    expect(updatedAt).toBe(now);
    expect(update.$inc).toEqual({ version: 1 });
    const asMongooseCasts = Session.castObject({ ...input, version: undefined, status: 'held', loggedBy: actor.id, loggedAt: now, lastRequestId: 'user:key:hash' });
    delete (asMongooseCasts as { version?: unknown }).version;
    expect(set).toEqual(asMongooseCasts);
  });
});

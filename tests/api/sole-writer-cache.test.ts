// The sole-writer cache (server/db/sole-writer-cache.ts): on the embedded engine, where this
// process is the database's only writer, documents read by `_id` on hot paths (login session,
// user, and a register save's group and programme) are remembered between requests; every write
// through mongoose forgets them at once. On any other engine nothing is remembered.
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { engineTraits } from '../../server/db/connection.ts';
import { cachedById, rememberReads } from '../../server/db/sole-writer-cache.ts';
import { Group, type GroupDoc } from '../../server/modules/groups/model.ts';
import supertest from 'supertest';
import { PASSWORD, signedInClient, startTestApp, TestClient } from '../helpers/app.ts';
import { seedAccounts } from '../helpers/fixtures.ts';
import { createChildren, createProgrammeWorld, newKey, registerBody, type ProgrammeWorld } from './sessions.fixtures.ts';

let harness: Awaited<ReturnType<typeof startTestApp>>;
let world: ProgrammeWorld;
let teacher: TestClient;
let schoolA: string;

beforeAll(async () => {
  harness = await startTestApp();
  const seeded = await seedAccounts();
  schoolA = seeded.schoolA.id;
  world = await createProgrammeWorld(seeded.schoolA.id, seeded.schoolB.id);
  teacher = await signedInClient(harness.app, 'teacher');
}, 120_000);
afterAll(() => harness.stop());

const save = (sessionId: string, body: unknown) =>
  teacher.agent.put(`/api/v1/sessions/${sessionId}/log`).set('X-CSRF-Token', teacher.csrfToken).set('Idempotency-Key', newKey()).send(body as object);
const readGroup = (id: string) => cachedById(Group, id, () => Group.findById(id).lean<GroupDoc>());
/** As createApp set it: only the embedded FerretDB has this process as its only writer. */
const remembers = () => inject('dbEngine') === 'ferretdb' && engineTraits().updatesAreReadModifyWrite;

describe('sole-writer cache', () => {
  it('when a group is read twice, then the embedded engine answers the second read from memory, and a write through the model is seen at once', async () => {
    const first = (await readGroup(world.groupB))!;
    // Behind mongoose's back (no middleware): only a remembered document would still show the old name.
    await Group.collection.updateOne({ _id: new mongoose.Types.ObjectId(world.groupB) }, { $set: { name: 'Renamed behind the back' } });
    const second = (await readGroup(world.groupB))!;
    expect(second.name).toBe(remembers() ? first.name : 'Renamed behind the back');

    await Group.updateOne({ _id: world.groupB }, { $set: { name: 'Renamed through the model' } });
    expect((await readGroup(world.groupB))!.name).toBe('Renamed through the model');
  });

  it('when the database is a MongoDB server others may write (MONGODB_URI), then nothing is remembered', async () => {
    rememberReads(false);
    try {
      await readGroup(world.groupB);
      await Group.collection.updateOne({ _id: new mongoose.Types.ObjectId(world.groupB) }, { $set: { name: 'Written by another process' } });
      expect((await readGroup(world.groupB))!.name).toBe('Written by another process');
    } finally {
      rememberReads(inject('dbEngine') === 'ferretdb');
    }
  });

  it('when a write happens while a read is on its way, then what that read found is not remembered', async () => {
    await readGroup(world.groupB);
    await Group.updateOne({ _id: world.groupB }, { $set: { name: 'Before the overlap' } });
    let release!: () => void;
    let found!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const hasRead = new Promise<void>((r) => (found = r));
    const overlapped = cachedById(Group, world.groupB, async () => {
      const doc = await Group.findById(world.groupB).lean<GroupDoc>();
      found();
      await gate; // the write below happens after this read and before it returns
      return doc;
    });
    // Only once the database has answered the read: sent at once, the write could overtake it.
    await hasRead;
    await Group.updateOne({ _id: world.groupB }, { $set: { name: 'Written during the read' } });
    release();
    expect((await overlapped)!.name).toBe('Before the overlap');
    expect((await readGroup(world.groupB))!.name).toBe('Written during the read');
  });

  it('when a remembered document is changed by its reader, then it throws instead of changing it for the next request', async () => {
    const group = (await readGroup(world.groupB))!;
    if (!remembers()) return;
    expect(() => {
      (group as { name: string }).name = 'changed';
    }).toThrow(TypeError);
    expect(() => (group.members as unknown[]).push({})).toThrow(TypeError);
  });

  it('when a child is added to the group after a register save read it, then the next save may list that child', async () => {
    const [newcomer] = await createChildren(schoolA, 1, 'N');
    const sessionId = world.sessionsA[0]!;
    const members = [...world.childrenA];
    await save(sessionId, registerBody(0, members)).expect(200);
    // Not a member yet: refused, and the group has been read (and remembered) by now.
    const refused = await save(sessionId, registerBody(1, [...members, newcomer!])).expect(400);
    expect(refused.body.error.code).toBe('not_a_member');

    const group = await teacher.get(`/api/v1/groups/${world.groupA}`).expect(200);
    await teacher.post(`/api/v1/groups/${world.groupA}/members`, { version: group.body.version, childIds: [newcomer], joinedOn: world.startDate }).expect(200);
    await save(sessionId, registerBody(1, [...members, newcomer!])).expect(200);
  });

  it('when a teacher signs out, then the same cookie is refused at once', async () => {
    const client = await new TestClient(harness.app).init();
    const login = await client.post('/api/v1/auth/login', { username: 'teacher', password: PASSWORD }).expect(200);
    const cookies = (login.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    await supertest(harness.app).get('/api/v1/schools').set('Cookie', cookies).expect(200); // session and user now remembered
    await client.post('/api/v1/auth/logout', {}).expect(204);
    await supertest(harness.app).get('/api/v1/schools').set('Cookie', cookies).expect(401);
  });
});

// The embedded database keeps its data in DATA_DIR: stop it, start it again, read the data back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import { provisionDatabase } from '../../server/db/provision.ts';

const { MongoClient } = mongoose.mongo;
type MongoClient = InstanceType<typeof MongoClient>;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'activegroups-persist-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

async function withDatabase<T>(fn: (client: MongoClient) => Promise<T>) {
  const engine = process.env.DB_ENGINE as 'mongod' | 'ferretdb' | undefined;
  const db = await provisionDatabase({ dataDir, engine: engine ?? 'auto', log: () => {} });
  const client = await MongoClient.connect(db.uri);
  try {
    return { engine: db.engine, location: db.location, result: await fn(client) };
  } finally {
    await client.close();
    await db.stop();
  }
}

describe('embedded database persistence', () => {
  it('when the embedded database is stopped and started again on the same DATA_DIR, then the data is still there', async () => {
    const first = await withDatabase(async (client) => {
      await client.db('persist').collection('notes').insertOne({ _id: 'n1' as never, text: '留守儿童 — data survives', n: 42 });
    });
    expect(first.location.startsWith(dataDir)).toBe(true);
    expect(fs.readdirSync(first.location).length).toBeGreaterThan(0);

    const second = await withDatabase((client) => client.db('persist').collection('notes').findOne({ _id: 'n1' as never }));
    expect(second.engine).toBe(first.engine);
    expect(second.result).toEqual({ _id: 'n1', text: '留守儿童 — data survives', n: 42 });
  });

  it('when the database is stopped, then no database process is left behind', async () => {
    const db = await provisionDatabase({ dataDir, engine: (process.env.DB_ENGINE as 'ferretdb') ?? 'auto', log: () => {} });
    const port = Number(new URL(db.uri.replace('mongodb://', 'http://')).port);
    await db.stop();
    const net = await import('node:net');
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});

// The embedded FerretDB looks documents up by `_id` through an index (tools/ferretdb/id-index.patch):
// SQLite's own query plan, as FerretDB's `explain` reports it, says SEARCH … USING INDEX for a
// find by `_id`, for collections created at any time and for databases of an earlier build
// (upgraded when the program starts). Runs its own FerretDB in a throw-away directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFerretdbBinary, ferretdbSql, parsePatch, startFerretdb, type RunningFerretdb } from '../../server/db/ferretdb.ts';

let binary: string;
let dir: string;
let ferret: RunningFerretdb;
let conn: mongoose.Connection;

async function start() {
  ferret = await startFerretdb(binary, dir);
  conn = await mongoose.createConnection(ferret.uri, { dbName: 'idx' }).asPromise();
}
async function stop() {
  await conn.close();
  await ferret.stop();
}

async function planOf(collection: string, id: unknown): Promise<string> {
  const explained = await conn.db!.command({ explain: { find: collection, filter: { _id: id } } });
  return JSON.stringify(explained.queryPlanner);
}

beforeAll(async () => {
  binary = ensureFerretdbBinary(() => {});
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'activegroups-idindex-'));
  await start();
});

afterAll(async () => {
  await stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('FerretDB _id lookups', () => {
  it('when a collection is created (ObjectId or string _id), then a find by _id searches the _id index', async () => {
    const ids = Array.from({ length: 300 }, () => new mongoose.Types.ObjectId());
    await conn.collection('things').insertMany(ids.map((_id, i) => ({ _id, i })));
    await conn.collection('keyed').insertOne({ _id: 'programme:group' as never, n: 1 });

    expect(await planOf('things', ids[7])).toMatch(/SEARCH things_\w+ USING INDEX things_\w+__id_/);
    expect(await planOf('keyed', 'programme:group')).toMatch(/SEARCH keyed_\w+ USING INDEX/);
    expect(await conn.collection('things').findOne({ _id: ids[7] })).toMatchObject({ i: 7 });
    // Updates and deletes by _id use the same expression; they still hit the right document.
    await conn.collection('things').updateOne({ _id: ids[8] }, { $set: { i: -8 } });
    await conn.collection('things').deleteOne({ _id: ids[9] });
    expect(await conn.collection('things').findOne({ _id: ids[8] })).toMatchObject({ i: -8 });
    expect(await conn.collection('things').countDocuments()).toBe(299);
  });

  it('when a document with an existing _id is inserted, then it is still a duplicate-key error (11000)', async () => {
    const _id = new mongoose.Types.ObjectId();
    await conn.collection('dupes').insertOne({ _id });
    await expect(conn.collection('dupes').insertOne({ _id })).rejects.toMatchObject({ code: 11000 });
  });

  it('when a database from a build without the patch is opened, then its _id indexes are rebuilt at start', async () => {
    const _id = new mongoose.Types.ObjectId();
    await conn.collection('legacy').insertOne({ _id, old: true });
    await stop();
    // Put back the index FerretDB 1.24.2 itself creates: on `_ferretdb_sjson->"_id"`.
    const [[table]] = ferretdbSql(binary, dir, 'idx', ["SELECT table_name FROM _ferretdb_collections WHERE name = 'legacy'"]) as [[string]];
    ferretdbSql(binary, dir, 'idx', [`DROP INDEX "${table}__id_"`, `CREATE UNIQUE INDEX "${table}__id_" ON "${table}" (_ferretdb_sjson->"_id")`]);
    const plan = ferretdbSql(binary, dir, 'idx', [`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM "${table}" WHERE _ferretdb_sjson->'$._id' = 'x'`]);
    expect(plan.map((row) => row[3])).toEqual([expect.stringMatching(/^SCAN/)]);

    await start();
    expect(await planOf('legacy', _id)).toMatch(/SEARCH legacy_\w+ USING INDEX/);
    expect(await conn.collection('legacy').findOne({ _id })).toMatchObject({ old: true });
    await expect(conn.collection('legacy').insertOne({ _id })).rejects.toMatchObject({ code: 11000 });
  });
});

describe('tools/ferretdb patch files', () => {
  it('when a patch file is parsed, then each file gets its exact find and replace blocks', () => {
    const text = '# comment\n--- a/b.go\n<<<<<<< find\n\tx := 1\n=======\n\tx := 2\n\ty := 3\n>>>>>>> replace\n';
    expect(parsePatch(text)).toEqual([{ file: 'a/b.go', find: '\tx := 1', replace: '\tx := 2\n\ty := 3' }]);
  });

  it('when a find block has no replace block, then parsing fails with a message', () => {
    expect(() => parsePatch('--- a.go\n<<<<<<< find\nx\n')).toThrow(/malformed patch/);
  });

  it('when the shipped patch is read, then it patches the `_id` index expression of FerretDB\'s registry', () => {
    const patches = parsePatch(fs.readFileSync(path.resolve('tools/ferretdb/id-index.patch'), 'utf8'));
    expect(patches.map((p) => p.file)).toEqual(['internal/backends/sqlite/metadata/registry.go']);
    expect(patches[0]!.replace).toContain('columns[i] = IDColumn');
  });
});

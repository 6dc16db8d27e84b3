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
  return (await explain(collection, { _id: id })).plan;
}

async function explain(collection: string, filter: Record<string, unknown>): Promise<{ plan: string; pushdown: boolean }> {
  const explained = await conn.db!.command({ explain: { find: collection, filter } });
  return { plan: JSON.stringify(explained.queryPlanner), pushdown: explained.filterPushdown === true };
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

// tools/ferretdb/id-pushdown.patch: a filter that pins `_id` (with other keys, or `$in`) selects by
// `_id` in SQL; FerretDB still applies the whole filter to what SQL returns.
describe('FerretDB filters that pin _id', () => {
  const ids: mongoose.Types.ObjectId[] = Array.from({ length: 40 }, () => new mongoose.Types.ObjectId());
  const coll = () => conn.collection('pinned');
  beforeAll(async () => {
    await coll().insertMany(ids.map((_id, i) => ({ _id, i, version: i % 3, tags: ['a', String(i)] })));
  });

  it('when a filter has _id and a guard field, then SQL searches the _id index and the guard still decides', async () => {
    const { plan, pushdown } = await explain('pinned', { _id: ids[4], version: 1 });
    expect(pushdown).toBe(true);
    expect(plan).toMatch(/SEARCH pinned_\w+ USING INDEX pinned_\w+__id_/);
    expect(await coll().findOne({ _id: ids[4], version: 1 })).toMatchObject({ i: 4 });
    expect(await coll().findOne({ _id: ids[4], version: 2 })).toBeNull();
    // Conditional writes: a stale guard changes nothing, the right one changes exactly that document.
    expect(await coll().findOneAndUpdate({ _id: ids[5], version: 0 }, { $set: { i: -5 } })).toBeNull();
    expect((await coll().updateOne({ _id: ids[5], version: 2 }, { $set: { i: -5 } })).modifiedCount).toBe(1);
    expect((await coll().deleteOne({ _id: ids[6], version: 1 })).deletedCount).toBe(0);
    expect(await coll().find({ i: { $lt: 0 } }).toArray()).toEqual([expect.objectContaining({ _id: ids[5] })]);
    expect(await coll().countDocuments({ _id: ids[6], tags: 'a' })).toBe(1);
  });

  it('when a filter is _id $in a list, then SQL searches the index and exactly the listed documents come back', async () => {
    const wanted = [ids[1], ids[2], ids[30], new mongoose.Types.ObjectId()] as mongoose.Types.ObjectId[];
    const { plan, pushdown } = await explain('pinned', { _id: { $in: wanted }, version: { $gte: 0 } });
    expect(pushdown).toBe(true);
    expect(plan).toMatch(/SEARCH pinned_\w+ USING INDEX pinned_\w+__id_/);
    const found = await coll().find({ _id: { $in: wanted } }).toArray();
    expect(found.map((d) => d.i).sort((a, b) => a - b)).toEqual([1, 2, 30]);
    expect((await coll().deleteMany({ _id: { $in: [ids[1], ids[2]] as mongoose.Types.ObjectId[] }, version: 1 })).deletedCount).toBe(1);
  });

  it('when a filter does not pin _id to strings or ObjectIds, then it is not pushed down and still answers right', async () => {
    for (const filter of [{ i: 3 }, { _id: { $in: [ids[3], 7] } }, { _id: { $ne: ids[3] } }, { _id: { $in: [] } }]) {
      expect((await explain('pinned', filter)).pushdown).toBe(false);
    }
    const mixed = { _id: { $in: [ids[3], 7] } } as Record<string, unknown>;
    expect(await coll().countDocuments(mixed)).toBe(1);
    expect(await coll().countDocuments({ _id: { $in: [] } })).toBe(0);
    // More ids than the patch pushes down (500): answered by a scan, still exact.
    const many = [ids[7] as mongoose.Types.ObjectId, ...Array.from({ length: 600 }, () => new mongoose.Types.ObjectId())];
    expect((await explain('pinned', { _id: { $in: many } })).pushdown).toBe(false);
    expect(await coll().countDocuments({ _id: { $in: many } })).toBe(1);
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

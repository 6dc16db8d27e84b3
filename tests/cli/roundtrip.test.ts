// Round trip (issue 4, point 3): the results page's numbers and `activegroups analyze` run on the
// exported long CSV are the same, to the last bit. This file lives with the CLI tests, so it
// provisions its own MongoDB-wire server (the app's own provisioning; FerretDB here) instead of
// the API suite's global one.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spearman } from '../../shared/domain/statistics/between.ts';
import { createApp } from '../../server/app.ts';
import { connectDatabase, disconnectDatabase } from '../../server/db/connection.ts';
import { provisionDatabase, type ProvisionedDatabase } from '../../server/db/provision.ts';
import { signedInClient, TEST_SECRET, type TestClient } from '../helpers/app.ts';
import { seedStudyWorld } from '../api/results-world.ts';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
let dataDir = '';
let database: ProvisionedDatabase;
let researcher: TestClient;
let world: Awaited<ReturnType<typeof seedStudyWorld>>;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-roundtrip-'));
  database = await provisionDatabase({ mongodbUri: process.env.MONGODB_URI, dataDir, engine: (process.env.DB_ENGINE as 'auto' | undefined) ?? 'auto', log: () => {} });
  await connectDatabase(database.uri, `roundtrip_${process.pid}`);
  const app = createApp({ sessionSecret: TEST_SECRET, engine: database.engine, logger: pino({ level: 'silent' }), loginLimits: { perUsername: 1000, perAddress: 1000 } });
  world = await seedStudyWorld();
  researcher = await signedInClient(app, 'researcher');
}, 180_000);

afterAll(async () => {
  await mongoose.connection.db?.dropDatabase();
  await disconnectDatabase();
  await database?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function exportLong(query: string): Promise<string> {
  const res = await researcher.get(`/api/v1/exports/long.csv?${query}`).buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => cb(null, Buffer.concat(chunks)));
  });
  expect(res.status).toBe(200);
  const file = path.join(dataDir, `long-${Math.random().toString(36).slice(2)}.csv`);
  fs.writeFileSync(file, res.body as Buffer);
  return file;
}

async function analyze(file: string, instrument: string) {
  // The real command, as a researcher runs it (bin/activegroups.js → tsx → server/cli).
  const { stdout } = await run(process.execPath, [path.join(repo, 'bin/activegroups.js'), 'analyze', '--input', file, '--instrument', instrument], { cwd: repo, timeout: 60_000 });
  return JSON.parse(stdout) as { instrument: string; by_arm: Record<string, unknown>; between_arms: unknown }[];
}

describe('results page ⇄ activegroups analyze on the exported long CSV', () => {
  for (const instrument of ['SCARED', 'RSES']) {
    it(`when ${instrument} intervention vs control is exported and re-analysed, then every number equals the page’s`, async () => {
      const { intervention, control } = world.studies;
      const page = (await researcher.get(`/api/v1/results/programmes/${intervention.programmeId}?instrument=${instrument}&comparison=${control.programmeId}`).expect(200)).body;
      // The whole file (both instruments, all waves): analyze picks the instrument itself.
      const file = await exportLong(`programmeIds=${intervention.programmeId},${control.programmeId}`);
      const [cli] = await analyze(file, instrument);
      expect(cli!.instrument).toBe(instrument);
      // Every arm here has n ≥ 5, so every number — reliable-change counts included (issue 9:
      // suppression is for small groups, not for counts inside a large one) — must match exactly.
      expect(page.analysis).toEqual(cli);
      expect(page.analysis.by_arm.intervention.paired.n).toBe(instrument === 'SCARED' ? 21 : 22);
      expect(page.analysis.between_arms.ancova).not.toBeNull();
      if (instrument === 'SCARED') expect(page.analysis.by_arm.intervention.rci.r_xx_source).toBe('alpha-pre');

      // Dose–response is not part of `analyze`'s output: recompute it from the file's columns with
      // the same shared function and compare with the page.
      const [header, ...rows] = parse(fs.readFileSync(file, 'utf8'), { bom: true }) as string[][];
      const c = (name: string) => header!.indexOf(name);
      const mine = rows.filter((r) => r[c('instrument')] === instrument && r[c('arm')] === 'intervention');
      const byChild = new Map<string, { pre?: number; post?: number; dose?: number }>();
      for (const r of mine) {
        const e = byChild.get(r[0]!) ?? {};
        if (r[c('total')] !== '') e[r[c('wave')] as 'pre' | 'post'] = Number(r[c('total')]);
        e.dose = Number(r[c('qualifying_minutes')]);
        byChild.set(r[0]!, e);
      }
      const pairs = [...byChild.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, e]) => e).filter((e) => e.pre !== undefined && e.post !== undefined);
      const s = spearman(pairs.map((e) => e.dose!), pairs.map((e) => e.post! - e.pre!));
      const arm = page.arms.find((a: { arm: string }) => a.arm === 'intervention');
      expect(arm.doseResponse).toEqual({ rho: s.rho, p: s.p, n: s.n, suppressed: false });
    }, 120_000);
  }
});

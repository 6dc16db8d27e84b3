// Register save under load: a 30-child register PUT /api/v1/sessions/:id/log against the running
// server on 127.0.0.1, as Poisson arrivals at a mean rate (default 100 requests/s, open loop:
// bench/open-loop.ts), then with autocannon's per-second bursts at the same rate for comparison.
// Every request has a fresh Idempotency-Key and the session's current version; sessions are taken
// round-robin from many groups, skipping one whose previous save is still unanswered (a second
// save at the same version would be a 409 no teacher causes).
// Goals: issue 11 on the embedded FerretDB engine: ≥ 60 saves/s through with p95 < 250 ms at
// 100 requests/s offered and 0 errors; issue 3 (a real mongod): p95 < 25 ms with 0 errors.
// BENCH_PROFILE=dir writes a CPU profile of the server process (node --cpu-prof) into dir.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import type { EventEmitter } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import mongoose from 'mongoose';
import { addDays, isoWeekday, schoolToday } from '../shared/domain/dates.ts';
import { connectDatabase, disconnectDatabase } from '../server/db/connection.ts';
import { Child } from '../server/modules/children/model.ts';
import { Group } from '../server/modules/groups/model.ts';
import { Programme } from '../server/modules/programmes/model.ts';
import { createSchool } from '../server/modules/schools/service.ts';
import { Session } from '../server/modules/sessions/model.ts';
import { completeSessionList } from '../server/modules/sessions/session-lists.ts';
import { createUser } from '../server/modules/users/service.ts';
import { benchDatabase, ms, numberArg, percentile } from './common.ts';
import { openLoop, type OpenLoopRequest } from './open-loop.ts';
import type { Benchmark } from './index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const PASSWORD = 'bench password correct horse';
const GROUP_SIZE = 30;

export async function seed(groups: number) {
  const admin = await createUser({ username: 'bench', displayName: 'Bench', password: PASSWORD, role: 'admin', schoolIds: [] }, null);
  const actor = { id: admin.id, username: 'bench', role: 'admin' as const, schoolIds: [] };
  const school = await createSchool(actor, { name: 'Bench school', region: 'Hunan', county: 'Xinhua', setting: 'rural', timeZone: 'Asia/Shanghai' });
  const today = schoolToday(new Date());
  const startDate = addDays(today, -28 - (isoWeekday(today) - 1));
  const programme = await Programme.create({
    name: 'Bench programme', schoolIds: [school.id], groupIds: [], arm: 'intervention', startDate, plannedWeeks: 12,
    weeklyPattern: [1, 3, 5].map((weekday) => ({ weekday, startTime: '16:00', minutes: 40 })),
    activityBlocks: [{ activityCode: 'rope-skipping', minutes: 30, targetIntensity: 'moderate' }],
  });
  const sessions: { id: string; members: string[] }[] = [];
  for (let g = 0; g < groups; g++) {
    const kids = await Child.insertMany(Array.from({ length: GROUP_SIZE }, (_, i) => ({
      schoolId: school.id, code: `B-${g}-${i}`, displayName: `Child ${g}-${i}`, sex: i % 2 ? 'male' : 'female',
      birthYear: 2014, birthMonth: 1 + (i % 12), grade: 4, leftBehindStatus: 'one_parent_away', caregiver: 'grandparents',
    })));
    const members = kids.map((k) => String(k._id));
    const group = await Group.create({ schoolId: school.id, name: `Group ${g}`, activityCode: 'rope-skipping', members: members.map((childId) => ({ childId, joinedOn: startDate })) });
    await Programme.updateOne({ _id: programme._id }, { $push: { groupIds: { $each: [group._id] } } });
    const docs = [];
    for (let w = 0; w < 4; w++) for (const d of [0, 2, 4]) docs.push({ programmeId: programme._id, groupId: group._id, schoolId: school.id, date: addDays(startDate, 7 * w + d), startTime: '16:00', plannedMinutes: 40 });
    const created = await Session.insertMany(docs);
    // As after the schedule generation: the group's session list is known complete.
    await completeSessionList(programme._id, group._id, created.map((s) => s._id));
    for (const s of created) sessions.push({ id: String(s._id), members });
  }
  return sessions;
}

/** Pids of embedded FerretDB processes started by this benchmark process. */
function ferretdbPids(): number[] {
  const out = spawnSync('pgrep', ['-P', String(process.pid), '-f', 'activegroups-ferretdb'], { encoding: 'utf8' }).stdout ?? '';
  return out.split('\n').filter(Boolean).map(Number);
}

/** CPU time (user + system, ms) of the app server (first pid) and the database (the rest), from /proc; null elsewhere. */
function processCpuMs([server, ...database]: (number | undefined)[]): { server: number; database: number } | null {
  const ticksPerMs = 100 / 1000; // USER_HZ is 100 on Linux
  const cpu = (pid: number | undefined) => {
    if (!pid) return 0;
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerMs;
  };
  try {
    return { server: cpu(server), database: database.reduce<number>((sum, pid) => sum + cpu(pid), 0) };
  } catch {
    return null;
  }
}

/** Busy and total CPU ticks of the whole machine (/proc/stat), or null off Linux. */
function machineCpu(): { busy: number; total: number } | null {
  try {
    const ticks = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    return { busy: total - (ticks[3] ?? 0) - (ticks[4] ?? 0), total }; // idle and iowait are not busy
  } catch {
    return null;
  }
}

/** The Node flags `npm start` runs the server with (package.json), so the benchmark measures the same process. */
function startNodeFlags(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(here, '..', 'package.json'), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.split(/\s+/).filter((word) => word.startsWith('--'));
}

/** autocannon at `overallRate`: a per-second budget per connection, i.e. a burst at the top of each second. */
async function autocannonBursts(url: string, seconds: number, overallRate: number, request: () => OpenLoopRequest, onResponse: (status: number, body: string, request: OpenLoopRequest) => void) {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const instance = autocannon({
    url,
    connections: 20,
    duration: seconds,
    overallRate,
    requests: [
      {
        setupRequest: (req, context) => {
          const r = request();
          (context as { request?: OpenLoopRequest }).request = r;
          return { ...req, ...r } as typeof req;
        },
        onResponse: (status, body, context) => {
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          onResponse(status, body, (context as { request: OpenLoopRequest }).request);
        },
      },
    ],
  }) as unknown as EventEmitter & PromiseLike<autocannon.Result>;
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => latencies.push(responseTime));
  const result = await instance;
  latencies.sort((a, b) => a - b);
  return { latencies, statuses, errors: result.errors + result.timeouts };
}

export async function login(url: string) {
  const jar = new Map<string, string>();
  const remember = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, v] = (pair as string).split('=');
      jar.set(k as string, v as string);
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  let res = await fetch(`${url}/api/v1/auth/session`);
  remember(res);
  let csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
  res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf, cookie: cookie() }, body: JSON.stringify({ username: 'bench', password: PASSWORD }) });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  remember(res);
  res = await fetch(`${url}/api/v1/auth/session`, { headers: { cookie: cookie() } });
  remember(res);
  csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
  return { cookie: cookie(), csrf };
}

function registerFor(members: string[], n: number) {
  return members.map((childId, i) => {
    const r = (i * 7 + n) % 20;
    if (r === 0) return { childId, status: 'absent' };
    if (r === 1) return { childId, status: 'excused' };
    if (r === 2) return { childId, status: 'late', minutes: 20 };
    return { childId, status: 'present', ...(r === 3 ? { rpe: 6 } : {}) };
  });
}

export const registerSaveBenchmark: Benchmark = {
  name: 'register',
  description: 'register save (30 children), Poisson arrivals at a mean rate (and autocannon bursts to compare): latency p50/p95/p99, saves/s, errors, CPU per save',
  async run({ values }) {
    const rate = numberArg(values.rate, 100);
    const duration = numberArg(values.duration, 20);
    const groups = numberArg(values.groups, 40);
    const { database, dataDir, cleanup } = await benchDatabase();
    const dbName = `bench_register_${Date.now()}`;
    await connectDatabase(database.uri, dbName);
    const t0 = performance.now();
    const sessions = await seed(groups);
    console.log(`seeded ${groups} groups × ${GROUP_SIZE} children, ${sessions.length} sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_PROFILE)}`] : [];
    const child = spawn(process.execPath, [...profile, ...startNodeFlags(), '--import', 'tsx', path.join(here, 'serve.ts'), database.uri, dbName, dataDir, database.engine], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
      child.stdout.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n')) {
          if (line.startsWith('{"url"')) resolve((JSON.parse(line) as { url: string }).url);
          // Server errors and warnings (BENCH_LOG_LEVEL=warn) are shown, the rest is dropped.
          else if (/"level":(40|50|60)/.test(line)) console.log(`[server] ${line.slice(0, 600)}`);
        }
      });
    });
    try {
      const auth = await login(url);
      const versions = new Map(sessions.map((s) => [s.id, 0]));
      // Round-robin over the sessions, skipping any whose save is still on its way: a second save
      // of it would carry the same version and get 409, a conflict no teacher would cause.
      let next = 0;
      const pending = new Set<string>();
      const nextRequest = (): OpenLoopRequest => {
        let s = sessions[next++ % sessions.length] as { id: string; members: string[] };
        for (let tries = 0; pending.has(s.id) && tries < sessions.length; tries++) s = sessions[next++ % sessions.length] as { id: string; members: string[] };
        pending.add(s.id);
        const body = {
          version: versions.get(s.id) ?? 0,
          actualStart: '16:05',
          activityBlocks: [{ activityCode: 'warm-up', minutes: 5 }, { activityCode: 'rope-skipping', minutes: 30, rpe: 6, avgHeartRate: 150 }],
          notes: '',
          register: registerFor(s.members, next),
        };
        return {
          method: 'PUT',
          path: `/api/v1/sessions/${s.id}/log`,
          headers: { 'content-type': 'application/json', cookie: auth.cookie, 'x-csrf-token': auth.csrf, 'idempotency-key': randomUUID() },
          body: JSON.stringify(body),
        };
      };
      const noteAnswer = (status: number, body: string, request: OpenLoopRequest) => {
        pending.delete(request.path.split('/')[4] as string);
        if (status !== 200) return;
        const saved = JSON.parse(body) as { id: string; version: number };
        versions.set(saved.id, Math.max(versions.get(saved.id) ?? 0, saved.version));
      };
      // Between runs: let the background dose recomputes finish, and start from the stored versions
      // (a run can end with answers still on their way: the server saved them, the versions moved).
      const settle = async () => {
        await new Promise((r) => setTimeout(r, 3000));
        for (const s of await Session.find({}, { version: 1 }).lean()) versions.set(String(s._id), s.version ?? 0);
        pending.clear();
      };
      /** Runs the load and prints its figures, with the CPU the server and the database spent on it. */
      const measured = async (run: () => Promise<{ latencies: number[]; statuses: Map<number, number>; errors: number }>) => {
        const cpuBefore = processCpuMs([child.pid, ...ferretdbPids()]);
        const [loadBefore, machineBefore, t0] = [process.cpuUsage(), machineCpu(), performance.now()];
        const { latencies, statuses, errors } = await run();
        const elapsed = (performance.now() - t0) / 1000;
        const cpuAfter = processCpuMs([child.pid, ...ferretdbPids()]);
        const [load, machineAfter] = [process.cpuUsage(loadBefore), machineCpu()];
        const ok = statuses.get(200) ?? 0;
        const non2xx = [...statuses].filter(([st]) => st !== 200);
        console.log(`  requests: ${latencies.length + errors} (${ok} × 200${non2xx.map(([st, n]) => `, ${n} × ${st}`).join('')}${errors ? `, ${errors} without an answer` : ''})`);
        console.log(`  latency: p50 ${ms(percentile(latencies, 50))}, p95 ${ms(percentile(latencies, 95))}, p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies.at(-1) ?? NaN)}`);
        const saves = ok / elapsed;
        console.log(`  saves: ${saves.toFixed(1)} saves/s (200s over ${elapsed.toFixed(1)} s)`);
        // CPU per save varies less than throughput on a shared machine: the figure to compare changes by.
        if (cpuBefore && cpuAfter && ok > 0) {
          const per = (k: 'server' | 'database') => ((cpuAfter[k] - cpuBefore[k]) / ok).toFixed(1);
          console.log(`  cpu per save (incl. background dose recomputes): app server ${per('server')} ms, database ${per('database')} ms`);
        }
        // When the machine is (nearly) all busy, latency is queueing: the figure to read the others by.
        const loadCores = (load.user + load.system) / 1e3 / (elapsed * 1000);
        const busy = machineAfter && machineBefore ? (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total) : NaN;
        console.log(`  machine: ${(100 * busy).toFixed(0)} % of ${os.cpus().length} cores busy; the load generator itself used ${loadCores.toFixed(2)} cores`);
        return { saves, p95: percentile(latencies, 95), clean: errors === 0 && non2xx.length === 0 };
      };
      const poisson = (seconds: number, r: number, seed: number) => () => openLoop({ url, rate: r, seconds, seed, request: nextRequest, onResponse: noteAnswer });

      const warm = Math.min(50, rate);
      console.log(`warm-up: 3 s at ${warm} requests/s`);
      await poisson(3, warm, 7)();
      await settle();
      console.log(`measuring: ${duration} s of Poisson arrivals at ${rate} requests/s (open loop), ${sessions.length} sessions round-robin`);
      const goal = await measured(poisson(duration, rate, 1));
      if (database.engine === 'ferretdb') {
        console.log(`goal (issue 11, embedded FerretDB) ≥ 60 saves/s, p95 < 250 ms, 0 errors at 100 requests/s offered: ${goal.saves >= 60 && goal.p95 < 250 && goal.clean && rate >= 100 ? 'met' : 'NOT met'} (${goal.saves.toFixed(1)} saves/s, p95 ${ms(goal.p95)})`);
      } else {
        console.log(`goal (issue 3, mongod) p95 < 25 ms with 0 errors: ${goal.p95 < 25 && goal.clean ? 'met' : 'NOT met'} (p95 ${ms(goal.p95)})`);
      }
      await settle();
      console.log(`for comparison with earlier figures: ${duration} s of autocannon at overallRate ${rate}, 20 connections (each second begins with a burst of ${rate} requests)`);
      await measured(() => autocannonBursts(url, duration, rate, nextRequest, noteAnswer));
      const held = await Session.countDocuments({ status: 'held' });
      console.log(`check: ${held} of ${sessions.length} sessions held; summaries: ${await mongoose.connection.db!.collection('dose_summaries').countDocuments()}`);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await mongoose.connection.db?.dropDatabase();
      await disconnectDatabase();
      await cleanup();
    }
  },
};

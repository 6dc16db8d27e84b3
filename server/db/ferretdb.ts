// FerretDB v1.24.2 (SQLite backend) as the embedded stand-in for mongod on machines that cannot
// obtain a mongod binary. Built from the project's own Go program in tools/ferretdb (see
// shared/DESIGN.md §2 for why not `go install …/cmd/ferretdb`), once, into a git-ignored cache.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const FERRETDB_VERSION = '1.24.2';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const toolDir = path.join(repoRoot, 'tools', 'ferretdb');

export function ferretdbCacheDir(): string {
  return path.resolve(process.env.ACTIVEGROUPS_CACHE_DIR ?? path.join(repoRoot, '.cache'), 'ferretdb');
}

/**
 * Files the tool adds to the FerretDB module (tools/ferretdb/_module/, mirroring the module's
 * layout; Go's own tooling ignores a directory starting with "_"), as paths relative to toolDir.
 */
function moduleAdditions(): string[] {
  return (fs.readdirSync(path.join(toolDir, '_module'), { recursive: true }) as string[])
    .filter((f) => f.endsWith('.go'))
    .map((f) => path.join('_module', f))
    .sort();
}

/** The tool's sources (Go files, go.mod/go.sum, patches, module additions): a change to any of them means a rebuild. */
function toolSources(): string[] {
  const own = fs.readdirSync(toolDir).filter((f) => /\.(go|mod|sum|patch)$/.test(f));
  return [...own, ...moduleAdditions()].filter((f) => !f.endsWith('_test.go')).sort();
}

function sourceStamp(): string {
  const hash = createHash('sha256');
  for (const file of toolSources()) {
    hash.update(file).update('\0').update(fs.readFileSync(path.join(toolDir, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

export class DatabaseUnavailableError extends Error {}

interface FilePatch {
  file: string;
  find: string;
  replace: string;
}

/** Parses a tools/ferretdb/*.patch file (format described at the top of id-index.patch). */
export function parsePatch(text: string): FilePatch[] {
  const patches: FilePatch[] = [];
  const lines = text.split('\n');
  let file: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('--- ')) file = line.slice(4).trim();
    else if (line === '<<<<<<< find') {
      const mid = lines.indexOf('=======', i);
      const end = lines.indexOf('>>>>>>> replace', mid);
      if (!file || mid < 0 || end < 0) throw new Error('malformed patch: find block without file, "=======" or ">>>>>>> replace"');
      patches.push({ file, find: lines.slice(i + 1, mid).join('\n'), replace: lines.slice(mid + 1, end).join('\n') });
      i = end;
    }
  }
  return patches;
}

/**
 * Copies the FerretDB module out of the Go module cache into `dir`, applies the tool's patches to
 * the copy, adds the tool's module files (with their tests) and writes a go.mod that replaces the
 * module with it (Go does not let an overlay replace files in the module cache). Returns the
 * go.mod to build with (`go build -modfile`); the copy is `dir`/FerretDB.
 */
export function preparePatchedModule(dir: string): string {
  const mod = spawnSync('go', ['mod', 'download', '-json', 'github.com/FerretDB/FerretDB'], { cwd: toolDir, encoding: 'utf8' });
  const moduleDir = mod.status === 0 ? (JSON.parse(mod.stdout) as { Dir?: string }).Dir : undefined;
  if (!moduleDir) {
    throw new DatabaseUnavailableError(`Could not download the FerretDB module (go mod download: ${mod.stderr || mod.error?.message}).`);
  }
  const copy = path.join(dir, 'FerretDB');
  fs.cpSync(moduleDir, copy, { recursive: true });
  for (const patchFile of toolSources().filter((f) => f.endsWith('.patch'))) {
    for (const p of parsePatch(fs.readFileSync(path.join(toolDir, patchFile), 'utf8'))) {
      const target = path.join(copy, p.file);
      const source = fs.readFileSync(target, 'utf8');
      const at = source.indexOf(p.find);
      if (at < 0 || source.indexOf(p.find, at + 1) >= 0) {
        throw new DatabaseUnavailableError(`${patchFile} does not apply to ${p.file} (its "find" block must occur exactly once).`);
      }
      fs.chmodSync(target, 0o644); // module cache files are read-only
      fs.writeFileSync(target, source.slice(0, at) + p.replace + source.slice(at + p.find.length));
    }
  }
  for (const added of moduleAdditions()) {
    const target = path.join(copy, path.relative('_module', added));
    if (fs.existsSync(target)) throw new DatabaseUnavailableError(`tools/ferretdb/${added} would replace a file of the module; change that file with a patch.`);
    fs.chmodSync(path.dirname(target), 0o755); // module cache directories are read-only
    fs.copyFileSync(path.join(toolDir, added), target);
  }
  const modfile = path.join(dir, 'go.mod');
  fs.writeFileSync(modfile, `${fs.readFileSync(path.join(toolDir, 'go.mod'), 'utf8')}\nreplace github.com/FerretDB/FerretDB => ${copy}\n`);
  fs.copyFileSync(path.join(toolDir, 'go.sum'), path.join(dir, 'go.sum'));
  return modfile;
}

/**
 * Go garbage-collector settings for the database process, unless the environment sets its own.
 * FerretDB allocates heavily (every document is decoded from JSON into Go values) while its live
 * heap stays small, so the default GOGC=100 collected far too often: in the register-save
 * benchmark, GOGC=400 took saves from 52–59/s to 79/s. GOMEMLIMIT caps the heap that allows.
 */
export const FERRETDB_GC_ENV = {
  GOGC: process.env.GOGC ?? '400',
  GOMEMLIMIT: process.env.GOMEMLIMIT ?? goMemLimitFor(os.totalmem()),
};

/**
 * The heap cap: a quarter of the machine's memory, at least 1 GiB. The cap must stay above the
 * live heap: FerretDB sorts in memory (its SQLite backend pushes no sort down), and the export's
 * read of 400 000 assessments sorted by child holds more than 1 GiB, so under the former fixed
 * 1 GiB cap the collector ran without pause: the export took 219 s; 98 s with a 5 GiB cap, 59 s
 * with 8 GiB (bench exports, 100 000 children). A quarter leaves the rest of the machine its memory.
 */
export function goMemLimitFor(totalMemoryBytes: number): string {
  return `${Math.max(1, Math.floor(totalMemoryBytes / 4 / 2 ** 30))}GiB`;
}

/**
 * Returns the path of the built FerretDB binary, building it first if needed.
 * The cold build downloads Go modules and compiles SQLite in Go: minutes and GBs of RAM.
 */
export function ensureFerretdbBinary(log: (msg: string) => void): string {
  const binary = path.join(ferretdbCacheDir(), `activegroups-ferretdb-${sourceStamp()}`);
  if (fs.existsSync(binary)) return binary;

  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) {
    throw new DatabaseUnavailableError(
      'No MongoDB-wire database available: MONGODB_URI is not set, no mongod binary could be found or ' +
        'downloaded, and Go (needed to build the embedded FerretDB fallback) is not installed.\n' +
        'Fix one of: set MONGODB_URI=mongodb://host:27017; set MONGOMS_SYSTEM_BINARY=/path/to/mongod; ' +
        'or install Go ≥ 1.24 (https://go.dev/dl/).',
    );
  }
  fs.mkdirSync(ferretdbCacheDir(), { recursive: true });
  log(
    `Building the embedded FerretDB ${FERRETDB_VERSION} database with ${go.stdout.trim()} ` +
      `(first run only; this can take several minutes) → ${binary}`,
  );
  const started = Date.now();
  // Build to a temporary name and rename, so a parallel start never sees half a binary.
  const tmp = `${binary}.tmp-${process.pid}`;
  let build;
  try {
    const modfile = preparePatchedModule(`${tmp}-src`);
    build = spawnSync('go', ['build', '-trimpath', `-modfile=${modfile}`, '-o', tmp, '.'], {
      cwd: toolDir,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CGO_ENABLED: '0' },
    });
  } finally {
    fs.rmSync(`${tmp}-src`, { recursive: true, force: true });
  }
  if (build.status !== 0) {
    fs.rmSync(tmp, { force: true });
    throw new DatabaseUnavailableError(
      `Building FerretDB failed (exit ${build.status ?? build.signal}). See the Go output above; ` +
        'the Go module proxy must be reachable for the first build.',
    );
  }
  fs.renameSync(tmp, binary);
  log(`FerretDB built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return binary;
}

export interface RunningFerretdb {
  uri: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Runs SQL statements against one database file of a FerretDB directory with the tool's `-sql`
 * mode (each result row as a JSON array). For tests and inspection; FerretDB need not run.
 */
export function ferretdbSql(binary: string, sqliteDir: string, dbName: string, statements: string[]): unknown[][] {
  const run = spawnSync(binary, ['-sqlite', sqliteDir, '-sql', dbName, ...statements], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`activegroups-ferretdb -sql failed: ${run.stderr}`);
  return run.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown[]);
}

/**
 * Starts FerretDB on 127.0.0.1 with its SQLite files in `sqliteDir`, on a free port or on `port`
 * (a restart keeps the port, so the driver reconnects to the same address by itself).
 */
export async function startFerretdb(binary: string, sqliteDir: string, port = 0): Promise<RunningFerretdb> {
  fs.mkdirSync(sqliteDir, { recursive: true });
  // FERRETDB_CPU_PROFILE=file: a Go CPU profile of the database (benchmarks; `go tool pprof`).
  const profile = process.env.FERRETDB_CPU_PROFILE ? ['-cpuprofile', path.resolve(process.env.FERRETDB_CPU_PROFILE)] : [];
  const sync = process.env.FERRETDB_SYNCHRONOUS ? ['-synchronous', process.env.FERRETDB_SYNCHRONOUS] : [];
  const child = spawn(binary, ['-listen', `127.0.0.1:${port}`, '-sqlite', sqliteDir, '-log-level', 'error', ...profile, ...sync], {
    // stdin stays open: the child exits when it closes, i.e. when this process dies.
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...FERRETDB_GC_ENV },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });

  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new DatabaseUnavailableError(`FerretDB did not become ready within 30 s.\n${stderr}`));
    }, 30_000);
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /^READY (mongodb:\/\/\S+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new DatabaseUnavailableError(`FerretDB could not start: ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new DatabaseUnavailableError(`FerretDB exited during start (${code ?? signal}).\n${stderr}`));
    });
  });

  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    uri,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timeout = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}

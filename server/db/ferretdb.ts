// FerretDB v1.24.2 (SQLite backend) as the embedded stand-in for mongod on machines that cannot
// obtain a mongod binary. Built from the project's own Go program in tools/ferretdb (see
// shared/DESIGN.md §2 for why not `go install …/cmd/ferretdb`), once, into a git-ignored cache.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

export const FERRETDB_VERSION = '1.24.2';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const toolDir = path.join(repoRoot, 'tools', 'ferretdb');

export function ferretdbCacheDir(): string {
  return path.resolve(process.env.ACTIVEGROUPS_CACHE_DIR ?? path.join(repoRoot, '.cache'), 'ferretdb');
}

/** Hash of the tool's sources: a changed main.go or go.mod means a rebuild. */
function sourceStamp(): string {
  const hash = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) {
    hash.update(fs.readFileSync(path.join(toolDir, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

export class DatabaseUnavailableError extends Error {}

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
  const build = spawnSync('go', ['build', '-trimpath', '-o', tmp, '.'], {
    cwd: toolDir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CGO_ENABLED: '0' },
  });
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
 * Starts FerretDB on 127.0.0.1 with its SQLite files in `sqliteDir`, on a free port or on `port`
 * (a restart keeps the port, so the driver reconnects to the same address by itself).
 */
export async function startFerretdb(binary: string, sqliteDir: string, port = 0): Promise<RunningFerretdb> {
  fs.mkdirSync(sqliteDir, { recursive: true });
  const child = spawn(binary, ['-listen', `127.0.0.1:${port}`, '-sqlite', sqliteDir, '-log-level', 'error'], {
    // stdin stays open: the child exits when it closes, i.e. when this process dies.
    stdio: ['pipe', 'pipe', 'pipe'],
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

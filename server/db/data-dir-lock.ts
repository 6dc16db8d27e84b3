// One app process per embedded FerretDB data directory. FerretDB on SQLite updates documents
// read-modify-write, and the app makes its version guards hold by serialising the writes of one
// document inside its own process (compare-and-set.ts): a second process on the same files would
// bypass that queue. So the embedded database takes a lock file holding the owner's pid; a start
// while that pid is alive is refused with a clear message, a lock left by a dead process is taken over.
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseUnavailableError } from './ferretdb.ts';

export const LOCK_FILE_NAME = 'activegroups.lock';

function isAlive(pid: number): boolean {
  if (pid === process.pid) return false; // our own pid from a previous life (a restarted container)
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}

export interface DataDirLock {
  file: string;
  release(): void;
}

/** Takes the lock of `dir` for this process, or throws DatabaseUnavailableError naming the holder. */
export function lockDataDir(dir: string): DataDirLock {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE_NAME);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // `wx`: created only if absent, so two processes starting at once cannot both win.
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return {
        file,
        release() {
          try {
            if (Number.parseInt(fs.readFileSync(file, 'utf8'), 10) === process.pid) fs.rmSync(file, { force: true });
          } catch {
            // already gone
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
      throw new DatabaseUnavailableError(
        `Another ActiveGroups process (pid ${holder}) is already using the embedded database in ${dir}. ` +
          'Only one app process may use an embedded FerretDB data directory: stop the other process, ' +
          'or give this one its own DATA_DIR, or run several processes against one MongoDB server (MONGODB_URI). ' +
          `If no such process exists, delete ${file}.`,
      );
    }
    // Left by a process that died without cleaning up: take it over.
    fs.rmSync(file, { force: true });
  }
  throw new DatabaseUnavailableError(`Could not take the lock ${file}; another process keeps creating it.`);
}

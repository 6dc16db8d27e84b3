// Runs Go's tests of the packages our patches change, in the patched module the build uses.
// - sjson: the embedded FerretDB decodes stored documents in one pass and encodes them into one
//   buffer (tools/ferretdb/fast-unmarshal.patch, fast-marshal.patch); whatever those do not take
//   goes to FerretDB's own code. Ours (on 20,000 random documents each, the decoders return the
//   same documents and the encoders the same bytes; the fuzz target's seed corpus) and FerretDB's.
// - fsql: group commit (tools/ferretdb/one-writer.patch): concurrent transactions share commits,
//   each is answered only after its commit, and one that fails, panics or is cancelled leaves the
//   others of its group alone.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { preparePatchedModule } from '../../server/db/ferretdb.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'activegroups-go-tests-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the patched FerretDB packages', () => {
  it('when Go tests the patched sjson and fsql packages, then the fast codec agrees with FerretDB’s own, group commit keeps each transaction’s outcome its own, and FerretDB’s tests pass', () => {
    preparePatchedModule(dir);
    const module = path.join(dir, 'FerretDB');
    // FerretDB's test helpers locate the repository root by its .git directory.
    fs.mkdirSync(path.join(module, '.git'));
    const run = spawnSync('go', ['test', '-count=1', '-v', './internal/handler/sjson/', './internal/util/fsql/'], {
      cwd: module,
      encoding: 'utf8',
      env: { ...process.env, CGO_ENABLED: '0' },
      timeout: 300_000,
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.status, output.slice(-3000)).toBe(0);
    const sjson = ['TestFastUnmarshalMatchesSlow', 'TestFastMarshalMatchesSlow', 'FuzzFastUnmarshal', 'TestMarshalUnmarshal', 'TestUnmarshalInvalid', 'TestDocument'];
    const groupCommit = [
      'TestGroupCommitConcurrentTransactionsAllCommitInFewerCommits',
      'TestGroupCommitAnsweredOnlyAfterCommit',
      'TestGroupCommitFailedTransactionLeavesTheOthers',
      'TestGroupCommitPanicBecomesThatTransactionsError',
      'TestGroupCommitContextDoneBeforeItsTurnRunsNothing',
      'TestGroupCommitContextEndingMidTransactionDoesNotInterruptTheGroup',
      'TestGroupCommitAbandonedByTheDatabaseFailsWhatRanAndRetriesTheRest',
      'TestGroupCommitPlainStatementsWaitForTheGroup',
    ];
    for (const test of [...sjson, ...groupCommit]) {
      expect(output).toMatch(new RegExp(`--- PASS: ${test} `));
    }
  }, 320_000);
});

// The embedded FerretDB decodes stored documents in one pass and encodes them into one buffer
// (tools/ferretdb/fast-unmarshal.patch, fast-marshal.patch); whatever those do not take goes to
// FerretDB's own code. Runs Go's tests of that package in the patched module the build uses: ours
// (on 20,000 random documents each, the decoders return the same documents and the encoders the
// same bytes; the fuzz target's seed corpus) and FerretDB's own sjson tests.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { preparePatchedModule } from '../../server/db/ferretdb.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'activegroups-sjson-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the embedded FerretDB document decoder', () => {
  it('when Go tests the patched sjson package, then the fast decoder and encoder agree with FerretDB’s own and FerretDB’s tests pass', () => {
    preparePatchedModule(dir);
    const module = path.join(dir, 'FerretDB');
    // FerretDB's test helpers locate the repository root by its .git directory.
    fs.mkdirSync(path.join(module, '.git'));
    const run = spawnSync('go', ['test', '-count=1', '-v', './internal/handler/sjson/'], {
      cwd: module,
      encoding: 'utf8',
      env: { ...process.env, CGO_ENABLED: '0' },
      timeout: 300_000,
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.status, output.slice(-3000)).toBe(0);
    for (const test of ['TestFastUnmarshalMatchesSlow', 'TestFastMarshalMatchesSlow', 'FuzzFastUnmarshal', 'TestMarshalUnmarshal', 'TestUnmarshalInvalid', 'TestDocument']) {
      expect(output).toMatch(new RegExp(`--- PASS: ${test} `));
    }
  }, 320_000);
});

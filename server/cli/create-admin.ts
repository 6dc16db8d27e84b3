// `npm run create-admin`: create an admin account from a terminal (first run, or a lost admin
// password). Asks for the username, display name and password; the password is not echoed.
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { setupSchema } from '../../shared/schemas/users.ts';
import { loadConfig } from '../config.ts';
import { formatIssues } from '../lib/route.ts';
import { SetupClaim } from '../modules/auth/model.ts';
import { createUser } from '../modules/users/service.ts';
import { withDatabase } from './database.ts';

async function ask() {
  const fields = ['Admin username: ', 'Display name: ', 'Password (at least 10 characters): '];
  const answers: string[] = [];
  if (!process.stdin.isTTY) {
    // Piped input (scripts, CI): one answer per line.
    const lines = createInterface({ input: process.stdin });
    for await (const line of lines) {
      answers.push(line);
      if (answers.length === fields.length) break;
    }
    lines.close();
  } else {
    let muted = false;
    const output = new Writable({
      write(chunk, _enc, done) {
        if (!muted) process.stdout.write(chunk);
        done();
      },
    });
    const rl = createInterface({ input: process.stdin, output, terminal: true });
    for (const [i, prompt] of fields.entries()) {
      process.stdout.write(prompt);
      muted = i === 2; // do not echo the password
      answers.push(await rl.question(''));
    }
    muted = false;
    process.stdout.write('\n');
    rl.close();
  }
  const [username = '', displayName = '', password = ''] = answers;
  return { username, displayName, password };
}

async function main(): Promise<number> {
  const config = loadConfig();
  const input = setupSchema.safeParse(await ask());
  if (!input.success) {
    console.error(`Not created: ${formatIssues(input.error).message}`);
    return 1;
  }
  try {
    const user = await withDatabase(config, async () => {
      const created = await createUser({ ...input.data, role: 'admin', schoolIds: [] }, null);
      // An admin made here also ends first-run setup in the web UI.
      await SetupClaim.updateOne({ _id: 'first-admin' }, { $setOnInsert: { at: new Date() } }, { upsert: true });
      return created;
    });
    console.log(`Admin "${user.username}" created. Sign in at the ActiveGroups web page.`);
    return 0;
  } catch (err) {
    console.error(`Not created: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

process.exitCode = await main();

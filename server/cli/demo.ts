// `npm run demo [-- --force]`: load the demo data set into the configured database and print the
// demo logins. Run it while the app is stopped when using the embedded database.
import { loadConfig } from '../config.ts';
import { DemoRefusedError, loadDemo } from '../demo/load-demo.ts';
import { withDatabase } from './database.ts';

const force = process.argv.includes('--force');
const config = loadConfig();
const started = Date.now();
try {
  const summary = await withDatabase(config, () => loadDemo({ force, log: (msg) => console.log(msg) }));
  console.log(
    `\nDemo loaded in ${((Date.now() - started) / 1000).toFixed(0)} s: ${summary.schools} schools, ${summary.groups} groups, ` +
      `${summary.children} children, ${summary.sessionsHeld} sessions held and ${summary.sessionsCancelled} cancelled, ` +
      `${summary.assessments} questionnaires (${summary.skippedNoConsent} children without guardian consent have none).\n`,
  );
  console.log('Demo logins (start the app with `npm start`, then sign in):');
  for (const login of summary.logins) {
    console.log(`  ${login.role.padEnd(11)} ${login.username.padEnd(20)} password: ${login.password}   (${login.schools})`);
  }
} catch (err) {
  if (err instanceof DemoRefusedError) {
    console.error(err.message);
  } else {
    console.error('The demo could not be loaded:', err);
  }
  process.exitCode = 1;
}

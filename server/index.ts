// Process entry of `npm start`: configuration, database, HTTP server, clean shutdown.
import { ConfigError, loadConfig, type Config } from './config.ts';
import { DatabaseUnavailableError } from './db/provision.ts';
import { startServer, type RunningServer } from './server.ts';

const engineNames = { external: 'MongoDB server (MONGODB_URI)', mongod: 'embedded mongod', ferretdb: 'embedded FerretDB 1.24.2 (SQLite)' };

/** What each level lets through, in words; `info` and below add the request lines. */
const logLevelMeaning: Record<Config['LOG_LEVEL'], string> = {
  silent: 'nothing; LOG_LEVEL=info logs one line per API request',
  fatal: 'fatal errors only; LOG_LEVEL=info logs one line per API request',
  error: 'errors only; LOG_LEVEL=info logs one line per API request',
  warn: 'warnings and errors only; LOG_LEVEL=info adds one line per API request',
  info: 'one JSON line per API request, plus warnings and errors',
  debug: 'one JSON line per API request and debugging detail',
  trace: 'everything',
};

/** What a person needs after `npm start`: where to go, what runs where, and how loud the logs are. */
function startUpSummary(config: Config, running: RunningServer): string {
  return [
    `ActiveGroups is running at ${running.url}`,
    `  Database: ${engineNames[running.database.engine]} — data in ${running.database.location}`,
    `  Data directory: ${config.DATA_DIR}`,
    `  Logs: level ${config.LOG_LEVEL} — ${logLevelMeaning[config.LOG_LEVEL]}`,
    '  Stop with Ctrl-C.',
  ].join('\n');
}

async function main() {
  const config = loadConfig();
  // If the embedded database cannot be restarted, exit non-zero so a supervisor (systemd, Docker)
  // restarts the whole app.
  const running = await startServer(config, {
    onDatabaseLost: (err) => {
      console.error(`${err.message}\nActiveGroups stops (exit code 1).`);
      process.exit(1);
    },
  });
  console.log(startUpSummary(config, running));

  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) return;
    signalled = true;
    console.log(`${signal} received: stopping ActiveGroups and its database…`);
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('Error while stopping:', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof DatabaseUnavailableError) {
    console.error(err.message);
  } else {
    console.error('ActiveGroups could not start:', err);
  }
  process.exit(1);
});

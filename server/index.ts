// Process entry of `npm start`: configuration, database, HTTP server, clean shutdown.
import { ConfigError, loadConfig } from './config.ts';
import { DatabaseUnavailableError } from './db/provision.ts';
import { startServer } from './server.ts';

const engineNames = { external: 'MongoDB server (MONGODB_URI)', mongod: 'embedded mongod', ferretdb: 'embedded FerretDB 1.24.2 (SQLite)' };

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
  console.log(`Database: ${engineNames[running.database.engine]} — data in ${running.database.location}`);
  console.log(`ActiveGroups is running at ${running.url}`);

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

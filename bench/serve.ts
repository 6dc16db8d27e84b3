// The app server in its own process for load benchmarks (so the load generator does not share
// its event loop). Prints one JSON line {"url": …} when listening; stops on SIGTERM.
import { loadConfig } from '../server/config.ts';
import { startServer } from '../server/server.ts';

const [uri, dbName, dataDir, engine] = process.argv.slice(2) as [string, string, string, string];
const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'silent', MONGODB_DB: dbName, SESSION_SECRET: 'bench-secret-0123456789-0123456789-0123456789' });
const server = await startServer(config, {
  database: { engine: engine as 'ferretdb', uri, location: 'bench', stop: async () => {} },
  ownsDatabase: false,
  log: () => {},
});
console.log(JSON.stringify({ url: server.url }));
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});

// `npm run dev`: the API server (PORT, default 3000) and the Vite dev server with hot reload,
// whose /api requests are proxied to the API (see vite.config.ts).
import { createServer } from 'vite';
import { loadConfig } from './config.ts';
import { startServer } from './server.ts';

const config = loadConfig();
const api = await startServer(config);
console.log(`API at ${api.url} (database: ${api.database.engine}, data in ${api.database.location})`);
process.env.API_PORT = new URL(api.url).port;

const vite = await createServer({ configFile: new URL('../vite.config.ts', import.meta.url).pathname, server: { host: '127.0.0.1' } });
await vite.listen();
vite.printUrls();

const stop = async () => {
  await vite.close();
  await api.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

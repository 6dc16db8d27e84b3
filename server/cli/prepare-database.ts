// `npm run db:prepare`: make sure an embedded database engine is ready before first start or a
// CI run — finds (or downloads) mongod, else builds the FerretDB fallback — and says which.
import { loadConfig } from '../config.ts';
import { ensureFerretdbBinary } from '../db/ferretdb.ts';
import { findMongodBinary } from '../db/mongod.ts';

const config = loadConfig();
if (config.MONGODB_URI) {
  console.log('MONGODB_URI is set: no embedded database needed.');
} else {
  const mongod = config.DB_ENGINE === 'ferretdb' ? undefined : await findMongodBinary(console.log);
  if (mongod) {
    console.log(`Embedded database: mongod at ${mongod}`);
  } else if (config.DB_ENGINE === 'mongod') {
    console.error('DB_ENGINE=mongod but no mongod binary could be found or downloaded.');
    process.exitCode = 1;
  } else {
    const started = Date.now();
    const binary = ensureFerretdbBinary(console.log);
    console.log(`Embedded database: FerretDB 1.24.2 at ${binary} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}

// Terminal tools (create-admin, demo) open the configured database the same way the app does.
// With the embedded database, run them while the app is stopped: the data files are the app's.
import type { Config } from '../config.ts';
import { connectDatabase, disconnectDatabase } from '../db/connection.ts';
import { provisionDatabase } from '../db/provision.ts';
import { seedBuiltInInstruments } from '../modules/instruments/service.ts';

export async function withDatabase<T>(config: Config, work: () => Promise<T>): Promise<T> {
  const database = await provisionDatabase({ mongodbUri: config.MONGODB_URI, dataDir: config.DATA_DIR, engine: config.DB_ENGINE });
  try {
    await connectDatabase(database.uri, config.MONGODB_DB);
    await seedBuiltInInstruments();
    return await work();
  } finally {
    await disconnectDatabase();
    await database.stop();
  }
}

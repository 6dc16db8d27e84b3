// `npm run rollups:recompute [-- --programme ID] [--dose]`: rebuilds the report rollups of every
// programme (or one) from the stored group summaries — nightly, after restoring a backup, or when
// in doubt. `--dose` first recomputes the dose summaries themselves from the registers (slower:
// reads every session). Idempotent: running it twice gives the same rollups. With the embedded
// database, run it while the app is stopped (the data files are the app's).
import { parseArgs } from 'node:util';
import mongoose from 'mongoose';
import { loadConfig } from '../config.ts';
import { recomputeGroupDose } from '../modules/dose/service.ts';
import { Programme, type ProgrammeDoc } from '../modules/programmes/model.ts';
import { rebuildProgrammeRollups } from '../modules/rollups/service.ts';
import { withDatabase } from './database.ts';

export async function recomputeRollups(options: { programme?: string; dose?: boolean }, log: (line: string) => void) {
  if (options.programme !== undefined && !mongoose.isValidObjectId(options.programme)) {
    throw new Error(`--programme must be a programme id (24 hexadecimal characters), not "${options.programme}".`);
  }
  const filter = options.programme ? { _id: options.programme } : {};
  const programmes = await Programme.find(filter, { schoolIds: 1, groupIds: 1, name: 1 }).lean<ProgrammeDoc[]>();
  if (options.programme && programmes.length === 0) throw new Error(`No programme with id ${options.programme}.`);
  for (const p of programmes) {
    const started = performance.now();
    if (options.dose) await recomputeGroupDose(p._id, 'all');
    const result = await rebuildProgrammeRollups(p);
    log(`${p.name} (${String(p._id)}): ${result.groups} groups in ${result.schools} school rollups, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return programmes.length;
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const { values } = parseArgs({ options: { programme: { type: 'string' }, dose: { type: 'boolean' } } });
  try {
    const n = await withDatabase(loadConfig(), () => recomputeRollups(values, (line) => console.log(line)));
    console.log(`Rebuilt the rollups of ${n} programme(s).`);
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  }
}

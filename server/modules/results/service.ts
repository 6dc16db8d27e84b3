// Researchers' results page: which programmes they may analyse, and one programme × instrument
// (optionally against a programme of the other arm). De-identified by construction: the page
// gets statistics and anonymous chart points, never names or codes.
import mongoose from 'mongoose';
import type { ResultsQuery } from '../../../shared/schemas/results-api.ts';
import { AppError, badRequest } from '../../lib/errors.ts';
import { LongFileError } from '../../../shared/domain/analysis.ts';
import { schoolScope, type Actor } from '../../lib/policy.ts';
import { Programme } from '../programmes/model.ts';
import { loadInstruments, reachesProgramme, resolveScope, toProgrammeInfo } from '../exports/source.ts';
import { analyseInstrumentPage } from './analysis.ts';

export async function listResultProgrammes(actor: Actor) {
  const scope = schoolScope(actor);
  const filter = scope === 'all' ? {} : { schoolIds: { $in: scope.map((s) => new mongoose.Types.ObjectId(s)) } };
  const found = await Programme.find(filter).sort({ startDate: -1, _id: 1 }).lean();
  const programmes = found.filter((p) => reachesProgramme(actor, p)).map((p) => toProgrammeInfo(p as never));
  const instruments = await loadInstruments([...new Set(programmes.flatMap((p) => p.instrumentCodes))]);
  const names = new Map(instruments.map((i) => [i.code, [...i.definitions].sort((a, b) => b.version - a.version)[0]?.definition.name ?? { en: i.code, zh: i.code }]));
  return {
    items: programmes.map((p) => ({
      id: p.id,
      name: p.name,
      arm: p.arm,
      startDate: p.startDate,
      schoolCount: p.schoolIds.length,
      instruments: p.instrumentCodes.map((code) => ({ code, name: names.get(code) ?? { en: code, zh: code } })),
    })),
  };
}

export async function getProgrammeResults(actor: Actor, id: string, query: ResultsQuery) {
  const ids = query.comparison ? [id, query.comparison] : [id];
  if (query.comparison === id) throw badRequest('invalid_input', 'comparison: choose a different programme to compare with.');
  const scope = await resolveScope(actor, 'results:read', { programmeIds: ids, instrument: query.instrument, dates: 'omit' });
  const [main, other] = scope.programmes;
  if (other && main && other.arm === main.arm) {
    throw badRequest('same_arm', `comparison: both programmes are ${main.arm} programmes; compare an intervention programme with a control programme.`);
  }
  const instrument = scope.instruments[0]!;
  const def = [...instrument.definitions].sort((a, b) => b.version - a.version)[0]?.definition;
  let page: Awaited<ReturnType<typeof analyseInstrumentPage>>;
  try {
    page = await analyseInstrumentPage(scope, instrument.code);
  } catch (e) {
    // A child in both arms, or twice in one arm (two programmes), cannot be analysed as pairs;
    // `activegroups analyze` refuses the same file for the same reason.
    if (e instanceof LongFileError) throw new AppError(422, 'inconsistent_data', `These programmes cannot be analysed together: ${e.message.replace(/^line \d+: /, '')}`);
    throw e;
  }
  return {
    programme: { id: main!.id, name: main!.name, arm: main!.arm },
    comparison: other ? { id: other.id, name: other.name, arm: other.arm } : null,
    instrumentInfo: {
      code: instrument.code,
      name: def?.name ?? { en: instrument.code, zh: instrument.code },
      polarity: def?.polarity ?? null,
      versions: instrument.definitions.map((d) => d.version),
      reliabilitySource: def?.reliability?.sourceText ?? null,
    },
    ...page,
  };
}

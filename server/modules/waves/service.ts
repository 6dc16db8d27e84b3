// Questionnaire waves of a programme: which instruments (and versions) it uses and the pre / post /
// follow-up windows. Writes ONLY the `instruments` and `waves` fields of the Programme (the
// programme's plan belongs to the programmes capability), under the programme's version counter.
import mongoose from 'mongoose';
import { suggestWaveWindows, type UpdateWavesInput, type WaveWindow } from '../../../shared/schemas/assessments-api.ts';
import { badRequest, notFound, versionConflict } from '../../lib/errors.ts';
import { authorizeProgramme, schoolScope, type Actor } from '../../lib/policy.ts';
import { recordAudit } from '../audit/service.ts';
import { Instrument } from '../instruments/model.ts';
import { Programme, type ProgrammeDoc } from '../programmes/model.ts';
import { compareAndSet } from '../../db/compare-and-set.ts';

// Access: `authorizeProgramme` from policy.ts — reading needs one of the programme's schools,
// changing its waves needs all of them (a counsellor of school A must not re-time school B's
// questionnaires). Admins reach every school.
export { authorizeProgramme };

export function toWavesJson(p: ProgrammeDoc) {
  return {
    programmeId: String(p._id),
    name: p.name,
    arm: p.arm,
    schoolIds: p.schoolIds.map(String),
    startDate: p.startDate,
    plannedWeeks: p.plannedWeeks,
    instruments: (p.instruments ?? []).map((i) => ({ code: i.code, version: i.version })),
    waves: (p.waves ?? []).map((w) => ({ wave: w.wave, opensOn: w.opensOn, closesOn: w.closesOn })) as WaveWindow[],
    suggestedWaves: suggestWaveWindows(p.startDate, p.plannedWeeks),
    version: p.version ?? 0,
  };
}

export async function loadProgramme(programmeId: string): Promise<ProgrammeDoc> {
  const p = await Programme.findById(programmeId).lean<ProgrammeDoc>();
  if (!p) throw notFound('The programme');
  return p;
}

export async function listProgrammeWaves(actor: Actor) {
  const scope = schoolScope(actor);
  const filter = scope === 'all' ? {} : { schoolIds: { $in: scope.map((id) => new mongoose.Types.ObjectId(id)) } };
  const programmes = await Programme.find(filter).sort({ startDate: -1, name: 1 }).lean<ProgrammeDoc[]>();
  return { items: programmes.map(toWavesJson) };
}

export async function getProgrammeWaves(actor: Actor, programmeId: string) {
  const p = await loadProgramme(programmeId);
  authorizeProgramme(actor, 'programme:read', p, 'any');
  return toWavesJson(p);
}

export async function updateProgrammeWaves(actor: Actor, programmeId: string, input: UpdateWavesInput) {
  const before = await loadProgramme(programmeId);
  authorizeProgramme(actor, 'assessment:write', before, 'all');
  for (const i of input.instruments) {
    const exists = await Instrument.exists({ code: i.code, version: i.version });
    if (!exists) throw badRequest('unknown_instrument', `The instrument ${i.code} has no version ${i.version}.`);
  }
  const updated = await compareAndSet<ProgrammeDoc>(Programme, programmeId, { version: input.version }, {
    $set: {
      instruments: input.instruments.map((i) => ({ code: i.code, version: i.version })),
      waves: input.waves.map((w) => ({ wave: w.wave, opensOn: w.opensOn, closesOn: w.closesOn })),
    },
    $inc: { version: 1 },
  });
  if (!updated) throw versionConflict(toWavesJson(await loadProgramme(programmeId)));
  const json = toWavesJson(updated);
  const snap = (j: ReturnType<typeof toWavesJson>) => ({ instruments: j.instruments, waves: j.waves, version: j.version });
  await recordAudit({
    actor,
    action: 'update',
    entity: 'programme_waves',
    entityId: programmeId,
    schoolId: json.schoolIds[0] ?? null,
    before: snap(toWavesJson(before)),
    after: snap(json),
  });
  return json;
}

// Study data for the results and export tests, written straight through the models (the roster,
// programme, dose and assessment APIs are built by colleagues in parallel) and scored with the
// shared scoring, exactly as the counsellors' service stores it.
import mongoose from 'mongoose';
import { RSES, SCARED } from '../../shared/domain/instruments.ts';
import { scoreAssessment } from '../../shared/domain/scoring.ts';
import type { InstrumentDefinition } from '../../shared/schemas/instrument.ts';
import { Assessment } from '../../server/modules/assessments/model.ts';
import { Child } from '../../server/modules/children/model.ts';
import { DoseSummary } from '../../server/modules/dose/model.ts';
import { Programme } from '../../server/modules/programmes/model.ts';
import { mulberry32 } from '../../server/lib/seeded-random.ts';
import { seedAccounts } from '../helpers/fixtures.ts';

const oid = () => new mongoose.Types.ObjectId();

function answersFor(def: InstrumentDefinition, level: number, rand: () => number): (number | null)[] {
  const { min, max } = def.response;
  return def.items.map((item) => {
    const raw = min + level * (max - min) + (rand() - 0.5) * (max - min) * 0.9;
    const v = Math.max(min, Math.min(max, Math.round(raw)));
    return def.reverseItems.includes(item.number) ? min + max - v : v;
  });
}

export interface StudyOptions {
  programmeName: string;
  arm: 'intervention' | 'control';
  schoolId: string;
  codePrefix: string;
  children: number;
  seed: number;
  /** Mean drop in the anxiety level (0–1 scale) from pre to post. */
  effect: number;
  enteredBy: string;
  /** Children (by index) with no post questionnaire. */
  missingPost?: number[];
  /** Children (by index) whose pre SCARED has too many missing items (not scored). */
  unscoredPre?: number[];
  dose?: boolean;
}

export async function createStudy(o: StudyOptions) {
  const rand = mulberry32(o.seed); // deterministic data, the same numbers on every run
  const programme = await Programme.create({
    name: o.programmeName,
    schoolIds: [o.schoolId],
    arm: o.arm,
    startDate: '2025-03-03',
    plannedWeeks: 12,
    instruments: [
      { code: 'SCARED', version: 1 },
      { code: 'RSES', version: 1 },
    ],
    waves: [
      { wave: 'pre', opensOn: '2025-02-24', closesOn: '2025-03-02' },
      { wave: 'post', opensOn: '2025-05-26', closesOn: '2025-06-01' },
    ],
  });
  const children = [];
  const assessments = [];
  const doses = [];
  for (let i = 0; i < o.children; i++) {
    const childId = oid();
    children.push({
      _id: childId,
      schoolId: o.schoolId,
      code: `${o.codePrefix}-${String(i + 1).padStart(4, '0')}`,
      displayName: `王小明${o.codePrefix}${i}`,
      sex: i % 2 === 0 ? 'female' : 'male',
      birthYear: 2014 + (i % 3),
      birthMonth: 1 + (i % 12),
      grade: 4,
      leftBehindStatus: (['none', 'one_parent_away', 'both_parents_away'] as const)[i % 3],
      caregiver: (['mother', 'grandparents', 'father'] as const)[i % 3],
    });
    const anxiety = 0.25 + rand() * 0.5;
    const esteem = 0.4 + rand() * 0.4;
    const minutes = o.dose ? Math.round(200 + rand() * 600) : 0;
    // Children who came more drop more: a dose–response the page can find.
    const drop = o.effect * (o.dose ? minutes / 500 : 1) + (rand() - 0.5) * 0.1;
    for (const [wave, date, shift] of [['pre', '2025-02-26', 0], ['post', '2025-05-28', drop]] as const) {
      if (wave === 'post' && o.missingPost?.includes(i)) continue;
      for (const def of [SCARED, RSES]) {
        const level = def === SCARED ? anxiety - shift : esteem + shift / 2;
        let answers = answersFor(def, Math.max(0, Math.min(1, level)), rand);
        if (def === SCARED && wave === 'pre' && o.unscoredPre?.includes(i)) answers = answers.map((a, k) => (k < 10 ? null : a));
        assessments.push({
          schoolId: o.schoolId,
          childId,
          programmeId: programme._id,
          instrumentCode: def.code,
          instrumentVersion: 1,
          wave,
          date,
          answers,
          missing: answers.flatMap((a, k) => (a === null ? [{ item: k + 1, reason: 'skipped' }] : [])),
          score: scoreAssessment(def, answers),
          enteredBy: o.enteredBy,
        });
      }
    }
    if (o.dose) {
      doses.push({
        _id: `${programme._id}:${childId}`,
        programmeId: programme._id,
        childId,
        schoolId: o.schoolId,
        asOf: '2025-05-30',
        sessionsScheduled: 36,
        sessionsAttended: Math.round(minutes / 25),
        attendanceRate: Math.round(minutes / 25) / 36,
        aerobicMinutes: minutes,
        // Most aerobic minutes were at ≥ moderate intensity.
        qualifyingMinutes: Math.round(minutes * 0.8),
        qualifyingSessions: Math.round(minutes / 30),
        qualifyingWeeks: 10,
        sourceReadAt: new Date(),
        computedAt: new Date(),
      });
    }
  }
  await Child.insertMany(children);
  await Assessment.insertMany(assessments);
  if (doses.length > 0) await DoseSummary.insertMany(doses);
  return { programmeId: String(programme._id), childIds: children.map((c) => String(c._id)), assessments: assessments.length, codes: children.map((c) => c.code) };
}

/** Accounts plus: intervention and control in school A, a tiny one in A, one in school B. */
export async function seedStudyWorld() {
  const world = await seedAccounts();
  const by = world.users.counsellor.id;
  const intervention = await createStudy({
    programmeName: '足球社团 Football club', arm: 'intervention', schoolId: world.schoolA.id, codePrefix: 'A-I', children: 24, seed: 1, effect: 0.2, enteredBy: by, dose: true,
    missingPost: [3, 11], unscoredPre: [5],
  });
  const control = await createStudy({
    programmeName: 'Control classes', arm: 'control', schoolId: world.schoolA.id, codePrefix: 'A-C', children: 20, seed: 2, effect: 0.02, enteredBy: by, missingPost: [7],
  });
  const tiny = await createStudy({ programmeName: 'Pilot (3 children)', arm: 'intervention', schoolId: world.schoolA.id, codePrefix: 'A-P', children: 3, seed: 3, effect: 0.2, enteredBy: by, dose: true });
  const other = await createStudy({ programmeName: 'School B running', arm: 'intervention', schoolId: world.schoolB.id, codePrefix: 'B-I', children: 8, seed: 4, effect: 0.2, enteredBy: by, dose: true });
  return { ...world, studies: { intervention, control, tiny, other } };
}

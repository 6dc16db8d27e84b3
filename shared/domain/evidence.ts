// Built-in evidence profiles (DESIGN §3).
import { evidenceProfileSchema, type EvidenceProfile, type EvidenceProfileInput } from '../schemas/evidence.ts';

/** Group fidelity (issue 9): held ÷ planned after exclusion dates. */
const DELIVERED = {
  value: 90,
  unit: '%',
  sourceText:
    'Product default: at least 90 % of the planned sessions (after holidays and exam dates) are held. "Dose delivered" is a core component of implementation fidelity (Carroll et al. 2007, Implementation Science 2:40); the 90 % cut-off is a product choice. A cancelled session that is made up counts as held.',
  isProductDefault: true,
} as const;

/** Per-child dose (issue 9): adherence instead of a weekly count a child can miss with one absence. */
const ADHERENCE = {
  value: 75,
  unit: '%',
  sourceText:
    'Product default: a child attended at least 75 % of the sessions held while a member. 75 % attendance is the usual per-protocol adherence cut-off in exercise trials; sessions not logged yet are not counted as absences.',
  isProductDefault: true,
} as const;

const SEED = 'Review of psychosocial competence of rural left-behind children (2022), its ref. [4]';

export const seedReviewProfile: EvidenceProfile = evidenceProfileSchema.parse({
  id: 'seed-review',
  name: { en: 'Seed review (left-behind children, 2022)', zh: '留守儿童综述（2022）' },
  source: SEED,
  builtIn: true,
  thresholds: {
    minWeeks: { value: 10, unit: 'weeks', sourceText: `${SEED}: the programme spans at least 10 weeks.`, isProductDefault: false },
    minSessionMinutes: { value: 20, unit: 'minutes', sourceText: `${SEED}: at least 20 minutes of exercise per session.`, isProductDefault: false },
    exerciseType: {
      value: 'aerobic',
      unit: 'type',
      sourceText: `${SEED}: aerobic exercise lowers anxiety and depression; anaerobic exercise has no significant effect on anxiety.`,
      isProductDefault: false,
    },
    minIntensity: { value: 'moderate', unit: 'level', sourceText: `${SEED}: exercise of at least moderate intensity; frequency, time and intensity all matter (P < 0.01).`, isProductDefault: false },
    minSessionsPerWeek: {
      value: 3,
      unit: 'sessions/week',
      sourceText: 'Product default: the review asks for regular, consistent sessions but gives no number; 3 per week follows the ACSM aerobic frequency.',
      isProductDefault: true,
    },
    maxGapDays: {
      value: 14,
      unit: 'days',
      sourceText: 'Product default: the review asks for regular sessions, not one-off; no gap longer than 14 days.',
      isProductDefault: true,
    },
    minDeliveredPercent: DELIVERED,
    minAttendancePercent: ADHERENCE,
    minQualifyingSharePercent: {
      value: 80,
      unit: '%',
      sourceText: 'Product default: most held sessions should qualify (≥ 20 aerobic minutes at ≥ moderate); 80 % tolerates the occasional short session.',
      isProductDefault: true,
    },
    minAerobicSharePercent: {
      value: 50,
      unit: '%',
      sourceText: `Product default reading of ${SEED}: exercise should be aerobic — at least half of the exercise minutes.`,
      isProductDefault: true,
    },
  },
} satisfies EvidenceProfileInput);

const WHO = 'WHO guidelines on physical activity and sedentary behaviour (2020), children and adolescents 5–17 years';

export const who2020Profile: EvidenceProfile = evidenceProfileSchema.parse({
  id: 'who-2020-5-17',
  name: { en: 'WHO 2020 (5–17 years)', zh: '世卫组织 2020（5–17 岁）' },
  source: WHO,
  builtIn: true,
  thresholds: {
    minDailyMvpaMinutes: {
      value: 60,
      unit: 'minutes/day',
      sourceText: `${WHO}: at least an average of 60 minutes per day of moderate-to-vigorous, mostly aerobic, physical activity across the week.`,
      isProductDefault: false,
    },
    minIntensity: { value: 'moderate', unit: 'level', sourceText: `${WHO}: moderate-to-vigorous intensity.`, isProductDefault: false },
    exerciseType: { value: 'aerobic', unit: 'type', sourceText: `${WHO}: mostly aerobic.`, isProductDefault: false },
    minAerobicSharePercent: {
      value: 50,
      unit: '%',
      sourceText: `Product default reading of "mostly aerobic" (${WHO}): more than half of the minutes.`,
      isProductDefault: true,
    },
    minDeliveredPercent: DELIVERED,
    minAttendancePercent: ADHERENCE,
    minVigorousDaysPerWeek: {
      value: 3,
      unit: 'days/week',
      sourceText: `${WHO}: vigorous-intensity aerobic activities, and those that strengthen muscle and bone, on at least 3 days a week.`,
      isProductDefault: false,
    },
  },
} satisfies EvidenceProfileInput);

export const BUILT_IN_PROFILES: readonly EvidenceProfile[] = [seedReviewProfile, who2020Profile];

export function findBuiltInProfile(id: string): EvidenceProfile | undefined {
  return BUILT_IN_PROFILES.find((p) => p.id === id);
}

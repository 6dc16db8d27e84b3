// Built-in evidence profiles (DESIGN §3).
import { evidenceProfileSchema, type EvidenceProfile, type EvidenceProfileInput } from '../schemas/evidence.ts';

/** Group fidelity (issue 9): held ÷ planned after exclusion dates. */
const DELIVERED = {
  value: 90,
  unit: '%',
  sourceText:
    'Product default: at least 90 % of the planned sessions (after holidays and exam dates) are held. "Dose delivered" is a core component of implementation fidelity (Carroll et al. 2007, Implementation Science 2:40); the 90 % cut-off is a product choice. A cancelled session that is made up counts as held.',
  sourceTextZh: '产品默认值：计划课次（扣除假期和考试日期后）至少开展 90%。"实际开展的剂量"是实施忠实度的核心组成部分（Carroll 等，2007，Implementation Science 2:40）；90% 的界值是产品设定。取消后补上的课计为已开展。',
  isProductDefault: true,
} as const;

/** Per-child dose (issue 9): adherence instead of a weekly count a child can miss with one absence. */
const ADHERENCE = {
  value: 75,
  unit: '%',
  sourceText:
    'Product default: a child attended at least 75 % of the sessions held while a member. 75 % attendance is the usual per-protocol adherence cut-off in exercise trials; sessions not logged yet are not counted as absences.',
  sourceTextZh: '产品默认值：孩子在组期间参加了至少 75% 的已开展课次。75% 出勤率是运动干预试验中常用的"按方案依从"界值；尚未记录的课不算缺勤。',
  isProductDefault: true,
} as const;

const SEED_ZH = '农村留守儿童心理社会能力综述（2022），其参考文献 [4]';

const SEED = 'Review of psychosocial competence of rural left-behind children (2022), its ref. [4]';

export const seedReviewProfile: EvidenceProfile = evidenceProfileSchema.parse({
  id: 'seed-review',
  name: { en: 'Seed review (left-behind children, 2022)', zh: '留守儿童综述（2022）' },
  source: SEED,
  builtIn: true,
  thresholds: {
    minWeeks: { value: 10, unit: 'weeks', sourceText: `${SEED}: the programme spans at least 10 weeks.`,
      sourceTextZh: `${SEED_ZH}：干预周期至少 10 周。`, isProductDefault: false },
    minSessionMinutes: { value: 20, unit: 'minutes', sourceText: `${SEED}: at least 20 minutes of exercise per session.`,
      sourceTextZh: `${SEED_ZH}：每次运动至少 20 分钟。`, isProductDefault: false },
    exerciseType: {
      value: 'aerobic',
      unit: 'type',
      sourceText: `${SEED}: aerobic exercise lowers anxiety and depression; anaerobic exercise has no significant effect on anxiety.`,
      sourceTextZh: `${SEED_ZH}：有氧运动可降低焦虑和抑郁；无氧运动对焦虑没有显著影响。`,
      isProductDefault: false,
    },
    minIntensity: { value: 'moderate', unit: 'level', sourceText: `${SEED}: exercise of at least moderate intensity; frequency, time and intensity all matter (P < 0.01).`,
      sourceTextZh: `${SEED_ZH}：运动强度至少为中等；频率、时间和强度都有影响（P < 0.01）。`, isProductDefault: false },
    minSessionsPerWeek: {
      value: 3,
      unit: 'sessions/week',
      sourceText: 'Product default: the review asks for regular, consistent sessions but gives no number; 3 per week follows the ACSM aerobic frequency.',
      sourceTextZh: '产品默认值：综述要求规律、持续地开展，但没有给出具体数字；每周 3 次参照 ACSM 有氧运动频率建议。',
      isProductDefault: true,
    },
    maxGapDays: {
      value: 14,
      unit: 'days',
      sourceText: 'Product default: the review asks for regular sessions, not one-off; no gap longer than 14 days.',
      sourceTextZh: '产品默认值：综述要求规律开展而非一次性活动；任意两次课间隔不超过 14 天。',
      isProductDefault: true,
    },
    minDeliveredPercent: DELIVERED,
    minAttendancePercent: ADHERENCE,
    minQualifyingSharePercent: {
      value: 80,
      unit: '%',
      sourceText: 'Product default: most held sessions should qualify (≥ 20 aerobic minutes at ≥ moderate); 80 % tolerates the occasional short session.',
      sourceTextZh: '产品默认值：大多数已开展的课应达标（中等及以上强度的有氧运动 ≥ 20 分钟）；80% 容许偶尔缩短的课。',
      isProductDefault: true,
    },
    minAerobicSharePercent: {
      value: 50,
      unit: '%',
      sourceText: `Product default reading of ${SEED}: exercise should be aerobic — at least half of the exercise minutes.`,
      sourceTextZh: `产品默认值（对${SEED_ZH}的解读）：运动应以有氧为主——至少占运动时间的一半。`,
      isProductDefault: true,
    },
  },
} satisfies EvidenceProfileInput);

const WHO_ZH = '世界卫生组织《身体活动和久坐行为指南》（2020），5–17 岁儿童青少年';
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
      sourceTextZh: `${WHO_ZH}：一周中平均每天至少 60 分钟中高强度身体活动，以有氧运动为主。`,
      isProductDefault: false,
    },
    minIntensity: { value: 'moderate', unit: 'level', sourceText: `${WHO}: moderate-to-vigorous intensity.`,
      sourceTextZh: `${WHO_ZH}：中等到高强度。`, isProductDefault: false },
    exerciseType: { value: 'aerobic', unit: 'type', sourceText: `${WHO}: mostly aerobic.`,
      sourceTextZh: `${WHO_ZH}：以有氧运动为主。`, isProductDefault: false },
    minAerobicSharePercent: {
      value: 50,
      unit: '%',
      sourceText: `Product default reading of "mostly aerobic" (${WHO}): more than half of the minutes.`,
      sourceTextZh: `产品默认值（对${WHO_ZH}"以有氧运动为主"的解读）：超过一半的时间。`,
      isProductDefault: true,
    },
    minDeliveredPercent: DELIVERED,
    minAttendancePercent: ADHERENCE,
    minVigorousDaysPerWeek: {
      value: 3,
      unit: 'days/week',
      sourceText: `${WHO}: vigorous-intensity aerobic activities, and those that strengthen muscle and bone, on at least 3 days a week.`,
      sourceTextZh: `${WHO_ZH}：每周至少 3 天进行高强度有氧活动以及增强肌肉和骨骼的活动。`,
      isProductDefault: false,
    },
  },
} satisfies EvidenceProfileInput);

export const BUILT_IN_PROFILES: readonly EvidenceProfile[] = [seedReviewProfile, who2020Profile];

export function findBuiltInProfile(id: string): EvidenceProfile | undefined {
  return BUILT_IN_PROFILES.find((p) => p.id === id);
}

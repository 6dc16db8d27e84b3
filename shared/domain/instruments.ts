// Built-in instrument definitions (DESIGN §3). Item text is included only where the licence
// allows (Rosenberg: public domain); the others carry item numbers only.
import { instrumentDefinitionSchema, type InstrumentDefinition, type InstrumentDefinitionInput } from '../schemas/instrument.ts';

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

// Product default for prorating (no source gives one): up to 10 % of items may be missing,
// rounded down — SCARED 4 of 41, SASC 1 of 10, RSES 1 of 10.

/**
 * SCARED, 41 items, 0–2, total 0–82, cut-off ≥ 25 (Birmaher et al. 1997, 1999). Subscale item
 * lists and cut-offs from the SCARED scoring sheet (Birmaher 1999): panic/somatic 13 items ≥ 7,
 * GAD 9 ≥ 9, separation 8 ≥ 5, social 7 ≥ 8, school avoidance 4 ≥ 3.
 */
export const SCARED: InstrumentDefinition = instrumentDefinitionSchema.parse({
  code: 'SCARED',
  version: '41-item child report',
  name: { en: 'Screen for Child Anxiety Related Emotional Disorders (SCARED)', zh: '儿童焦虑性情绪障碍筛查表 (SCARED)' },
  languages: ['en', 'zh-CN'],
  items: range(1, 41).map((number) => ({ number })),
  response: {
    min: 0,
    max: 2,
    labels: [
      { value: 0, en: 'Not true or hardly ever true', zh: '没有此问题' },
      { value: 1, en: 'Somewhat true or sometimes true', zh: '有时有' },
      { value: 2, en: 'Very true or often true', zh: '经常有' },
    ],
  },
  reverseItems: [],
  subscales: [
    { code: 'PANIC', name: { en: 'Panic disorder / significant somatic symptoms', zh: '躯体化/惊恐' }, items: [1, 6, 9, 12, 15, 18, 19, 22, 24, 27, 30, 34, 38], cutoff: 7 },
    { code: 'GAD', name: { en: 'Generalized anxiety disorder', zh: '广泛性焦虑' }, items: [5, 7, 14, 21, 23, 28, 33, 35, 37], cutoff: 9 },
    { code: 'SEPARATION', name: { en: 'Separation anxiety', zh: '分离性焦虑' }, items: [4, 8, 13, 16, 20, 25, 29, 31], cutoff: 5 },
    { code: 'SOCIAL', name: { en: 'Social anxiety', zh: '社交恐怖' }, items: [3, 10, 26, 32, 39, 40, 41], cutoff: 8 },
    { code: 'SCHOOL', name: { en: 'Significant school avoidance', zh: '学校恐怖' }, items: [2, 11, 17, 36], cutoff: 3 },
  ],
  scoring: 'sum',
  polarity: 'higher-is-worse',
  cutoffs: [
    {
      value: 25,
      label: { en: 'May indicate an anxiety disorder (total ≥ 25)', zh: '可能存在焦虑障碍（总分 ≥ 25）' },
      sourceText: 'Birmaher et al. 1999: a total score ≥ 25 may indicate the presence of an anxiety disorder.',
    },
  ],
  maxMissingItems: 4,
  licenceNote: 'Free to use (Birmaher et al., University of Pittsburgh). Item text not stored here; enter it per school if desired.',
  domain: 'anxiety',
} satisfies InstrumentDefinitionInput);

/**
 * Social Anxiety Scale for Children, Chinese 10-item version (La Greca 1988; Chinese norms),
 * 0–2 per item, total 0–20; fear of negative evaluation (FNE) items 1, 2, 5, 6, 8, 10; social
 * avoidance and distress (SAD) items 3, 4, 7, 9. Chinese α 0.58–0.79 (published range).
 */
export const SASC_CN_10: InstrumentDefinition = instrumentDefinitionSchema.parse({
  code: 'SASC_CN_10',
  version: 'Chinese 10-item',
  name: { en: 'Social Anxiety Scale for Children (Chinese 10-item)', zh: '儿童社交焦虑量表 (SASC)' },
  languages: ['zh-CN'],
  items: range(1, 10).map((number) => ({ number })),
  response: {
    min: 0,
    max: 2,
    labels: [
      { value: 0, en: 'Never', zh: '从不是这样' },
      { value: 1, en: 'Sometimes', zh: '有时是这样' },
      { value: 2, en: 'Always', zh: '一直是这样' },
    ],
  },
  reverseItems: [],
  subscales: [
    { code: 'FNE', name: { en: 'Fear of negative evaluation', zh: '害怕否定评价' }, items: [1, 2, 5, 6, 8, 10] },
    { code: 'SAD', name: { en: 'Social avoidance and distress', zh: '社交回避及苦恼' }, items: [3, 4, 7, 9] },
  ],
  scoring: 'sum',
  polarity: 'higher-is-worse',
  cutoffs: [],
  reliability: { alphaRange: [0.58, 0.79], sourceText: 'Chinese version: Cronbach α 0.58–0.79 (DESIGN §3).' },
  maxMissingItems: 1,
  licenceNote: 'Item text not stored (copyright of the scale authors / Chinese adaptation); items by number only.',
  domain: 'anxiety',
} satisfies InstrumentDefinitionInput);

/** Rosenberg Self-Esteem Scale (Rosenberg 1965), 10 items, 1–4, reverse-keyed 2, 5, 6, 8, 9; public domain. */
export const RSES: InstrumentDefinition = instrumentDefinitionSchema.parse({
  code: 'RSES',
  version: '10-item, 4-point',
  name: { en: 'Rosenberg Self-Esteem Scale', zh: 'Rosenberg 自尊量表' },
  languages: ['en', 'zh-CN'],
  items: [
    'On the whole, I am satisfied with myself.',
    'At times I think I am no good at all.',
    'I feel that I have a number of good qualities.',
    'I am able to do things as well as most other people.',
    'I feel I do not have much to be proud of.',
    'I certainly feel useless at times.',
    "I feel that I'm a person of worth, at least on an equal plane with others.",
    'I wish I could have more respect for myself.',
    'All in all, I am inclined to feel that I am a failure.',
    'I take a positive attitude toward myself.',
  ].map((en, i) => ({ number: i + 1, text: { en } })),
  response: {
    min: 1,
    max: 4,
    labels: [
      { value: 1, en: 'Strongly disagree', zh: '非常不同意' },
      { value: 2, en: 'Disagree', zh: '不同意' },
      { value: 3, en: 'Agree', zh: '同意' },
      { value: 4, en: 'Strongly agree', zh: '非常同意' },
    ],
  },
  reverseItems: [2, 5, 6, 8, 9],
  subscales: [],
  scoring: 'sum',
  polarity: 'higher-is-better',
  cutoffs: [],
  maxMissingItems: 1,
  licenceNote: 'Public domain (Rosenberg 1965); English item text included.',
  domain: 'self-perception',
} satisfies InstrumentDefinitionInput);

export const BUILT_IN_INSTRUMENTS: readonly InstrumentDefinition[] = [SCARED, SASC_CN_10, RSES];

export function findBuiltInInstrument(code: string): InstrumentDefinition | undefined {
  return BUILT_IN_INSTRUMENTS.find((d) => d.code.toUpperCase() === code.toUpperCase());
}

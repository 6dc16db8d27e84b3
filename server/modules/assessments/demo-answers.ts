// Realistic item-level questionnaire answers for the demo (issue 6, item 6; `npm run demo` is the
// lead's). Pure and deterministic: the same child key gives the same answers on every run.
//
// Model (a simple latent-trait simulation, not a fitted IRT model): each child has a stable
// trait θ ~ N(0, 1); each item a fixed offset; an answer is the keyed level
//   centre + spread · (θ + wave shift) + item offset + noise, rounded and kept in range,
// then reverse-keyed items are turned back (min + max − x) so the stored answer is what the
// child ticked. The intervention arm improves by `effect` SD at post (and most of it at
// follow-up); the control arm barely moves. Improvement lowers anxiety (higher-is-worse) and
// raises self-esteem (higher-is-better). A few items are skipped and a few waves not collected.
import type { Arm, Wave } from '../../../shared/schemas/child.ts';
import { mulberry32 } from '../../lib/seeded-random.ts';
import type { InstrumentDefinition } from '../../../shared/schemas/instrument.ts';
import type { MissingReason } from '../../../shared/schemas/assessments-api.ts';
import { addDays, daysBetween } from '../../../shared/domain/dates.ts';

export interface DemoAnswerOptions {
  definition: InstrumentDefinition;
  wave: Wave;
  arm: Arm;
  /** Stable per child (e.g. the child's code): same key, same answers. */
  childKey: string;
  /**
   * Improvement of the intervention arm at post in SD of the trait. Demo default 0.5 (a moderate
   * effect, in the range school exercise reviews report for anxiety); control 0.05.
   */
  effect?: number;
  /** Share of items left blank (demo default 2 %). */
  missingItemRate?: number;
  /** Share of children with no questionnaire at this wave (demo defaults: pre 3 %, post 8 %, follow-up 15 %). */
  missingWaveRate?: number;
}

export interface DemoAnswers {
  answers: (number | null)[];
  missing: { item: number; reason: MissingReason }[];
}

/** FNV-1a hash of a string → 32-bit seed. */
function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Numbers for one key: the same key gives the same sequence on every run. */
export function seededRandom(key: string): () => number {
  return mulberry32(hashSeed(key));
}

function normal(rand: () => number): number {
  // Box–Muller; 1 − u keeps the log away from 0.
  const u = 1 - rand();
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const defaultMissingWave: Record<Wave, number> = { pre: 0.03, post: 0.08, followup: 0.15 };

/** Improvement (in trait SD) by arm and wave; follow-up keeps 80 % of the post effect (demo assumption). */
function improvement(arm: Arm, wave: Wave, effect: number): number {
  if (wave === 'pre') return 0;
  const atPost = arm === 'intervention' ? effect : 0.05;
  return wave === 'post' ? atPost : atPost * 0.8;
}

/** Answers of one child to one instrument at one wave, or null when this wave was not collected. */
export function demoAnswers(options: DemoAnswerOptions): DemoAnswers | null {
  const { definition, wave, arm, childKey } = options;
  const waveRand = seededRandom(`${childKey}|${definition.code}|${wave}|collected`);
  if (waveRand() < (options.missingWaveRate ?? defaultMissingWave[wave])) return null;

  const theta = normal(seededRandom(`${childKey}|trait`)); // one trait per child, shared by instruments
  const { min, max } = definition.response;
  const width = max - min;
  const worse = definition.polarity === 'higher-is-worse';
  // Typical levels (demo assumptions): anxiety items sit low on their scale, self-esteem high.
  const centre = min + width * (worse ? 0.25 : 0.62);
  const spread = width * 0.2;
  const gain = improvement(arm, wave, options.effect ?? 0.5);
  // Worse trait = more anxiety and less self-esteem; improvement moves the trait down.
  const level = theta - gain;
  const signed = worse ? level : -level;
  const reverse = new Set(definition.reverseItems);
  const itemRand = seededRandom(`${definition.code}|items`);
  const noiseRand = seededRandom(`${childKey}|${definition.code}|${wave}|noise`);
  const missingRate = options.missingItemRate ?? 0.02;

  const answers: (number | null)[] = [];
  const missing: DemoAnswers['missing'] = [];
  for (const item of definition.items) {
    const offset = (itemRand() - 0.5) * width * 0.4;
    const noise = normal(noiseRand) * width * 0.22;
    const skip = noiseRand() < missingRate;
    if (skip) {
      answers.push(null);
      missing.push({ item: item.number, reason: 'skipped' });
      continue;
    }
    const keyed = Math.min(max, Math.max(min, Math.round(centre + spread * signed + offset + noise)));
    answers.push(reverse.has(item.number) ? min + max - keyed : keyed);
  }
  return { answers, missing };
}

/** A date inside a wave window, stable per child (demo: spread over the window). */
export function demoDate(window: { opensOn: string; closesOn: string }, childKey: string): string {
  const days = daysBetween(window.opensOn, window.closesOn);
  return addDays(window.opensOn, Math.floor(seededRandom(`${childKey}|date`)() * (days + 1)));
}

// Activity catalog. Type decides whether minutes count as aerobic (DESIGN §3: aerobic exercise
// lowers anxiety and depression; anaerobic exercise has no significant effect on anxiety).
// METy bands: APPROXIMATE typical ranges across the 6–17 y age bands of the Youth Compendium of
// Physical Activities (Butte et al. 2018, Med Sci Sports Exerc 50:246–256; METy = VO2 / Schofield
// BMR). They are used only when a session records no RPE, heart rate or METs, and the estimate is
// labelled as such; look up the compendium for an age-specific value before relying on one.
import type { LocalizedText } from '../schemas/common.ts';

export type ActivityType = 'aerobic' | 'anaerobic' | 'mixed' | 'other';

export interface Activity {
  code: string;
  name: LocalizedText;
  /** 'other' = warm-up, stretching, rest: counts toward session minutes only. */
  type: ActivityType;
  /** Typical METy band (approximate, Youth Compendium, Butte 2018). */
  metyBand: { min: number; max: number };
}

export const ACTIVITY_CATALOG: readonly Activity[] = [
  { code: 'running', name: { en: 'Running / jogging', zh: '跑步' }, type: 'aerobic', metyBand: { min: 6, max: 9 } },
  { code: 'rope-skipping', name: { en: 'Rope skipping', zh: '跳绳' }, type: 'aerobic', metyBand: { min: 6, max: 9 } },
  { code: 'football', name: { en: 'Football (soccer)', zh: '足球' }, type: 'aerobic', metyBand: { min: 5, max: 8 } },
  { code: 'basketball', name: { en: 'Basketball', zh: '篮球' }, type: 'aerobic', metyBand: { min: 5, max: 8 } },
  { code: 'aerobic-dance', name: { en: 'Aerobic dance', zh: '健身操' }, type: 'aerobic', metyBand: { min: 4, max: 6 } },
  { code: 'brisk-walking', name: { en: 'Brisk walking', zh: '快走' }, type: 'aerobic', metyBand: { min: 3, max: 4.5 } },
  { code: 'cycling', name: { en: 'Cycling', zh: '骑自行车' }, type: 'aerobic', metyBand: { min: 4, max: 7 } },
  { code: 'swimming', name: { en: 'Swimming', zh: '游泳' }, type: 'aerobic', metyBand: { min: 5, max: 8 } },
  { code: 'radio-calisthenics', name: { en: 'Radio calisthenics', zh: '广播体操' }, type: 'aerobic', metyBand: { min: 3, max: 4.5 } },
  { code: 'badminton', name: { en: 'Badminton', zh: '羽毛球' }, type: 'mixed', metyBand: { min: 4, max: 6 } },
  { code: 'table-tennis', name: { en: 'Table tennis', zh: '乒乓球' }, type: 'mixed', metyBand: { min: 3.5, max: 5 } },
  { code: 'shuttlecock-kicking', name: { en: 'Shuttlecock kicking', zh: '踢毽子' }, type: 'mixed', metyBand: { min: 4, max: 6 } },
  { code: 'relay-games', name: { en: 'Relay and tag games', zh: '接力/追逐游戏' }, type: 'mixed', metyBand: { min: 4, max: 7 } },
  { code: 'sprints', name: { en: 'Sprints', zh: '短跑冲刺' }, type: 'anaerobic', metyBand: { min: 8, max: 12 } },
  { code: 'strength-circuit', name: { en: 'Strength circuit', zh: '力量循环练习' }, type: 'anaerobic', metyBand: { min: 3.5, max: 6 } },
  { code: 'tug-of-war', name: { en: 'Tug of war', zh: '拔河' }, type: 'anaerobic', metyBand: { min: 4, max: 7 } },
  { code: 'warm-up', name: { en: 'Warm-up / stretching', zh: '热身/拉伸' }, type: 'other', metyBand: { min: 2, max: 3.5 } },
];

const byCode = new Map(ACTIVITY_CATALOG.map((a) => [a.code, a]));

export function findActivity(code: string, catalog: readonly Activity[] = ACTIVITY_CATALOG): Activity | undefined {
  return catalog === ACTIVITY_CATALOG ? byCode.get(code) : catalog.find((a) => a.code === code);
}

export function isAerobic(code: string, catalog: readonly Activity[] = ACTIVITY_CATALOG): boolean {
  return findActivity(code, catalog)?.type === 'aerobic';
}

// Intensity of an activity block from whatever was recorded (DESIGN §3, Intensity):
//   Children's OMNI RPE 0–10 (Robertson et al. 2000; ventilatory threshold ≈ 6). There is no official
//     band: PRODUCT DEFAULT moderate 5–6, vigorous ≥ 7 (so < 5 light).
//   Heart rate as % of HRmax (ACSM): light 57–63 %, moderate 64–76 %, vigorous 77–95 %;
//     youth HRmax = 208 − 0.7 × age (Mahon et al. 2010: fits children better than 220 − age).
//     Bands are read as half-open intervals: [64, 77) is moderate; < 57 % is "very light" (light here).
//   METs (AHA 2020 youth): moderate 4–6, vigorous ≥ 6 (so < 4 light).
// When measures disagree we say so and count the LOWER level (conservative: a session is not
// credited with more intensity than every measure supports).
import { findActivity, type Activity, ACTIVITY_CATALOG } from './activities.ts';

export type IntensityLevel = 'light' | 'moderate' | 'vigorous';
export const INTENSITY_ORDER: Record<IntensityLevel, number> = { light: 0, moderate: 1, vigorous: 2 };

export function atLeast(level: IntensityLevel, min: IntensityLevel): boolean {
  return INTENSITY_ORDER[level] >= INTENSITY_ORDER[min];
}

/** Product-default OMNI RPE bands (labelled as defaults; no official cut-points exist). */
export const RPE_BANDS = { moderateFrom: 5, vigorousFrom: 7, isProductDefault: true } as const;
/** ACSM %HRmax bands. */
export const HR_BANDS = { lightFrom: 57, moderateFrom: 64, vigorousFrom: 77, vigorousTo: 95 } as const;
/** AHA 2020 youth MET bands. */
export const MET_BANDS = { moderateFrom: 4, vigorousFrom: 6 } as const;

/** Youth HRmax = 208 − 0.7 × age (Mahon 2010). */
export function youthHrMax(ageYears: number): number {
  return 208 - 0.7 * ageYears;
}

export function classifyRpe(rpe: number): IntensityLevel {
  if (rpe >= RPE_BANDS.vigorousFrom) return 'vigorous';
  if (rpe >= RPE_BANDS.moderateFrom) return 'moderate';
  return 'light';
}

export function classifyHeartRate(avgHeartRate: number, ageYears: number): { level: IntensityLevel; percentHrMax: number; note?: string } {
  const percentHrMax = (avgHeartRate / youthHrMax(ageYears)) * 100;
  let level: IntensityLevel = 'light';
  if (percentHrMax >= HR_BANDS.vigorousFrom) level = 'vigorous';
  else if (percentHrMax >= HR_BANDS.moderateFrom) level = 'moderate';
  const out: { level: IntensityLevel; percentHrMax: number; note?: string } = { level, percentHrMax };
  if (percentHrMax < HR_BANDS.lightFrom) out.note = 'below the light band (very light)';
  if (percentHrMax > HR_BANDS.vigorousTo) out.note = 'above 95 % of HRmax — check the reading';
  return out;
}

export function classifyMets(mets: number): IntensityLevel {
  if (mets >= MET_BANDS.vigorousFrom) return 'vigorous';
  if (mets >= MET_BANDS.moderateFrom) return 'moderate';
  return 'light';
}

export type IntensityMeasure = 'rpe' | 'heart-rate' | 'mets' | 'catalog';

export interface MeasureReading {
  measure: IntensityMeasure;
  value: number;
  level: IntensityLevel;
  detail?: string;
}

export interface BlockIntensity {
  /** The level counted for dose; null when nothing was recorded and the activity is unknown. */
  level: IntensityLevel | null;
  /** 'measured' from RPE/HR/METs; 'catalog' = estimated from the activity's typical METy band. */
  source: 'measured' | 'catalog' | 'none';
  agreement: 'single' | 'agree' | 'disagree' | 'none';
  readings: MeasureReading[];
  explanation: string;
  messageKey: string;
  params: Record<string, string | number>;
}

export interface BlockIntensityInput {
  activityCode?: string;
  rpe?: number | null;
  avgHeartRate?: number | null;
  mets?: number | null;
  /** Age in years (needed for heart rate). */
  ageYears?: number | null;
}

const LABEL: Record<IntensityMeasure, string> = { rpe: 'RPE', 'heart-rate': 'heart rate', mets: 'METs', catalog: 'activity type' };

export function blockIntensity(input: BlockIntensityInput, catalog: readonly Activity[] = ACTIVITY_CATALOG): BlockIntensity {
  const readings: MeasureReading[] = [];
  const notes: string[] = [];
  if (typeof input.rpe === 'number' && Number.isFinite(input.rpe)) {
    readings.push({ measure: 'rpe', value: input.rpe, level: classifyRpe(input.rpe) });
  }
  if (typeof input.avgHeartRate === 'number' && Number.isFinite(input.avgHeartRate)) {
    if (typeof input.ageYears === 'number' && Number.isFinite(input.ageYears)) {
      const hr = classifyHeartRate(input.avgHeartRate, input.ageYears);
      const r: MeasureReading = { measure: 'heart-rate', value: input.avgHeartRate, level: hr.level, detail: `${Math.round(hr.percentHrMax)} % of HRmax` };
      if (hr.note) r.detail = `${r.detail}, ${hr.note}`;
      readings.push(r);
    } else {
      notes.push('heart rate recorded but age unknown, so % HRmax cannot be computed');
    }
  }
  if (typeof input.mets === 'number' && Number.isFinite(input.mets)) {
    readings.push({ measure: 'mets', value: input.mets, level: classifyMets(input.mets) });
  }
  if (readings.length === 0) {
    const activity = input.activityCode ? findActivity(input.activityCode, catalog) : undefined;
    if (!activity) {
      return {
        level: null,
        source: 'none',
        agreement: 'none',
        readings,
        explanation: ['Intensity not recorded', ...notes].join('; '),
        messageKey: 'intensity.none',
        params: {},
      };
    }
    // Estimate from the low end of the typical band (conservative).
    const level = classifyMets(activity.metyBand.min);
    return {
      level,
      source: 'catalog',
      agreement: 'single',
      readings: [{ measure: 'catalog', value: activity.metyBand.min, level }],
      explanation: `Estimated ${level} from the activity type (${activity.name.en}, typically ${activity.metyBand.min}–${activity.metyBand.max} METs); not measured`,
      messageKey: 'intensity.estimated',
      params: { level, activity: activity.code, min: activity.metyBand.min, max: activity.metyBand.max },
    };
  }
  const levels = new Set(readings.map((r) => r.level));
  const lowest = readings.reduce<IntensityLevel>((lo, r) => (INTENSITY_ORDER[r.level] < INTENSITY_ORDER[lo] ? r.level : lo), 'vigorous');
  const describe = readings.map((r) => `${LABEL[r.measure]} ${r.value}${r.detail ? ` (${r.detail})` : ''} → ${r.level}`).join(', ');
  if (levels.size > 1) {
    return {
      level: lowest,
      source: 'measured',
      agreement: 'disagree',
      readings,
      explanation: `Measures disagree: ${describe}. Counted as ${lowest} (the lower) — please check`,
      messageKey: 'intensity.disagree',
      params: { level: lowest, readings: describe },
    };
  }
  return {
    level: lowest,
    source: 'measured',
    agreement: readings.length === 1 ? 'single' : 'agree',
    readings,
    explanation: [`${lowest[0]?.toUpperCase()}${lowest.slice(1)}: ${describe}`, ...notes].join('; '),
    messageKey: 'intensity.measured',
    params: { level: lowest, readings: describe },
  };
}

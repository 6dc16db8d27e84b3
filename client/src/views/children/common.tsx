// Pieces shared by the roster, import and group views: the school picker, value labels, and the
// translation of validation problems (shared zod schema on the client, the same rules on the server).
import { useEffect, useState } from 'preact/hooks';
import type { z } from 'zod';
import { ACTIVITY_CATALOG } from '../../../../shared/domain/activities.ts';
import { rosterLimits } from '../../../../shared/schemas/roster.ts';
import { api, isApiError } from '../../api/client.ts';
import type { School } from '../../api/types.ts';
import { i18next, tMaybe } from '../../i18n/index.ts';
import { useSession } from '../../session.ts';
import './roster.css';

export function useSchools() {
  const [schools, setSchools] = useState<School[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const controller = new AbortController();
    api.schools
      .list(controller.signal)
      .then((list) => setSchools(list.items))
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, []);
  return { schools, error };
}

/** The school a page works on: ?school=<id> when the user may see it, else their first school. */
export function pickSchool(schools: School[], wanted: string | null): School | null {
  return schools.find((s) => s.id === wanted) ?? schools[0] ?? null;
}

export function SchoolPicker(props: { schools: School[]; value: string; onChange: (id: string) => void; testid?: string }) {
  const t = i18next.t;
  if (props.schools.length < 2) return null;
  return (
    <label class="field school-picker-inline">
      <span>{t('roster.school')}</span>
      <select data-testid={props.testid ?? 'school-picker'} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.schools.map((s) => (
          <option key={s.id} value={s.id}>
            {s.code} {s.name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function useRoles() {
  const { user } = useSession();
  return {
    canWriteChildren: user.role === 'admin' || user.role === 'pe_teacher' || user.role === 'counsellor',
    canWriteGroups: user.role === 'admin' || user.role === 'pe_teacher',
  };
}

export function activityName(code: string, lng: string): string {
  const activity = ACTIVITY_CATALOG.find((a) => a.code === code);
  if (!activity) return code;
  return lng === 'zh-CN' ? activity.name.zh : activity.name.en;
}

export const pad2 = (n: number) => String(n).padStart(2, '0');

/** "4 年级 · 2 班" — without a second 班 when the school already wrote "2班". */
export function classLabel(grade: number, className: string): string {
  const t = i18next.t;
  if (!className) return t('roster.gradeN', { grade });
  return /班$/.test(className) ? t('roster.classOfRaw', { grade, className }) : t('roster.classOf', { grade, className });
}

/** Today's calendar date on this device (yyyy-MM-dd). */
export function localToday(): string {
  const d = new Date();
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

const FIELD_BOUNDS: Record<string, { min: number; max: number }> = {
  birthYear: { min: 1990, max: 2100 },
  birthMonth: { min: 1, max: 12 },
  grade: rosterLimits.grade,
  monthsSinceSeparation: { min: 0, max: rosterLimits.monthsSinceSeparationMax },
};

/** One translated sentence per field from a zod error of the shared roster schemas. */
export function zodFieldErrors(error: z.ZodError): Record<string, string> {
  const t = i18next.t;
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? '');
    if (!field || out[field]) continue;
    const rule = (issue as { params?: { rule?: string } }).params?.rule;
    if (issue.code === 'custom' && rule) {
      out[field] = ruleText(rule);
    } else if ((issue.code === 'too_big' || issue.code === 'too_small') && (issue as { origin?: string }).origin === 'string') {
      out[field] = issue.code === 'too_small' ? t('roster.invalid.required') : t('roster.invalid.tooLong', { max: Number((issue as { maximum?: unknown }).maximum) });
    } else if (issue.code === 'too_big' || issue.code === 'too_small') {
      const b = FIELD_BOUNDS[field];
      out[field] = b ? t('roster.invalid.range', b) : t('roster.invalid.generic');
    } else if (issue.code === 'invalid_format' || (issue.code === 'custom' && field === 'guardianConsentDate')) {
      out[field] = t('roster.invalid.date');
    } else if (issue.code === 'invalid_type' || issue.code === 'invalid_value') {
      out[field] = t('roster.invalid.required');
    } else {
      out[field] = t('roster.invalid.generic');
    }
  }
  return out;
}

export function ruleText(rule: string): string {
  return tMaybe(`roster.rule.${rule}`) !== null
    ? (i18next.t as (k: string, o?: object) => string)(`roster.rule.${rule}`, rosterLimits.ageOnEntry)
    : i18next.t('roster.invalid.generic');
}

/** Field messages from a 400 of the server: rule codes translated, otherwise the server's words. */
export function serverFieldErrors(error: unknown): Record<string, string> {
  if (!isApiError(error) || !Array.isArray(error.details)) return {};
  const out: Record<string, string> = {};
  for (const d of error.details as { path?: unknown; message?: unknown; code?: unknown }[]) {
    const field = typeof d.path === 'string' ? d.path.split('.')[0]! : '';
    if (!field || out[field]) continue;
    out[field] = typeof d.code === 'string' ? ruleText(d.code) : String(d.message ?? '');
  }
  return out;
}

/** A server error code of the roster or groups, translated when known. */
export function rosterErrorText(error: unknown, fallback: string): string | null {
  if (!isApiError(error)) return null;
  const t = i18next.t as (k: string, o?: object) => string;
  const key = `roster.groups.error.${error.code}`;
  if (tMaybe(key) !== null) {
    const first = Array.isArray(error.details) ? (error.details[0] as { message?: string } | undefined)?.message : undefined;
    return t(key, { message: first ?? error.message });
  }
  return error.message || fallback;
}

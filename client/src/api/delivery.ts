// Delivery dashboard API: the programme report (from computed summaries) and the per-child table.
import type { Check, CheckStatus } from '../../../shared/domain/check.ts';
import type { GroupWeek, Notice } from '../../../shared/schemas/register.ts';
import { request } from './client.ts';

export type { GroupWeek, Notice } from '../../../shared/schemas/register.ts';

export interface DeliveryReport {
  programme: { id: string; name: string; arm: string; startDate: string; plannedWeeks: number; endDate: string; evidenceProfileId: string; evidenceProfileKnown: boolean };
  profile: { id: string; name: { en: string; zh: string }; minSessionMinutes: number | null; minWeeks: number | null };
  asOf: string | null;
  planChecks: Check[];
  groups: {
    groupId: string;
    name: string;
    schoolId: string;
    activityCode: string | null;
    asOf: string;
    summary: { sessionsHeld: number; sessionsCancelled: number; sessionsUnrecorded: number; qualifyingSessions: number; aerobicMinutes: number };
    checks: Check[];
    weekly: GroupWeek[];
    children: { count: number; byWorst: Record<CheckStatus, number> };
  }[];
  attendance: { week: number; marks: number; attended: number; rate: number | null; held: number }[];
  children: { count: number; byWorst: Record<CheckStatus, number> };
  notices: Notice[];
}

export interface ChildRow {
  childId: string;
  code: string;
  displayName?: string;
  groupIds: string[];
  sessionsScheduled: number;
  sessionsAttended: number;
  /** Held sessions with a mark for the child (attended is out of these). */
  sessionsMarked: number;
  /** Past sessions not logged yet for the child: not absences. */
  sessionsNotLogged: number;
  attendanceRate: number | null;
  aerobicMinutes: number;
  qualifyingSessions: number;
  qualifyingWeeks: number;
  longestGapDays: number | null;
  lastAttendedOn: string | null;
  worstStatus: CheckStatus;
  checks: Pick<Check, 'id' | 'label' | 'status' | 'explanation' | 'messageKey' | 'params'>[];
}

function get<T>(path: string): Promise<T> {
  return request<T>('GET', path);
}

const enc = encodeURIComponent;
export const deliveryApi = {
  report: (programmeId: string) => get<DeliveryReport>(`/api/v1/delivery/programmes/${enc(programmeId)}`),
  children: (programmeId: string) => get<{ items: ChildRow[]; asOf: string | null }>(`/api/v1/delivery/programmes/${enc(programmeId)}/children`),
};

// API calls of the researchers' results page and the export links (reads only), on client.ts's
// `request`.
import type { ArmOut, PairedOut } from '../../../shared/domain/analysis.ts';
import { request } from './client.ts';

export type Arm = 'intervention' | 'control';
export type Wave = 'pre' | 'post' | 'followup';
export interface Localized {
  en: string;
  zh: string;
}

export interface ResultProgramme {
  id: string;
  name: string;
  arm: Arm;
  startDate: string;
  schoolCount: number;
  instruments: { code: string; name: Localized }[];
}

/** The shared analysis's shapes (the same JSON `activegroups analyze` prints). */
export type Paired = PairedOut;

/** As the shared analysis, with reliable-change counts null where small cells are suppressed. */
export type ArmResult = Omit<ArmOut, 'rci'> & {
  rci: (Omit<NonNullable<ArmOut['rci']>, 'improved' | 'unchanged' | 'worsened'> & { improved: number | null; unchanged: number | null; worsened: number | null }) | null;
};

export interface ArmPage {
  arm: Arm;
  suppressed: boolean;
  reason?: string;
  result: ArmResult | null;
  waves: { wave: Wave; n: number | null; mean: number | null; sd: number | null; suppressed: boolean }[];
  excluded: { noPre: number | null; noPost: number | null; preNotScored: number | null; postNotScored: number | null } | null;
  rciCounts: { improved: number | null; unchanged: number | null; worsened: number | null } | null;
  doseResponse: { rho: number | null; p: number | null; n: number | null; reason?: string; suppressed: boolean } | null;
  chart: { pairs: [number, number][]; changes: number[]; dose: [number, number][] } | null;
}

export interface Between {
  ancova: { estimate: number | null; se: number | null; t: number | null; df: number | null; p: number | null; ci95: [number, number] | null; reason?: string } | null;
  welch_change: { diff: number | null; t: number | null; df: number | null; p: number | null; ci95: [number, number] | null; reason?: string } | null;
  reasons?: Record<string, string>;
  suppressed: boolean;
  reason?: string;
}

export interface ProgrammeResults {
  programme: { id: string; name: string; arm: Arm };
  comparison: { id: string; name: string; arm: Arm } | null;
  instrumentInfo: { code: string; name: Localized; polarity: 'higher-is-worse' | 'higher-is-better' | null; versions: number[]; reliabilitySource: string | null };
  minCellSize: number;
  rows: number;
  arms: ArmPage[];
  between: Between | null;
}

export const EXPORT_FORMATS = ['long.csv', 'wide.csv', 'xlsx', 'codebook.csv', 'codebook.md', 'analysis.R', 'analysis.sps'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  return request<T>('GET', path, signal ? { signal } : {});
}

export const resultsApi = {
  programmes: (signal?: AbortSignal) => get<{ items: ResultProgramme[] }>('/api/v1/results/programmes', signal),
  programme: (id: string, query: { instrument: string; comparison?: string | undefined }, signal?: AbortSignal) => {
    const q = new URLSearchParams({ instrument: query.instrument });
    if (query.comparison) q.set('comparison', query.comparison);
    return get<ProgrammeResults>(`/api/v1/results/programmes/${encodeURIComponent(id)}?${q}`, signal);
  },
  /** A plain link: the browser streams the file to disk (no blob in memory). */
  exportUrl: (format: ExportFormat, filters: { programmeIds: string[]; instrument?: string | undefined; waves?: Wave[] | undefined; dates: 'omit' | 'exact' | 'shifted' }) => {
    const q = new URLSearchParams({ programmeIds: filters.programmeIds.join(',') });
    if (filters.instrument) q.set('instrument', filters.instrument);
    if (filters.waves && filters.waves.length > 0 && filters.waves.length < 3) q.set('waves', filters.waves.join(','));
    if (filters.dates !== 'omit') q.set('dates', filters.dates);
    return `/api/v1/exports/${format}?${q}`;
  },
};

// API calls of the researchers' results page and the export links. Reads only (GET), so no CSRF
// token is needed; errors become ApiError with the server's { code, message, details }.
import { ApiError } from './client.ts';

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

export interface Paired {
  n: number;
  n_excluded: number;
  mean_pre: number | null;
  mean_post: number | null;
  sd_pre: number | null;
  sd_post: number | null;
  mean_diff: number | null;
  sd_diff: number | null;
  ci95: [number, number] | null;
  t: number | null;
  df: number | null;
  p: number | null;
  cohen_dz: number | null;
  hedges_g_av: number | null;
  wilcoxon: { V: number | null; p: number | null; method: string | null; reason?: string };
  rank_biserial: number | null;
  reason?: string;
}

export interface ArmResult {
  paired: Paired;
  alpha: { pre: number | null; post: number | null; reason?: string } | null;
  rci: { improved: number | null; unchanged: number | null; worsened: number | null; r_xx: number; r_xx_source: 'published' | 'alpha-pre'; s_diff: number } | null;
  reasons?: Record<string, string>;
}

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

async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin', signal: signal ?? null });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network_error', e instanceof Error ? e.message : String(e));
  }
  const data = (await res.json().catch(() => undefined)) as { error?: { code: string; message: string; details?: unknown } } | undefined;
  if (res.ok) return data as T;
  if (data?.error) throw new ApiError(res.status, data.error.code, data.error.message, data.error.details);
  throw new ApiError(res.status, 'http_error', `${res.status} ${res.statusText}`.trim());
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

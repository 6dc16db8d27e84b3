// Pure shaping of a child's scores and weekly attendance into Chart.js data (umami pattern: the
// server returns points, a pure function fills the empty weeks).
import type { ProfileProgramme, ScoreSeries } from '../../api/assessments.ts';

export interface ChildChartData {
  weeks: number[];
  scores: (number | null)[];
  attendance: (number | null)[];
  waveAt: (string | null)[];
}

export function toChartData(programme: Pick<ProfileProgramme, 'plannedWeeks' | 'weekly'>, series: Pick<ScoreSeries, 'points'>): ChildChartData {
  const pointWeeks = series.points.map((p) => p.week);
  const first = Math.min(1, ...pointWeeks);
  const last = Math.max(programme.plannedWeeks, ...pointWeeks, ...programme.weekly.map((w) => w.week));
  const weeks = Array.from({ length: last - first + 1 }, (_, i) => first + i);
  const byWeek = new Map(programme.weekly.map((w) => [w.week, w]));
  return {
    weeks,
    scores: weeks.map((wk) => series.points.find((p) => p.week === wk)?.total ?? null),
    waveAt: weeks.map((wk) => series.points.find((p) => p.week === wk)?.wave ?? null),
    attendance: weeks.map((wk) => {
      const w = byWeek.get(wk);
      // Out of the logged sessions only: a week nobody has logged yet is a gap, not 0 % (issue 9).
      const logged = w ? (w.logged ?? w.scheduled) : 0;
      return w && logged > 0 ? Math.round((w.attended / logged) * 100) : null;
    }),
  };
}

// Pure shaping of report points into Chart.js data (no DOM): empty weeks are filled so a week
// without sessions shows as a gap, not as a line jumping over it.
import type { DeliveryReport } from '../api/delivery.ts';

export interface LineSeries {
  label: string;
  data: (number | null)[];
}
export interface ChartData {
  labels: string[];
  series: LineSeries[];
}

/** Weeks 1 … max(plannedWeeks, last week with data). */
function weekAxis(plannedWeeks: number, weeks: number[]): number[] {
  const last = Math.max(plannedWeeks, ...weeks, 0);
  return Array.from({ length: last }, (_, i) => i + 1);
}

/** Average aerobic minutes per held session, per group and week (null = no session held). */
export function toWeeklyMinutesData(report: Pick<DeliveryReport, 'groups' | 'programme'>, weekLabel: (n: number) => string): ChartData {
  const axis = weekAxis(report.programme.plannedWeeks, report.groups.flatMap((g) => g.weekly.map((w) => w.week)));
  return {
    labels: axis.map(weekLabel),
    series: report.groups.map((g) => {
      const byWeek = new Map(g.weekly.map((w) => [w.week, w]));
      return {
        label: g.name,
        data: axis.map((n) => {
          const w = byWeek.get(n);
          return w && w.held > 0 ? Math.round((w.aerobicMinutes / w.held) * 10) / 10 : null;
        }),
      };
    }),
  };
}

/** Attendance rate (%) per group and week, from register marks of held sessions. */
export function toAttendanceData(report: Pick<DeliveryReport, 'groups' | 'programme'>, weekLabel: (n: number) => string): ChartData {
  const axis = weekAxis(report.programme.plannedWeeks, report.groups.flatMap((g) => g.weekly.map((w) => w.week)));
  return {
    labels: axis.map(weekLabel),
    series: report.groups.map((g) => {
      const byWeek = new Map(g.weekly.map((w) => [w.week, w]));
      return {
        label: g.name,
        data: axis.map((n) => {
          const w = byWeek.get(n);
          return w && w.marks > 0 ? Math.round((1000 * w.attended) / w.marks) / 10 : null;
        }),
      };
    }),
  };
}

// Chart.js for the results page: pure `toChartData` functions shape the server's points, and
// `useChart` creates a chart once, `update()`s it with new data and destroys it with the view.
import { Chart, registerables, type ChartConfiguration, type ChartData } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';
import type { ArmPage } from '../../api/results.ts';

Chart.register(...registerables);

export const ARM_COLOURS = { intervention: '#1d6b4f', control: '#8a5300' } as const;

/** Paired pre/post: one short line per child (x = 0 pre, 1 post), per arm in its colour. */
export function pairsData(arms: readonly ArmPage[], labels: { pre: string; post: string }): ChartData<'line', { x: number; y: number }[]> {
  const datasets = arms.flatMap((a) =>
    (a.chart?.pairs ?? []).map(([pre, post]) => ({
      label: a.arm as string,
      data: [
        { x: 0, y: pre },
        { x: 1, y: post },
      ],
      borderColor: `${ARM_COLOURS[a.arm]}55`,
      backgroundColor: ARM_COLOURS[a.arm],
      pointRadius: 2,
      borderWidth: 1,
    })),
  );
  // The arms' means drawn thick on top.
  for (const a of arms) {
    const r = a.result?.paired;
    if (r && r.mean_pre !== null && r.mean_post !== null) {
      datasets.push({
        label: `${a.arm} mean`,
        data: [
          { x: 0, y: r.mean_pre },
          { x: 1, y: r.mean_post },
        ],
        borderColor: ARM_COLOURS[a.arm],
        backgroundColor: ARM_COLOURS[a.arm],
        pointRadius: 5,
        borderWidth: 4,
      });
    }
  }
  void labels;
  return { datasets };
}

/** Histogram of change scores per arm over shared integer-width bins (empty bins filled). */
export function changeHistogram(arms: readonly ArmPage[]): ChartData<'bar', number[], string> {
  const all = arms.flatMap((a) => a.chart?.changes ?? []);
  if (all.length === 0) return { labels: [], datasets: [] };
  const lo = Math.floor(Math.min(...all));
  const hi = Math.ceil(Math.max(...all));
  const span = Math.max(1, hi - lo);
  const width = Math.max(1, Math.ceil(span / 12));
  const bins: number[] = [];
  for (let x = lo; x <= hi; x += width) bins.push(x);
  return {
    labels: bins.map((b) => (width === 1 ? String(b) : `${b}…${b + width - 1}`)),
    datasets: arms
      .filter((a) => a.chart)
      .map((a) => {
        const counts = bins.map(() => 0);
        for (const c of a.chart!.changes) counts[Math.min(bins.length - 1, Math.floor((c - lo) / width))]! += 1;
        return { label: a.arm, data: counts, backgroundColor: `${ARM_COLOURS[a.arm]}bb` };
      }),
  };
}

export function doseData(arms: readonly ArmPage[]): ChartData<'scatter', { x: number; y: number }[]> {
  return {
    datasets: arms
      .filter((a) => (a.chart?.dose.length ?? 0) > 0)
      .map((a) => ({ label: a.arm, data: a.chart!.dose.map(([x, y]) => ({ x, y })), backgroundColor: ARM_COLOURS[a.arm] })),
  };
}

export function useChart<T extends 'line' | 'bar' | 'scatter'>(config: () => ChartConfiguration<T, any, any>, deps: unknown[]) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<T, any, any> | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const c = config();
    if (!chart.current) {
      chart.current = new Chart(canvas.current, c);
    } else {
      chart.current.data = c.data;
      if (c.options) chart.current.options = c.options;
      chart.current.update();
    }
  }, deps);
  useEffect(
    () => () => {
      chart.current?.destroy();
      chart.current = null;
    },
    [],
  );
  return canvas;
}

// A Chart.js line chart: created once on mount, update()d when the data changes, destroy()ed on
// unmount. Optional annotations: a horizontal threshold line and a vertical week marker
// (chartjs-plugin-annotation).
import { CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import annotationPlugin from 'chartjs-plugin-annotation';
import { useEffect, useRef } from 'preact/hooks';
import type { ChartData } from './data.ts';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip, annotationPlugin);

const COLOURS = ['#1f6feb', '#d1242f', '#2a8a4a', '#bf8700', '#8250df', '#0a7d87', '#e16f24', '#57606a'];

export interface LineChartProps {
  data: ChartData;
  yLabel: string;
  yMax?: number;
  /** Horizontal line at this y value (e.g. 20 minutes). */
  hLine?: { value: number; label: string };
  /** Vertical marker at this label index (e.g. week 10 → index 9). */
  vLine?: { index: number; label: string };
  testid?: string;
  ariaLabel: string;
}

function annotations(props: LineChartProps) {
  const out: Record<string, unknown> = {};
  if (props.hLine) {
    out.threshold = { type: 'line', yMin: props.hLine.value, yMax: props.hLine.value, borderColor: '#444', borderDash: [6, 4], borderWidth: 2, label: { display: true, content: props.hLine.label, position: 'start' } };
  }
  if (props.vLine) {
    out.weekMarker = { type: 'line', xMin: props.vLine.index, xMax: props.vLine.index, borderColor: '#8250df', borderWidth: 2, label: { display: true, content: props.vLine.label, position: 'start' } };
  }
  return out;
}

function datasets(data: ChartData) {
  return data.series.map((s, i) => ({ label: s.label, data: s.data, borderColor: COLOURS[i % COLOURS.length], backgroundColor: COLOURS[i % COLOURS.length], spanGaps: false, tension: 0.2 }));
}

export function LineChart(props: LineChartProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'line', (number | null)[], string> | null>(null);

  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, {
      type: 'line',
      data: { labels: props.data.labels, datasets: datasets(props.data) },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, ...(props.yMax ? { max: props.yMax } : {}), title: { display: true, text: props.yLabel } } },
        plugins: { legend: { position: 'bottom' }, annotation: { annotations: annotations(props) } as never },
      },
    });
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
    // Created once; later changes go through update() below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data.labels = props.data.labels;
    c.data.datasets = datasets(props.data);
    const plugins = c.options.plugins as { annotation?: { annotations: unknown } };
    if (plugins.annotation) plugins.annotation.annotations = annotations(props);
    c.update();
  }, [props.data, props.hLine?.value, props.hLine?.label, props.vLine?.index, props.vLine?.label]);

  return (
    <div class="chart-box" data-testid={props.testid}>
      <canvas ref={canvas} role="img" aria-label={props.ariaLabel} />
    </div>
  );
}

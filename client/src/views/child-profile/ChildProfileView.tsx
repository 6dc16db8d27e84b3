// The child page: scores across waves with the instrument's cut-off line and attendance over the
// same weeks (Chart.js; created once, updated with new data, destroyed when the view goes).
import { Chart, registerables } from 'chart.js';
import annotationPlugin from 'chartjs-plugin-annotation';
import { useEffect, useRef, useState } from 'preact/hooks';
import { assessmentsApi, type ChildProfile, type ProfileProgramme, type ScoreSeries } from '../../api/assessments.ts';
import { Link, Loading, PageTitle } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';
import { FlowError, fmtScore, localName } from '../assessments/common.tsx';
import { toChartData } from './chart-data.ts';

Chart.register(...registerables, annotationPlugin);

function ScoreChart(props: { programme: ProfileProgramme; series: ScoreSeries }) {
  const { t, lng } = useT();
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  const data = toChartData(props.programme, props.series);
  const cutoff = props.series.cutoffs[0];

  useEffect(() => {
    if (!canvas.current) return;
    const labels = data.weeks.map((w, i) => `${t('assessments.profile.week', { week: w })}${data.waveAt[i] ? ` · ${t(`assessments.wave.${data.waveAt[i] as 'pre'}`)}` : ''}`);
    const datasets = [
      {
        type: 'line' as const,
        label: `${props.series.instrumentCode} ${t('assessments.profile.score')}`,
        data: data.scores,
        yAxisID: 'y',
        spanGaps: true,
        borderColor: '#1d4ed8',
        backgroundColor: '#1d4ed8',
        pointRadius: 6,
      },
      {
        type: 'bar' as const,
        label: t('assessments.profile.attendance'),
        data: data.attendance,
        yAxisID: 'y1',
        backgroundColor: 'rgba(16, 185, 129, 0.35)',
      },
    ];
    const annotations = cutoff
      ? { cutoff: { type: 'line' as const, yMin: cutoff.value, yMax: cutoff.value, yScaleID: 'y', borderColor: '#b42318', borderDash: [6, 4], borderWidth: 2, label: { display: true, content: t('assessments.profile.cutoff', { value: cutoff.value }), position: 'start' as const } } }
      : {};
    if (chart.current) {
      chart.current.data.labels = labels;
      chart.current.data.datasets = datasets as never;
      chart.current.update();
      return;
    }
    chart.current = new Chart(canvas.current, {
      data: { labels, datasets: datasets as never },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          y: { position: 'left', min: props.series.range?.min ?? 0, max: props.series.range?.max, title: { display: true, text: t('assessments.profile.score') } },
          y1: { position: 'right', min: 0, max: 100, grid: { drawOnChartArea: false }, title: { display: true, text: t('assessments.profile.attendance') } },
        },
        plugins: { annotation: { annotations } },
      },
    });
  }, [lng, props.series, props.programme]);

  useEffect(
    () => () => {
      chart.current?.destroy();
      chart.current = null;
    },
    [],
  );

  return (
    <div class="chart-box">
      <canvas ref={canvas} role="img" aria-label={t('assessments.profile.chartLabel', { instrument: localName(props.series.name, lng) })} data-testid={`chart-${props.series.instrumentCode}`} />
    </div>
  );
}

export function ChildProfileView(props: { childId: string }) {
  const { t, lng } = useT();
  const [profile, setProfile] = useState<ChildProfile | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    assessmentsApi.worklist.child(props.childId).then(setProfile).catch(setError);
  }, [props.childId]);

  if (error) return <FlowError error={error} />;
  if (!profile) return <Loading />;
  const { child } = profile;
  return (
    <section data-testid="child-profile">
      <PageTitle>{t('assessments.profile.title', { name: child.displayName, code: child.code })}</PageTitle>
      <p class="muted">
        {child.guardianConsentDate ? (
          t('assessments.profile.consent', { date: child.guardianConsentDate })
        ) : (
          <Link href={`/children/${child.id}`}>{t('assessments.profile.noConsent')}</Link>
        )}
      </p>
      {profile.programmes.length === 0 ? <p class="empty">{t('assessments.profile.none')}</p> : null}
      {profile.programmes.map((p) => (
        <section key={p.programmeId} class="section" data-testid="profile-programme">
          <h2>{t('assessments.profile.programme', { name: p.name, start: p.startDate, weeks: p.plannedWeeks })}</h2>
          {p.series.map((s) => (
            <div key={s.instrumentCode} data-testid={`series-${s.instrumentCode}`}>
              <h3>
                {localName(s.name, lng)} <span class="muted">({t(`assessments.polarity.${s.polarity}`)})</span>
              </h3>
              {s.points.length > 0 || p.weekly.length > 0 ? <ScoreChart programme={p} series={s} /> : null}
              <table class="table">
                <caption class="visually-hidden">{t('assessments.profile.table')}</caption>
                <tbody>
                  {s.points.map((pt) => {
                    const change = s.changes.find((c) => c.to === pt.wave);
                    return (
                      <tr key={pt.assessmentId} data-testid="profile-point" data-wave={pt.wave}>
                        <th scope="row">
                          <Link href={`/assessments/${pt.assessmentId}`}>{t(`assessments.wave.${pt.wave}`)}</Link>
                        </th>
                        <td>{pt.date}</td>
                        <td>
                          <strong>{fmtScore(pt.total)}</strong>
                          {pt.prorated ? ` (${t('assessments.entry.prorated')})` : ''}
                          {pt.flags.some((f) => f.code === 'cutoff') ? <span class="kind kind-above_cutoff"> {t('assessments.worklist.kind.above_cutoff')}</span> : null}
                        </td>
                        <td>
                          {change
                            ? change.classification
                              ? `${t('assessments.profile.rci', { rci: change.rci?.toFixed(2) })} · ${t(`assessments.profile.classification.${change.classification}`)}`
                              : <span title={change.reason ?? ''}>{t('assessments.profile.notComputable')}</span>
                            : ''}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          ))}
        </section>
      ))}
    </section>
  );
}

// Researchers' results page: one programme and questionnaire, optionally against a control
// programme. Numbers come from the server (the shared analysis, small cells suppressed); this view
// only formats them and draws three charts. Exports are plain links (streamed downloads).
import { useEffect, useMemo, useState } from 'preact/hooks';
import { resultsApi, EXPORT_FORMATS, type ArmPage, type ProgrammeResults, type ResultProgramme, type Wave } from '../../api/results.ts';
import { ErrorAlert, Loading, PageTitle } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { changeHistogram, doseData, pairsData, useChart } from './charts.ts';
import './results.css';

const dash = '—';

export function fmt(x: number | null | undefined, digits = 2): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : dash;
}
export function fmtP(p: number | null | undefined): string {
  if (typeof p !== 'number' || !Number.isFinite(p)) return dash;
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}
const ci = (c: [number, number] | null | undefined) => (c ? `[${fmt(c[0])}, ${fmt(c[1])}]` : '');

export function ResultsView(props: { query: URLSearchParams }) {
  const { t, lng } = useT();
  const [programmes, setProgrammes] = useState<ResultProgramme[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const programmeId = props.query.get('programme') ?? '';
  const instrument = props.query.get('instrument') ?? '';
  const comparison = props.query.get('comparison') ?? '';

  useEffect(() => {
    const ac = new AbortController();
    resultsApi
      .programmes(ac.signal)
      .then((r) => setProgrammes(r.items))
      .catch((e: unknown) => !ac.signal.aborted && setError(e));
    return () => ac.abort();
  }, []);

  const selected = programmes?.find((p) => p.id === programmeId) ?? null;
  const instrumentCode = selected?.instruments.some((i) => i.code === instrument) ? instrument : (selected?.instruments[0]?.code ?? '');
  const comparisons = programmes?.filter((p) => selected && p.arm !== selected.arm && p.instruments.some((i) => i.code === instrumentCode)) ?? [];

  // Default selection: the first programme (intervention first) and its first questionnaire.
  useEffect(() => {
    if (!programmes || programmes.length === 0 || selected) return;
    const first = programmes.find((p) => p.arm === 'intervention') ?? programmes[0]!;
    const control = programmes.find((p) => p.arm !== first.arm && p.instruments.some((i) => i.code === first.instruments[0]?.code));
    setQuery({ programme: first.id, instrument: first.instruments[0]?.code ?? '', comparison: control?.id ?? '' });
  }, [programmes, selected]);

  const setQuery = (q: { programme: string; instrument: string; comparison: string }) => {
    const s = new URLSearchParams();
    if (q.programme) s.set('programme', q.programme);
    if (q.instrument) s.set('instrument', q.instrument);
    if (q.comparison) s.set('comparison', q.comparison);
    navigate(`/results?${s}`, { replace: true });
  };

  const [results, setResults] = useState<ProgrammeResults | null>(null);
  const [resultsError, setResultsError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  useEffect(() => {
    if (!selected || !instrumentCode) return;
    const ac = new AbortController();
    setLoading(true);
    setResultsError(null);
    resultsApi
      .programme(selected.id, { instrument: instrumentCode, comparison: comparisons.some((c) => c.id === comparison) ? comparison : undefined }, ac.signal)
      .then((r) => {
        setResults(r);
        setLoading(false);
      })
      .catch((e: unknown) => {
        if (ac.signal.aborted) return;
        setResultsError(e);
        setLoading(false);
      });
    return () => ac.abort();
  }, [selected?.id, instrumentCode, comparison]);

  const min = results?.minCellSize ?? 5;
  const name = (n: { en: string; zh: string }) => (lng === 'zh-CN' ? n.zh : n.en);

  return (
    <section data-testid="results-page" class="results">
      <PageTitle>{t('results.title')}</PageTitle>
      <p class="lead">{t('results.intro', { min })}</p>
      <ErrorAlert error={error} />
      {programmes === null && !error ? <Loading /> : null}
      {programmes && programmes.length === 0 ? <p class="empty">{t('results.pick.none')}</p> : null}
      {programmes && programmes.length > 0 ? (
        <div class="results-pickers card">
          <label>
            <span>{t('results.pick.programme')}</span>
            <select data-testid="results-programme" value={programmeId} onChange={(e) => setQuery({ programme: e.currentTarget.value, instrument: '', comparison: '' })}>
              {programmes.map((p) => (
                <option value={p.id} key={p.id}>
                  {p.name} · {t(`results.arm.${p.arm}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('results.pick.instrument')}</span>
            <select data-testid="results-instrument" value={instrumentCode} onChange={(e) => setQuery({ programme: programmeId, instrument: e.currentTarget.value, comparison })}>
              {(selected?.instruments ?? []).map((i) => (
                <option value={i.code} key={i.code}>
                  {name(i.name)}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('results.pick.comparison')}</span>
            <select data-testid="results-comparison" value={comparisons.some((c) => c.id === comparison) ? comparison : ''} onChange={(e) => setQuery({ programme: programmeId, instrument: instrumentCode, comparison: e.currentTarget.value })}>
              <option value="">{t('results.pick.noComparison')}</option>
              {comparisons.map((p) => (
                <option value={p.id} key={p.id}>
                  {p.name} · {t(`results.arm.${p.arm}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
      ) : null}
      <ErrorAlert error={resultsError} />
      {loading && !results ? <Loading /> : null}
      {results ? <ResultsBody results={results} min={min} busy={loading} /> : null}
      {selected ? <ExportPanel programmeIds={[selected.id, ...(comparisons.some((c) => c.id === comparison) ? [comparison] : [])]} instruments={selected.instruments} /> : null}
    </section>
  );
}

function ResultsBody(props: { results: ProgrammeResults; min: number; busy: boolean }) {
  const { t, lng } = useT();
  const r = props.results;
  const min = props.min;
  const hidden = t('results.suppressed', { min });
  const count = (x: number | null | undefined) => (x === null ? t('results.suppressedShort', { min }) : x === undefined ? dash : String(x));
  const arms = r.arms;
  const cell = (a: ArmPage, f: (a: ArmPage) => string) => (a.suppressed ? <td class="suppressed">{hidden}</td> : <td>{f(a)}</td>);
  const p = (a: ArmPage) => a.result!.paired;
  const rows: [string, (a: ArmPage) => string][] = [
    [t('results.paired.n'), (a) => String(p(a).n)],
    [
      t('results.paired.excluded'),
      (a) => {
        const e = a.excluded!;
        return `${t('results.paired.noPre')} ${count(e.noPre)} · ${t('results.paired.noPost')} ${count(e.noPost)} · ${t('results.paired.notScored')} ${count(e.preNotScored)}/${count(e.postNotScored)}`;
      },
    ],
    [t('results.paired.meanPre'), (a) => `${fmt(p(a).mean_pre)} (${fmt(p(a).sd_pre)})`],
    [t('results.paired.meanPost'), (a) => `${fmt(p(a).mean_post)} (${fmt(p(a).sd_post)})`],
    [t('results.paired.change'), (a) => `${fmt(p(a).mean_diff)} ${ci(p(a).ci95)}`],
    [t('results.paired.t'), (a) => (p(a).t === null ? t('results.notComputable') : `${fmt(p(a).t)} (${p(a).df}), p ${fmtP(p(a).p)}`)],
    [t('results.paired.wilcoxon'), (a) => `${fmt(p(a).wilcoxon.V, 1)}, p ${fmtP(p(a).wilcoxon.p)}`],
    [t('results.paired.dz'), (a) => fmt(p(a).cohen_dz)],
    [t('results.paired.gav'), (a) => fmt(p(a).hedges_g_av)],
    [t('results.paired.alpha'), (a) => (a.result!.alpha ? `${fmt(a.result!.alpha.pre)} / ${fmt(a.result!.alpha.post)}` : dash)],
    [t('results.paired.rci'), (a) => (a.rciCounts ? `${count(a.rciCounts.improved)} / ${count(a.rciCounts.unchanged)} / ${count(a.rciCounts.worsened)}` : dash)],
    [
      t('results.paired.dose'),
      (a) => (!a.doseResponse ? dash : a.doseResponse.suppressed ? hidden : `ρ ${fmt(a.doseResponse.rho)}, p ${fmtP(a.doseResponse.p)}, n ${a.doseResponse.n}`),
    ],
  ];

  const pairs = useChart(
    () => ({
      type: 'line',
      data: pairsData(arms, { pre: t('results.wave.pre'), post: t('results.wave.post') }),
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: {
          x: {
            type: 'linear',
            min: -0.15,
            max: 1.15,
            // Only two ticks, at pre (0) and post (1).
            afterBuildTicks: (axis) => {
              axis.ticks = [{ value: 0 }, { value: 1 }];
            },
            ticks: { callback: (v) => (v === 0 ? t('results.wave.pre') : v === 1 ? t('results.wave.post') : '') },
            grid: { display: false },
          },
          y: { title: { display: true, text: t('results.charts.score') } },
        },
      },
    }),
    [r, lng],
  );
  const changes = useChart(
    () => ({
      type: 'bar',
      data: (() => {
        const d = changeHistogram(arms);
        d.datasets.forEach((ds) => (ds.label = t(`results.arm.${ds.label as 'intervention' | 'control'}`)));
        return d;
      })(),
      options: { animation: false, maintainAspectRatio: false, scales: { x: { title: { display: true, text: t('results.charts.change') } }, y: { ticks: { precision: 0 } } } },
    }),
    [r, lng],
  );
  const dose = useChart(
    () => ({
      type: 'scatter',
      data: (() => {
        const d = doseData(arms);
        d.datasets.forEach((ds) => (ds.label = t(`results.arm.${ds.label as 'intervention' | 'control'}`)));
        return d;
      })(),
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { title: { display: true, text: t('results.charts.minutes') } }, y: { title: { display: true, text: t('results.charts.change') } } },
      },
    }),
    [r, lng],
  );
  const hasCharts = arms.some((a) => a.chart);
  const hasDose = arms.some((a) => (a.chart?.dose.length ?? 0) > 0);

  return (
    <div class={`results-body${props.busy ? ' busy' : ''}`} data-testid="results-body" aria-busy={props.busy ? 'true' : 'false'}>
      <h2>
        {lng === 'zh-CN' ? r.instrumentInfo.name.zh : r.instrumentInfo.name.en}
        {r.instrumentInfo.polarity ? <small class="muted"> · {t(`results.polarity.${r.instrumentInfo.polarity}`)}</small> : null}
      </h2>
      <div class="table-scroll">
        <table class="table results-table" data-testid="results-paired">
          <caption>{t('results.paired.title')}</caption>
          <thead>
            <tr>
              <th scope="col" />
              {arms.map((a) => (
                <th scope="col" key={a.arm} data-arm={a.arm}>
                  {t(`results.arm.${a.arm}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map(([label, f]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {arms.map((a) => cell(a, f))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="table-scroll">
        <table class="table results-table" data-testid="results-waves">
          <caption>{t('results.waves.title')}</caption>
          <thead>
            <tr>
              <th scope="col" />
              {arms.map((a) => (
                <th scope="col" key={a.arm}>
                  {t(`results.arm.${a.arm}`)}: {t('results.waves.n')} · {t('results.waves.mean')} ({t('results.waves.sd')})
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {(['pre', 'post', 'followup'] as Wave[]).map((w) => (
              <tr key={w}>
                <th scope="row">{t(`results.wave.${w}`)}</th>
                {arms.map((a) => {
                  const x = a.waves.find((v) => v.wave === w)!;
                  return x.suppressed ? (
                    <td class="suppressed">{hidden}</td>
                  ) : (
                    <td>{x.n === 0 ? dash : `${x.n} · ${fmt(x.mean)} (${fmt(x.sd)})`}</td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section class="card results-between" data-testid="results-between">
        <h3>{t('results.between.title')}</h3>
        {!r.between ? (
          <p class="muted">{t('results.between.needComparison')}</p>
        ) : r.between.suppressed ? (
          <p class="suppressed">{hidden}</p>
        ) : (
          <dl>
            <dt>{t('results.between.ancova')}</dt>
            <dd data-testid="results-ancova">
              {r.between.ancova ? `${fmt(r.between.ancova.estimate)} ${ci(r.between.ancova.ci95)}, t ${fmt(r.between.ancova.t)} (${r.between.ancova.df}), p ${fmtP(r.between.ancova.p)}` : (r.between.reasons?.ancova ?? dash)}
            </dd>
            <dt>{t('results.between.welch')}</dt>
            <dd>
              {r.between.welch_change
                ? `${fmt(r.between.welch_change.diff)} ${ci(r.between.welch_change.ci95)}, t ${fmt(r.between.welch_change.t)} (${fmt(r.between.welch_change.df, 1)}), p ${fmtP(r.between.welch_change.p)}`
                : (r.between.reasons?.welch_change ?? dash)}
            </dd>
          </dl>
        )}
      </section>
      <div class="results-charts" hidden={!hasCharts}>
        <figure class="card">
          <figcaption>{t('results.charts.pairs')}</figcaption>
          <div class="chart-box">
            <canvas ref={pairs} data-testid="chart-pairs" role="img" aria-label={t('results.charts.pairs')} />
          </div>
          <p class="legend">
            {arms.map((a) => (
              <span key={a.arm} class={`legend-${a.arm}`}>
                {t(`results.arm.${a.arm}`)}
                {a.chart ? ` (${a.chart.pairs.length} ${t('results.charts.children')})` : ''}
              </span>
            ))}
          </p>
        </figure>
        <figure class="card">
          <figcaption>{t('results.charts.changes')}</figcaption>
          <div class="chart-box">
            <canvas ref={changes} data-testid="chart-changes" role="img" aria-label={t('results.charts.changes')} />
          </div>
        </figure>
        <figure class="card" hidden={!hasDose}>
          <figcaption>{t('results.charts.dose')}</figcaption>
          <div class="chart-box">
            <canvas ref={dose} data-testid="chart-dose" role="img" aria-label={t('results.charts.dose')} />
          </div>
        </figure>
      </div>
    </div>
  );
}

function ExportPanel(props: { programmeIds: string[]; instruments: { code: string; name: { en: string; zh: string } }[] }) {
  const { t, lng } = useT();
  const [instrument, setInstrument] = useState('');
  const [waves, setWaves] = useState<Wave[]>(['pre', 'post', 'followup']);
  const [dates, setDates] = useState<'omit' | 'exact' | 'shifted'>('omit');
  const links = useMemo(
    () => EXPORT_FORMATS.map((f) => ({ f, href: resultsApi.exportUrl(f, { programmeIds: props.programmeIds, instrument: instrument || undefined, waves, dates }) })),
    [props.programmeIds.join(','), instrument, waves.join(','), dates],
  );
  return (
    <section class="card results-exports" data-testid="results-exports">
      <h2>{t('results.exports.title')}</h2>
      <p class="muted">{t('results.exports.intro')}</p>
      <div class="results-pickers">
        <label>
          <span>{t('results.exports.instrument')}</span>
          <select value={instrument} onChange={(e) => setInstrument(e.currentTarget.value)} data-testid="export-instrument">
            <option value="">{t('results.exports.allInstruments')}</option>
            {props.instruments.map((i) => (
              <option value={i.code} key={i.code}>
                {lng === 'zh-CN' ? i.name.zh : i.name.en}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>{t('results.exports.waves')}</legend>
          {(['pre', 'post', 'followup'] as Wave[]).map((w) => (
            <label key={w} class="check">
              <input
                type="checkbox"
                checked={waves.includes(w)}
                onChange={(e) => setWaves((cur) => (e.currentTarget.checked ? (['pre', 'post', 'followup'] as Wave[]).filter((x) => x === w || cur.includes(x)) : cur.length > 1 ? cur.filter((x) => x !== w) : cur))}
              />
              {t(`results.wave.${w}`)}
            </label>
          ))}
        </fieldset>
        <label>
          <span>{t('results.exports.dates')}</span>
          <select value={dates} onChange={(e) => setDates(e.currentTarget.value as typeof dates)} data-testid="export-dates">
            <option value="omit">{t('results.exports.datesOmit')}</option>
            <option value="shifted">{t('results.exports.datesShifted')}</option>
            <option value="exact">{t('results.exports.datesExact')}</option>
          </select>
        </label>
      </div>
      <ul class="export-links">
        {links.map(({ f, href }) => (
          <li key={f}>
            <a class="button button-secondary" href={href} download data-testid={`export-${f}`}>
              ⬇ {t(`results.exports.format.${f}`)}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

// A programme's instruments and wave windows (pre / post / follow-up), with suggested windows
// relative to the programme dates. Saves only `instruments` and `waves` under the version check.
import { useEffect, useState } from 'preact/hooks';
import { waves as allWaves, type Wave } from '../../../../shared/schemas/child.ts';
import type { WaveWindow } from '../../../../shared/schemas/assessments-api.ts';
import { assessmentsApi, type Instrument, type ProgrammeWaves } from '../../api/assessments.ts';
import { Link, Loading, PageTitle } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';
import { FlowError, localName } from './common.tsx';

export function WavesView(props: { programmeId: string }) {
  const { t, lng } = useT();
  const [programme, setProgramme] = useState<ProgrammeWaves | null>(null);
  const [library, setLibrary] = useState<Instrument[] | null>(null);
  const [chosen, setChosen] = useState<Record<string, number>>({});
  const [windows, setWindows] = useState<Partial<Record<Wave, WaveWindow>>>({});
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [saving, setSaving] = useState(false);

  const apply = (p: ProgrammeWaves) => {
    setProgramme(p);
    setChosen(Object.fromEntries(p.instruments.map((i) => [i.code, i.version])));
    setWindows(Object.fromEntries(p.waves.map((w) => [w.wave, w])));
  };

  useEffect(() => {
    Promise.all([assessmentsApi.waves.get(props.programmeId), assessmentsApi.instruments.list()])
      .then(([p, lib]) => {
        apply(p);
        setLibrary(lib.items);
      })
      .catch(setError);
  }, [props.programmeId]);

  if (!programme || !library) return error ? <FlowError error={error} /> : <Loading />;

  const save = async () => {
    setSaving(true);
    setError(null);
    setSaved(false);
    try {
      const p = await assessmentsApi.waves.save(programme.programmeId, {
        version: programme.version,
        instruments: Object.entries(chosen).map(([code, version]) => ({ code, version })),
        waves: allWaves.flatMap((w) => (windows[w] ? [windows[w] as WaveWindow] : [])),
      });
      apply(p);
      setSaved(true);
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <section data-testid="waves-page">
      <PageTitle>{t('assessments.waves.title', { name: programme.name })}</PageTitle>
      <p class="lead">{t('assessments.waves.intro', { start: programme.startDate, weeks: programme.plannedWeeks })}</p>
      <FlowError error={error} />
      {saved ? (
        <div class="alert alert-success" role="status" data-testid="notice">
          {t('assessments.waves.saved')}
        </div>
      ) : null}
      <fieldset class="card">
        <legend>{t('assessments.waves.instruments')}</legend>
        {library.map((i) => (
          <label key={i.code} class="checkbox-line">
            <input
              type="checkbox"
              data-testid={`waves-instrument-${i.code}`}
              checked={chosen[i.code] !== undefined}
              onChange={(e) => {
                const on = (e.target as HTMLInputElement).checked;
                setChosen((c) => {
                  const next = { ...c };
                  if (on) next[i.code] = i.version;
                  else delete next[i.code];
                  return next;
                });
              }}
            />{' '}
            {i.code} — {localName(i.definition.name, lng)} ·{' '}
            {t('assessments.waves.instrumentVersion', { version: chosen[i.code] ?? i.version })}
            {chosen[i.code] !== undefined && chosen[i.code] !== i.version ? (
              <>
                {' '}
                <button type="button" class="button button-small button-secondary" onClick={() => setChosen((c) => ({ ...c, [i.code]: i.version }))}>
                  {t('assessments.waves.latest', { version: i.version })}
                </button>
              </>
            ) : null}
          </label>
        ))}
      </fieldset>
      <fieldset class="card">
        <legend>{t('assessments.waves.windows')}</legend>
        <p class="muted">{t('assessments.waves.suggestHint')}</p>
        <button type="button" class="button button-secondary" data-testid="waves-suggest" onClick={() => setWindows(Object.fromEntries(programme.suggestedWaves.map((w) => [w.wave, w])))}>
          {t('assessments.waves.suggest')}
        </button>
        <div class="wave-windows">
          {allWaves.map((w) => {
            const win = windows[w];
            const suggested = programme.suggestedWaves.find((s) => s.wave === w) as WaveWindow;
            return (
              <div key={w} data-testid={`wave-${w}`}>
                <label class="checkbox-line">
                  <input
                    type="checkbox"
                    checked={!!win}
                    onChange={(e) => setWindows((x) => ({ ...x, [w]: (e.target as HTMLInputElement).checked ? suggested : undefined }))}
                  />{' '}
                  <strong>{t(`assessments.wave.${w}`)}</strong> · {t('assessments.waves.use')}
                </label>
                {win ? (
                  <div class="filters-row">
                    <label>
                      {t('assessments.waves.opensOn')}
                      <input type="date" value={win.opensOn} onInput={(e) => setWindows((x) => ({ ...x, [w]: { ...win, opensOn: (e.target as HTMLInputElement).value } }))} />
                    </label>
                    <label>
                      {t('assessments.waves.closesOn')}
                      <input type="date" value={win.closesOn} onInput={(e) => setWindows((x) => ({ ...x, [w]: { ...win, closesOn: (e.target as HTMLInputElement).value } }))} />
                    </label>
                  </div>
                ) : null}
              </div>
            );
          })}
        </div>
      </fieldset>
      <div class="actions">
        <button type="button" class="button button-primary" data-testid="waves-save" disabled={saving} onClick={() => void save()}>
          {t('assessments.waves.save')}
        </button>
        <Link href={`/assessments?programmeId=${programme.programmeId}`} class="button button-secondary">
          {t('assessments.waves.back')}
        </Link>
      </div>
    </section>
  );
}

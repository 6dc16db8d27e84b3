// Questionnaires: choose a programme, wave and instrument; see which children still need the
// questionnaire (and which lack a guardian consent), and open the entry grid.
import { useEffect, useState } from 'preact/hooks';
import { waves, type Wave } from '../../../../shared/schemas/child.ts';
import { assessmentsApi, type EntrySheet, type ProgrammeWaves } from '../../api/assessments.ts';
import { Link, Loading, PageTitle } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { useSession } from '../../session.ts';
import { FlowError, fmtScore } from './common.tsx';

export function HubView(props: { query: URLSearchParams }) {
  const { t } = useT();
  const { user } = useSession();
  const [programmes, setProgrammes] = useState<ProgrammeWaves[] | null>(null);
  const [sheet, setSheet] = useState<EntrySheet | null>(null);
  const [error, setError] = useState<unknown>(null);
  const programmeId = props.query.get('programmeId') ?? programmes?.[0]?.programmeId ?? '';
  const programme = programmes?.find((p) => p.programmeId === programmeId) ?? null;
  const wave = (props.query.get('wave') as Wave | null) ?? 'pre';
  const instrument = props.query.get('instrument') ?? programme?.instruments[0]?.code ?? '';
  const canWrite = user.role === 'counsellor' || user.role === 'admin';

  useEffect(() => {
    assessmentsApi.waves
      .list()
      .then((r) => setProgrammes(r.items))
      .catch(setError);
  }, []);

  useEffect(() => {
    setSheet(null);
    if (!programme || !instrument || !programme.instruments.some((i) => i.code === instrument)) return;
    assessmentsApi.assessments
      .entrySheet(programme.programmeId, wave, instrument)
      .then(setSheet)
      .catch(setError);
  }, [programme?.programmeId, wave, instrument]);

  const go = (changes: Record<string, string>) => {
    const q = new URLSearchParams({ programmeId, wave, instrument, ...changes });
    navigate(`/assessments?${q.toString()}`, { replace: true });
  };

  const done = sheet?.children.filter((c) => c.assessment).length ?? 0;
  return (
    <section data-testid="questionnaires-page">
      <PageTitle>{t('assessments.hub.title')}</PageTitle>
      <p class="lead">{t('assessments.hub.intro')}</p>
      <FlowError error={error} />
      {programmes === null && !error ? <Loading /> : null}
      {programmes && programmes.length === 0 ? <p class="empty">{t('assessments.hub.noProgrammes')}</p> : null}
      {programmes && programmes.length > 0 ? (
        <div class="filters-row">
          <label>
            {t('assessments.hub.programme')}
            <select value={programmeId} data-testid="hub-programme" onChange={(e) => go({ programmeId: (e.target as HTMLSelectElement).value, instrument: '' })}>
              {programmes.map((p) => (
                <option key={p.programmeId} value={p.programmeId}>
                  {p.name} ({p.startDate})
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('assessments.hub.wave')}
            <select value={wave} data-testid="hub-wave" onChange={(e) => go({ wave: (e.target as HTMLSelectElement).value })}>
              {waves.map((w) => (
                <option key={w} value={w}>
                  {t(`assessments.wave.${w}`)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('assessments.hub.instrument')}
            <select value={instrument} data-testid="hub-instrument" onChange={(e) => go({ instrument: (e.target as HTMLSelectElement).value })}>
              {(programme?.instruments ?? []).map((i) => (
                <option key={i.code} value={i.code}>
                  {i.code} · v{i.version}
                </option>
              ))}
            </select>
          </label>
          {programme && canWrite ? (
            <Link href={`/programme-waves/${programme.programmeId}`} class="button button-secondary" testid="hub-set-waves">
              {t('assessments.hub.setWaves')}
            </Link>
          ) : null}
        </div>
      ) : null}
      {programme && programme.instruments.length === 0 ? <p class="empty">{t('assessments.hub.noInstruments')}</p> : null}
      {sheet ? (
        <>
          <p class="muted" data-testid="hub-window">
            {sheet.window ? t('assessments.hub.window', { from: sheet.window.opensOn, to: sheet.window.closesOn }) : t('assessments.hub.noWindow')} ·{' '}
            {t('assessments.hub.count', { done, total: sheet.children.length })}
          </p>
          <table class="table responsive-table" data-testid="hub-children">
            <thead>
              <tr>
                <th scope="col">{t('assessments.hub.child')}</th>
                <th scope="col">{t('assessments.hub.consent')}</th>
                <th scope="col">{t('assessments.hub.status')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('assessments.hub.enter')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sheet.children.map((c) => (
                <tr key={c.id} data-testid="hub-child" data-child-id={c.id}>
                  <th scope="row" data-label={t('assessments.hub.child')}>
                    <Link href={`/child-profile/${c.id}`}>{c.displayName}</Link> <span class="code muted">{c.code}</span>
                  </th>
                  <td data-label={t('assessments.hub.consent')}>
                    {c.guardianConsentDate ?? (
                      <Link href={`/children/${c.id}`} class="badge badge-off">
                        {t('assessments.hub.consentMissing')}
                      </Link>
                    )}
                  </td>
                  <td data-label={t('assessments.hub.status')}>
                    {c.assessment ? t('assessments.hub.entered', { date: c.assessment.date, total: fmtScore(c.assessment.total) }) : t('assessments.hub.notEntered')}
                  </td>
                  <td>
                    {c.assessment ? (
                      <Link href={`/assessments/${c.assessment.id}`} class="button button-small button-secondary">
                        {t('assessments.hub.open')}
                      </Link>
                    ) : canWrite ? (
                      <Link
                        href={`/assessments/enter?programmeId=${sheet.programme.programmeId}&wave=${wave}&instrument=${encodeURIComponent(instrument)}&childId=${c.id}`}
                        class="button button-small button-primary"
                        testid="hub-enter"
                      >
                        {t('assessments.hub.enter')}
                      </Link>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}

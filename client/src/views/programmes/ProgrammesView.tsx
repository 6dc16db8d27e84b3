// The list of programmes the user may see, with each plan check's score and a link to the schedule.
import { useEffect, useState } from 'preact/hooks';
import { programmesApi, type Programme } from '../../api/programmes.ts';
import { Alert, ErrorAlert, Link, Loading, PageTitle } from '../../components/ui.tsx';
import { takeFlash } from '../../flash.ts';
import { useT } from '../../i18n/index.ts';
import { useSession } from '../../session.ts';
import { countPassed, formatDay } from './common.tsx';
import './programmes.css';

export function ProgrammesView() {
  const { t, lng } = useT();
  const session = useSession();
  const canWrite = session.user.role === 'admin' || session.user.role === 'pe_teacher';
  const canSeeSchedule = session.user.role !== 'researcher';
  const [items, setItems] = useState<Programme[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [flash] = useState(takeFlash);

  useEffect(() => {
    let live = true;
    programmesApi
      .list()
      .then((list) => live && setItems(list.items))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, []);

  return (
    <section data-testid="programmes-page">
      <div class="page-head">
        <PageTitle>{t('programmes.title')}</PageTitle>
        {canWrite ? (
          <Link href="/programmes/new" class="button button-primary" testid="programme-new">
            + {t('programmes.new')}
          </Link>
        ) : null}
      </div>
      <p class="lead">{t('programmes.intro')}</p>
      {flash ? <Alert kind="success">{flash}</Alert> : null}
      <ErrorAlert error={error} />
      {items === null && !error ? <Loading /> : null}
      {items && items.length === 0 ? (
        <p class="empty" data-testid="programmes-empty">
          {t('programmes.empty')}
        </p>
      ) : null}
      {items && items.length > 0 ? (
        <table class="table responsive-table" data-testid="programmes-table">
          <thead>
            <tr>
              <th scope="col">{t('programmes.col.name')}</th>
              <th scope="col">{t('programmes.col.arm')}</th>
              <th scope="col">{t('programmes.col.dates')}</th>
              <th scope="col">{t('programmes.col.groups')}</th>
              <th scope="col">{t('programmes.col.checks')}</th>
              {canSeeSchedule ? <th scope="col">{t('programmes.col.schedule')}</th> : null}
            </tr>
          </thead>
          <tbody>
            {items.map((p) => {
              const { pass, total } = countPassed(p.planCheck.checks);
              const allPass = pass === total;
              return (
                <tr key={p.id} data-testid="programme-row" data-programme-id={p.id}>
                  <th scope="row" class="cell-title" data-label={t('programmes.col.name')}>
                    <Link href={`/programmes/${encodeURIComponent(p.id)}`} testid="programme-open">
                      {p.name}
                    </Link>
                  </th>
                  <td data-label={t('programmes.col.arm')}>
                    <span class={`badge arm-${p.arm}`}>{t(`programmes.arm.${p.arm}`)}</span>
                  </td>
                  <td data-label={t('programmes.col.dates')}>
                    {formatDay(p.startDate, lng)} – {formatDay(p.endDate, lng)} · {t('programmes.weeksCount', { count: p.plannedWeeks })}
                  </td>
                  <td data-label={t('programmes.col.groups')}>{t('programmes.groupsCount', { count: p.groupIds.length })}</td>
                  <td data-label={t('programmes.col.checks')}>
                    {p.planCheck.checks.length > 0 && p.planCheck.checks.every((c) => c.status === 'not-applicable') ? (
                      <span class="badge check-badge-not-applicable" data-testid="programme-checks">
                        – {t('programmes.checksNotApplicable')}
                      </span>
                    ) : (
                      <span class={`badge ${allPass ? 'badge-ok' : 'check-badge-fail'}`} data-testid="programme-checks">
                        {allPass ? '✓ ' : '✗ '}
                        {t('programmes.checksMet', { pass, total })}
                      </span>
                    )}
                  </td>
                  {canSeeSchedule ? (
                    <td data-label={t('programmes.col.schedule')}>
                      <Link href={`/programmes/${encodeURIComponent(p.id)}/schedule`} testid="programme-schedule">
                        {t('programmes.form.openSchedule')}
                      </Link>
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

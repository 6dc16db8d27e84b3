import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client.ts';
import type { School } from '../../api/types.ts';
import { Alert, ErrorAlert, Link, Loading, PageTitle } from '../../components/ui.tsx';
import { takeFlash } from '../../flash.ts';
import { useT } from '../../i18n/index.ts';

export function SchoolsView() {
  const { t } = useT();
  const [schools, setSchools] = useState<School[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [flash] = useState(takeFlash);

  useEffect(() => {
    const controller = new AbortController();
    api.schools
      .list(controller.signal)
      .then((list) => setSchools(list.items))
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, []);

  return (
    <section data-testid="schools-page">
      <div class="page-head">
        <PageTitle>{t('schools.title')}</PageTitle>
        <Link href="/schools/new" class="button button-primary" testid="school-new">
          + {t('schools.new')}
        </Link>
      </div>
      {flash ? <Alert kind="success">{flash}</Alert> : null}
      <ErrorAlert error={error} />
      {schools === null && !error ? <Loading /> : null}
      {schools && schools.length === 0 ? (
        <p class="empty" data-testid="schools-empty">
          {t('schools.empty')}
        </p>
      ) : null}
      {schools && schools.length > 0 ? (
        <>
          <p class="muted" data-testid="schools-count">
            {t('schools.count', { count: schools.length })}
          </p>
          <table class="table responsive-table" data-testid="schools-table">
            <thead>
              <tr>
                <th scope="col">{t('schools.code')}</th>
                <th scope="col">{t('schools.name')}</th>
                <th scope="col">{t('schools.region')}</th>
                <th scope="col">{t('schools.county')}</th>
                <th scope="col">{t('schools.setting')}</th>
                <th scope="col">{t('schools.timeZone')}</th>
              </tr>
            </thead>
            <tbody>
              {schools.map((school) => (
                <tr key={school.id} data-testid="school-row" data-school-id={school.id} data-code={school.code}>
                  <td data-label={t('schools.code')} class="code">
                    {school.code}
                  </td>
                  <th scope="row" data-label={t('schools.name')} class="cell-title">
                    <Link href={`/schools/${encodeURIComponent(school.id)}`} testid="school-edit">
                      {school.name}
                    </Link>
                  </th>
                  <td data-label={t('schools.region')}>{school.region}</td>
                  <td data-label={t('schools.county')}>{school.county}</td>
                  <td data-label={t('schools.setting')}>{t(`setting.${school.setting}`)}</td>
                  <td data-label={t('schools.timeZone')}>{school.timeZone}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}

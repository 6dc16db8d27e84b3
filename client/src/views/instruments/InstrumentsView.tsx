// Instrument library: built-ins and admin-added definitions, latest version of each.
import { useEffect, useState } from 'preact/hooks';
import { assessmentsApi, type Instrument } from '../../api/assessments.ts';
import { Link, Loading, PageTitle } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';
import { useSession } from '../../session.ts';
import { FlowError, localName } from '../assessments/common.tsx';

export function InstrumentsView() {
  const { t, lng } = useT();
  const { user } = useSession();
  const [items, setItems] = useState<Instrument[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    assessmentsApi.instruments
      .list()
      .then((r) => setItems(r.items))
      .catch(setError);
  }, []);
  return (
    <section data-testid="instruments-page">
      <div class="page-head">
        <PageTitle>{t('assessments.instruments.title')}</PageTitle>
        {user.role === 'admin' ? (
          <Link href="/instruments/new" class="button button-primary" testid="instrument-new">
            + {t('assessments.instruments.new')}
          </Link>
        ) : null}
      </div>
      <p class="lead">{t('assessments.instruments.intro')}</p>
      <FlowError error={error} />
      {items === null && !error ? <Loading /> : null}
      {items && items.length === 0 ? <p class="empty">{t('assessments.instruments.empty')}</p> : null}
      {items && items.length > 0 ? (
        <table class="table responsive-table" data-testid="instruments-table">
          <thead>
            <tr>
              <th scope="col">{t('assessments.instruments.code')}</th>
              <th scope="col">{t('assessments.instruments.name')}</th>
              <th scope="col">{t('assessments.instruments.items')}</th>
              <th scope="col">{t('assessments.instruments.range')}</th>
              <th scope="col">{t('assessments.instruments.domain')}</th>
              <th scope="col">{t('assessments.instruments.version')}</th>
              <th scope="col">{t('assessments.instruments.answers')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.id} data-testid="instrument-row" data-code={i.code}>
                <td class="code" data-label={t('assessments.instruments.code')}>
                  <Link href={`/instruments/${encodeURIComponent(i.code)}`}>{i.code}</Link>
                  {i.builtIn ? <span class="badge badge-ok"> {t('assessments.instruments.builtIn')}</span> : null}
                </td>
                <th scope="row" data-label={t('assessments.instruments.name')} class="cell-title">
                  {localName(i.definition.name, lng)}
                </th>
                <td data-label={t('assessments.instruments.items')}>{i.definition.items.length}</td>
                <td data-label={t('assessments.instruments.range')}>
                  {i.definition.response.min}–{i.definition.response.max} · {t(`assessments.scoringKind.${i.definition.scoring}`)} ·{' '}
                  {t(`assessments.polarity.${i.definition.polarity}`)}
                </td>
                <td data-label={t('assessments.instruments.domain')}>{t(`assessments.domain.${i.definition.domain}`)}</td>
                <td data-label={t('assessments.instruments.version')}>v{i.version}</td>
                <td data-label={t('assessments.instruments.answers')}>{i.answerCount ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

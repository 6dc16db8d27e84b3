// The roster of one school: filters kept in the URL (so back and reload keep them), a paged list
// that turns into cards on a phone, and the ways in: add a child, import a CSV.
import { useEffect, useState } from 'preact/hooks';
import { leftBehindStatuses } from '../../../../shared/schemas/child.ts';
import { childrenApi, type Child, type ChildQuery } from '../../api/roster.ts';
import type { Page } from '../../api/types.ts';
import { Alert, ErrorAlert, Link, Loading, PageTitle } from '../../components/ui.tsx';
import { takeFlash } from '../../flash.ts';
import { useT } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { classLabel, pad2, pickSchool, SchoolPicker, useRoles, useSchools } from './common.tsx';

const PAGE_SIZE = 50;

interface Filters {
  grade: string;
  className: string;
  leftBehindStatus: string;
  active: 'true' | 'false' | 'all';
  q: string;
}

function filtersFrom(query: URLSearchParams): Filters {
  const active = query.get('active');
  return {
    grade: query.get('grade') ?? '',
    className: query.get('class') ?? '',
    leftBehindStatus: query.get('lb') ?? '',
    active: active === 'false' || active === 'all' ? active : 'true',
    q: query.get('q') ?? '',
  };
}

function toUrl(schoolId: string, f: Filters, page: number): string {
  const p = new URLSearchParams();
  p.set('school', schoolId);
  if (f.grade) p.set('grade', f.grade);
  if (f.className) p.set('class', f.className);
  if (f.leftBehindStatus) p.set('lb', f.leftBehindStatus);
  if (f.active !== 'true') p.set('active', f.active);
  if (f.q) p.set('q', f.q);
  if (page > 1) p.set('page', String(page));
  return `/children?${p.toString()}`;
}

export function RosterView(props: { query: URLSearchParams }) {
  const { t } = useT();
  const { canWriteChildren } = useRoles();
  const { schools, error: schoolsError } = useSchools();
  const school = schools ? pickSchool(schools, props.query.get('school')) : null;
  const applied = filtersFrom(props.query);
  const page = Math.max(1, Number(props.query.get('page') ?? '1') || 1);
  const [draft, setDraft] = useState<Filters>(applied);
  const [result, setResult] = useState<Page<Child> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [flash] = useState(takeFlash);
  const key = props.query.toString();

  useEffect(() => setDraft(filtersFrom(props.query)), [key]);

  useEffect(() => {
    if (!school) return;
    let live = true;
    setLoading(true);
    setError(null);
    const q: ChildQuery = { schoolId: school.id, active: applied.active, page, pageSize: PAGE_SIZE };
    if (applied.grade) q.grade = applied.grade;
    if (applied.className) q.className = applied.className;
    if (applied.leftBehindStatus) q.leftBehindStatus = applied.leftBehindStatus;
    if (applied.q) q.q = applied.q;
    childrenApi
      .list(q)
      .then((r) => live && setResult(r))
      .catch((e: unknown) => live && setError(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [school?.id, key]);

  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const pages = result ? Math.max(1, Math.ceil(result.total / result.pageSize)) : 1;

  if (schoolsError) return <ErrorAlert error={schoolsError} />;
  if (!schools) return <Loading />;
  if (!school) {
    return (
      <section data-testid="roster-page">
        <PageTitle>{t('roster.list.title')}</PageTitle>
        <p class="empty">{t('roster.list.noSchool')}</p>
      </section>
    );
  }

  return (
    <section data-testid="roster-page">
      <div class="page-head">
        <PageTitle>{t('roster.list.title')}</PageTitle>
        {canWriteChildren ? (
          <div class="actions head-actions">
            <Link href={`/children/new?school=${school.id}`} class="button button-primary" testid="child-new">
              + {t('roster.list.add')}
            </Link>
            <Link href={`/children/import?school=${school.id}`} class="button button-secondary" testid="roster-import-link">
              {t('roster.list.import')}
            </Link>
          </div>
        ) : null}
      </div>
      <p class="lead">{t('roster.list.intro')}</p>
      <SchoolPicker schools={schools} value={school.id} onChange={(id) => navigate(toUrl(id, applied, 1))} />
      {flash ? <Alert kind="success">{flash}</Alert> : null}

      <form
        class="filters card"
        data-testid="roster-filters"
        aria-label={t('roster.list.filter')}
        onSubmit={(e) => {
          e.preventDefault();
          navigate(toUrl(school.id, draft, 1));
        }}
      >
        <div class="roster-filter-grid">
          <label class="field roster-search">
            <span>{t('roster.list.search')}</span>
            <input type="search" data-testid="roster-search" value={draft.q} maxLength={80} onInput={(e) => set('q', e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>{t('roster.field.grade')}</span>
            <select data-testid="roster-grade" value={draft.grade} onChange={(e) => set('grade', e.currentTarget.value)}>
              <option value="">{t('roster.list.allGrades')}</option>
              {Array.from({ length: 12 }, (_, i) => (
                <option key={i} value={String(i + 1)}>
                  {t('roster.gradeN', { grade: i + 1 })}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>{t('roster.field.className')}</span>
            <input data-testid="roster-class" value={draft.className} maxLength={40} onInput={(e) => set('className', e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>{t('roster.field.leftBehindStatus')}</span>
            <select data-testid="roster-left-behind" value={draft.leftBehindStatus} onChange={(e) => set('leftBehindStatus', e.currentTarget.value)}>
              <option value="">{t('roster.list.anyStatus')}</option>
              {leftBehindStatuses.map((s) => (
                <option key={s} value={s}>
                  {t(`roster.value.leftBehind.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>{t('roster.field.status')}</span>
            <select data-testid="roster-active" value={draft.active} onChange={(e) => set('active', e.currentTarget.value as Filters['active'])}>
              <option value="true">{t('roster.list.showActive')}</option>
              <option value="false">{t('roster.list.showInactive')}</option>
              <option value="all">{t('roster.list.showAll')}</option>
            </select>
          </label>
        </div>
        <div class="actions">
          <button type="submit" class="button button-primary" data-testid="roster-apply">
            {t('roster.list.filter')}
          </button>
        </div>
      </form>

      <ErrorAlert error={error} />
      {loading && !result ? <Loading /> : null}
      {result ? (
        <div aria-busy={loading ? 'true' : 'false'} class={loading ? 'is-loading' : undefined}>
          <p class="muted" data-testid="roster-count" aria-live="polite">
            {t('roster.list.count', { count: result.total })}
          </p>
          {result.items.length === 0 ? (
            <p class="empty" data-testid="roster-empty">
              {t('roster.list.empty')}
            </p>
          ) : (
            <table class="table responsive-table roster-table" data-testid="roster-table">
              <thead>
                <tr>
                  <th scope="col">{t('roster.field.displayName')}</th>
                  <th scope="col">{t('roster.field.code')}</th>
                  <th scope="col">{t('roster.field.className')}</th>
                  <th scope="col">{t('roster.field.sex')}</th>
                  <th scope="col">{t('roster.field.birth')}</th>
                  <th scope="col">{t('roster.field.leftBehindStatus')}</th>
                  <th scope="col">{t('roster.field.caregiver')}</th>
                </tr>
              </thead>
              <tbody>
                {result.items.map((c) => (
                  <tr key={c.id} data-testid="roster-row" data-child-id={c.id} class={c.active ? undefined : 'row-inactive'}>
                    <th scope="row" class="cell-title" data-label={t('roster.field.displayName')}>
                      <Link href={`/children/${encodeURIComponent(c.id)}`} testid="roster-open">
                        {c.displayName}
                      </Link>
                      {c.active ? null : <span class="badge badge-off"> {t('roster.inactive')}</span>}
                    </th>
                    <td data-label={t('roster.field.code')} class="code">
                      {c.code}
                    </td>
                    <td data-label={t('roster.field.className')}>{classLabel(c.grade, c.className)}</td>
                    <td data-label={t('roster.field.sex')}>{t(`roster.value.sex.${c.sex}`)}</td>
                    <td data-label={t('roster.field.birth')} class="nowrap">
                      {c.birthYear}-{pad2(c.birthMonth)}
                    </td>
                    <td data-label={t('roster.field.leftBehindStatus')}>
                      <span class={`badge lb-${c.leftBehindStatus}`}>{t(`roster.value.leftBehindShort.${c.leftBehindStatus}`)}</span>
                      {c.monthsSinceSeparation !== null ? <span class="muted"> · {t('roster.months', { count: c.monthsSinceSeparation })}</span> : null}
                    </td>
                    <td data-label={t('roster.field.caregiver')}>{t(`roster.value.caregiver.${c.caregiver}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {result.total > result.pageSize ? (
            <nav class="pager" aria-label={t('roster.list.pageOf', { page, pages })} data-testid="roster-pager">
              <button type="button" class="button button-secondary" disabled={page <= 1 || loading} onClick={() => navigate(toUrl(school.id, applied, page - 1))}>
                ← {t('roster.list.previous')}
              </button>
              <span>{t('roster.list.pageOf', { page, pages })}</span>
              <button type="button" class="button button-secondary" disabled={page >= pages || loading} onClick={() => navigate(toUrl(school.id, applied, page + 1))}>
                {t('roster.list.next')} →
              </button>
            </nav>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

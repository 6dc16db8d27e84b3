import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client.ts';
import { AUDIT_ACTIONS, AUDIT_ENTITIES, type AuditEntry, type AuditQuery, type Page, type User } from '../../api/types.ts';
import { ErrorAlert, formatDateTime, Loading, PageTitle } from '../../components/ui.tsx';
import { tMaybe, useT } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';

const PAGE_SIZE = 50;

interface Filters {
  entity: string;
  action: string;
  actorId: string;
  from: string; // YYYY-MM-DD, local calendar day
  to: string;
}

function filtersFrom(query: URLSearchParams): Filters {
  return {
    entity: query.get('entity') ?? '',
    action: query.get('action') ?? '',
    actorId: query.get('actorId') ?? '',
    from: query.get('from') ?? '',
    to: query.get('to') ?? '',
  };
}

function pageFrom(query: URLSearchParams): number {
  const page = Number.parseInt(query.get('page') ?? '1', 10);
  return Number.isFinite(page) && page > 0 ? page : 1;
}

/** A calendar day in the viewer's time zone → the instant it starts (or ends). */
function dayBoundary(day: string, end: boolean): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const date = new Date(`${day}T${end ? '23:59:59.999' : '00:00:00.000'}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function toUrl(filters: Filters, page: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  if (page > 1) params.set('page', String(page));
  const qs = params.toString();
  return qs ? `/audit?${qs}` : '/audit';
}

export function AuditView(props: { query: URLSearchParams }) {
  const { t, lng } = useT();
  const queryKey = props.query.toString();
  const applied = filtersFrom(props.query);
  const page = pageFrom(props.query);
  const [draft, setDraft] = useState<Filters>(applied);
  const [result, setResult] = useState<Page<AuditEntry> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [actors, setActors] = useState<User[]>([]);

  useEffect(() => {
    const controller = new AbortController();
    api.users
      .list(controller.signal)
      .then((list) => setActors(list.items))
      .catch(() => undefined); // the actor filter then only offers "All"
    return () => controller.abort();
  }, []);

  useEffect(() => {
    setDraft(filtersFrom(new URLSearchParams(queryKey)));
    const controller = new AbortController();
    const f = filtersFrom(new URLSearchParams(queryKey));
    const query: AuditQuery = { page: pageFrom(new URLSearchParams(queryKey)), pageSize: PAGE_SIZE };
    if (f.entity) query.entity = f.entity;
    if (f.action) query.action = f.action;
    if (f.actorId) query.actorId = f.actorId;
    const from = dayBoundary(f.from, false);
    const to = dayBoundary(f.to, true);
    if (from) query.from = from;
    if (to) query.to = to;
    setLoading(true);
    setError(null);
    api.audit
      .list(query, controller.signal)
      .then((r) => {
        setResult(r);
        setLoading(false);
      })
      .catch((e: unknown) => {
        if (controller.signal.aborted) return;
        setError(e);
        setLoading(false);
      });
    return () => controller.abort();
  }, [queryKey]);

  const pages = result ? Math.max(1, Math.ceil(result.total / (result.pageSize || PAGE_SIZE))) : 1;
  const set = (key: keyof Filters, value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const entityLabel = (entity: string) => tMaybe(`audit.entityName.${entity}`) ?? entity;
  const hasFilters = Object.values(applied).some(Boolean);

  return (
    <section data-testid="audit-page">
      <PageTitle>{t('audit.title')}</PageTitle>
      <form
        class="filters card"
        data-testid="audit-filters"
        aria-label={t('audit.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          navigate(toUrl(draft, 1));
        }}
      >
        <div class="filter-grid">
          <label class="field">
            <span>{t('audit.entity')}</span>
            <select data-testid="audit-entity" value={draft.entity} onChange={(e) => set('entity', e.currentTarget.value)}>
              <option value="">{t('common.any')}</option>
              {AUDIT_ENTITIES.map((entity) => (
                <option key={entity} value={entity}>
                  {entityLabel(entity)}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>{t('audit.action')}</span>
            <select data-testid="audit-action" value={draft.action} onChange={(e) => set('action', e.currentTarget.value)}>
              <option value="">{t('common.any')}</option>
              {AUDIT_ACTIONS.map((action) => (
                <option key={action} value={action}>
                  {t(`audit.actionName.${action}`)}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>{t('audit.actor')}</span>
            <select data-testid="audit-actor" value={draft.actorId} onChange={(e) => set('actorId', e.currentTarget.value)}>
              <option value="">{t('common.any')}</option>
              {actors.map((actor) => (
                <option key={actor.id} value={actor.id}>
                  {actor.displayName} ({actor.username})
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>{t('audit.from')}</span>
            <input type="date" data-testid="audit-from" value={draft.from} max={draft.to || undefined} onInput={(e) => set('from', e.currentTarget.value)} />
          </label>
          <label class="field">
            <span>{t('audit.to')}</span>
            <input type="date" data-testid="audit-to" value={draft.to} min={draft.from || undefined} onInput={(e) => set('to', e.currentTarget.value)} />
          </label>
        </div>
        <div class="actions">
          <button type="submit" class="button button-primary" data-testid="audit-apply">
            {t('audit.apply')}
          </button>
          {hasFilters ? (
            <button type="button" class="button button-secondary" data-testid="audit-reset" onClick={() => navigate('/audit')}>
              {t('audit.reset')}
            </button>
          ) : null}
        </div>
      </form>

      <ErrorAlert error={error} />
      {loading && !result ? <Loading /> : null}
      {result ? (
        <div aria-busy={loading ? 'true' : 'false'} class={loading ? 'is-loading' : undefined}>
          <p class="muted" data-testid="audit-total" aria-live="polite">
            {t('audit.total', { count: result.total })}
          </p>
          {result.items.length === 0 ? (
            <p class="empty" data-testid="audit-empty">
              {t('audit.empty')}
            </p>
          ) : (
            <table class="table responsive-table audit-table" data-testid="audit-table">
              <thead>
                <tr>
                  <th scope="col">{t('audit.at')}</th>
                  <th scope="col">{t('audit.action')}</th>
                  <th scope="col">{t('audit.record')}</th>
                  <th scope="col">{t('audit.actor')}</th>
                  <th scope="col">{t('audit.details')}</th>
                </tr>
              </thead>
              <tbody>
                {result.items.map((entry) => (
                  <tr key={entry.id} data-testid="audit-row" data-action={entry.action} data-entity={entry.entity}>
                    <td data-label={t('audit.at')} class="nowrap">
                      <time dateTime={entry.at}>{formatDateTime(entry.at, lng)}</time>
                    </td>
                    <td data-label={t('audit.action')}>
                      <span class={`badge badge-action-${entry.action}`}>
                        {tMaybe(`audit.actionName.${entry.action}`) ?? entry.action}
                      </span>
                    </td>
                    <td data-label={t('audit.record')}>
                      {entityLabel(entry.entity)} <span class="code muted">{entry.entityId}</span>
                    </td>
                    <td data-label={t('audit.actor')}>
                      {entry.actor ? entry.actor.username : <span class="muted">{t('audit.system')}</span>}
                    </td>
                    <td data-label={t('audit.details')}>
                      {entry.before === undefined && entry.after === undefined ? (
                        <span class="muted">{t('common.none')}</span>
                      ) : (
                        <details class="audit-details" data-testid="audit-details">
                          <summary>{t('audit.showDetails')}</summary>
                          <div class="diff">
                            <div>
                              <h3>{t('audit.before')}</h3>
                              <pre data-testid="audit-before">{json(entry.before, t('audit.noData'))}</pre>
                            </div>
                            <div>
                              <h3>{t('audit.after')}</h3>
                              <pre data-testid="audit-after">{json(entry.after, t('audit.noData'))}</pre>
                            </div>
                          </div>
                        </details>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {result.total > 0 ? (
            <nav class="pager" aria-label={t('audit.pageOf', { page, pages })} data-testid="audit-pager">
              <button
                type="button"
                class="button button-secondary"
                data-testid="audit-prev"
                disabled={page <= 1 || loading}
                onClick={() => navigate(toUrl(applied, page - 1))}
              >
                ← {t('audit.previous')}
              </button>
              <span data-testid="audit-page-number">{t('audit.pageOf', { page, pages })}</span>
              <button
                type="button"
                class="button button-secondary"
                data-testid="audit-next"
                disabled={page >= pages || loading}
                onClick={() => navigate(toUrl(applied, page + 1))}
              >
                {t('audit.next')} →
              </button>
            </nav>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

function json(value: unknown, none: string): string {
  if (value === undefined || value === null) return none;
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

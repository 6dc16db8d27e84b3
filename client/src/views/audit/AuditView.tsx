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
  /** Set by "change history" links from a school or user page; no input of its own. */
  entityId: string;
  /** yyyy-MM-dd; the API reads the days as UTC days, `to` inclusive. */
  from: string;
  to: string;
}

function filtersFrom(query: URLSearchParams): Filters {
  return {
    entity: query.get('entity') ?? '',
    action: query.get('action') ?? '',
    actorId: query.get('actorId') ?? '',
    entityId: query.get('entityId') ?? '',
    from: query.get('from') ?? '',
    to: query.get('to') ?? '',
  };
}

function pageFrom(query: URLSearchParams): number {
  const page = Number.parseInt(query.get('page') ?? '1', 10);
  return Number.isFinite(page) && page > 0 ? page : 1;
}

const isDay = (day: string) => /^\d{4}-\d{2}-\d{2}$/.test(day);

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
    if (f.entityId) query.entityId = f.entityId;
    if (isDay(f.from)) query.from = f.from;
    if (isDay(f.to)) query.to = f.to;
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
        {draft.entityId ? (
          <p class="filter-chip" data-testid="audit-entity-id">
            {t('audit.entityId')}: <span class="code">{draft.entityId}</span>{' '}
            <button type="button" class="button button-secondary button-small" onClick={() => set('entityId', '')}>
              ✕<span class="visually-hidden">{t('audit.reset')}</span>
            </button>
          </p>
        ) : null}
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
            <div class="table-wrap">
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
                      <span class="cell">
                        {entityLabel(entry.entity)}
                        {recordName(entry) ? <strong> {recordName(entry)}</strong> : null}
                        {entry.entityId ? <span class="code muted record-id">{entry.entityId}</span> : null}
                      </span>
                    </td>
                    <td data-label={t('audit.actor')} class="nowrap">
                      {entry.actor ? entry.actor.username : <span class="muted">{t('audit.anonymous')}</span>}
                    </td>
                    <td data-label={t('audit.details')}>
                      <Details entry={entry} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            </div>
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

/** Fields whose values differ between before and after (bookkeeping fields left out). */
function changedFields(before: unknown, after: unknown): string[] {
  if (!isObject(before) || !isObject(after)) return [];
  const skip = new Set(['version', 'updatedAt', 'createdAt']);
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => !skip.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k]));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A human name for the record: school code + name, a username, the name tried at a failed sign-in. */
function recordName(entry: AuditEntry): string | null {
  const state = isObject(entry.after) ? entry.after : isObject(entry.before) ? entry.before : null;
  if (state) {
    if (typeof state.code === 'string' && typeof state.name === 'string') return `${state.code} ${state.name}`;
    if (typeof state.username === 'string') return state.username;
    if (typeof state.name === 'string') return state.name;
  }
  if (isObject(entry.meta) && typeof entry.meta.username === 'string') return entry.meta.username;
  return null;
}

function Details(props: { entry: AuditEntry }) {
  const { t } = useT();
  const { before, after, meta } = props.entry;
  const has = (v: unknown) => v !== undefined && v !== null;
  if (!has(before) && !has(after) && !(isObject(meta) && Object.keys(meta).length > 0)) {
    return <span class="muted">{t('common.none')}</span>;
  }
  const changed = changedFields(before, after);
  return (
    <details class="audit-details" data-testid="audit-details">
      <summary>
        {changed.length > 0
          ? t('audit.changed', { fields: changed.join(', ') })
          : has(before) || has(after)
            ? t('audit.showDetails')
            : t('audit.details')}
      </summary>
      <div class="diff">
        {has(before) || has(after) ? (
          <>
            <div>
              <h3>{t('audit.before')}</h3>
              <pre data-testid="audit-before">{json(before, t('audit.noData'))}</pre>
            </div>
            <div>
              <h3>{t('audit.after')}</h3>
              <pre data-testid="audit-after">{json(after, t('audit.noData'))}</pre>
            </div>
          </>
        ) : null}
        {has(meta) ? (
          <div>
            <h3>{t('audit.meta')}</h3>
            <pre data-testid="audit-meta">{json(meta, t('audit.noData'))}</pre>
          </div>
        ) : null}
      </div>
    </details>
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

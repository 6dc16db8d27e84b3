// Personal API tokens: create one for a script (shown once), see when each was last used, revoke.
// Every role has this page; each user sees only their own tokens.
import { useEffect, useState } from 'preact/hooks';
import { apiTokenLimits } from '../../../../shared/schemas/api-tokens.ts';
import { apiTokensApi, type ApiToken } from '../../api/api-tokens.ts';
import { Alert, ErrorAlert, Field, fieldErrorsFrom, formatDateTime, Loading, PageTitle } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';
import './api-tokens.css';

export function ApiTokensView() {
  const { t, lng } = useT();
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [days, setDays] = useState(String(apiTokenLimits.lifetimeDaysDefault));
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [created, setCreated] = useState<{ token: string; name: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = (signal?: AbortSignal) =>
    apiTokensApi
      .list(signal)
      .then((list) => setTokens(list.items))
      .catch((e: unknown) => {
        if (!signal?.aborted) setError(e);
      });

  useEffect(() => {
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, []);

  const create = async (event: Event) => {
    event.preventDefault();
    setBusy('create');
    setFailure(null);
    setNotice(null);
    try {
      const result = await apiTokensApi.create({ name, expiresInDays: Number(days) });
      setCreated({ token: result.token, name: result.apiToken.name });
      setCopied(false);
      setName('');
      await load();
    } catch (e) {
      setFailure(e);
    } finally {
      setBusy(null);
    }
  };

  const revoke = async (token: ApiToken) => {
    setBusy(token.id);
    setFailure(null);
    try {
      await apiTokensApi.revoke(token.id);
      setConfirming(null);
      setNotice(t('apiTokens.list.revoked', { name: token.name }));
      await load();
    } catch (e) {
      setFailure(e);
    } finally {
      setBusy(null);
    }
  };

  const copy = async () => {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied(true);
    } catch {
      // No clipboard access (http, policy): the token is selectable in the field.
    }
  };

  const errors = fieldErrorsFrom(failure);

  return (
    <section class="api-tokens-page" data-testid="api-tokens-page">
      <div class="page-head">
        <PageTitle>{t('apiTokens.title')}</PageTitle>
        {/* A full page load: /api/docs is served by the server, not by this app. */}
        <a href="/api/docs" class="button button-secondary" data-testid="api-docs-link">
          {t('apiTokens.docsLink')}
        </a>
      </div>
      <p class="muted">{t('apiTokens.intro')}</p>
      {notice ? <Alert kind="success">{notice}</Alert> : null}
      {created ? (
        <div class="card" data-testid="api-token-created">
          <h2>{t('apiTokens.created.title')}</h2>
          <Alert kind="warning">{t('apiTokens.created.once')}</Alert>
          <Field label={created.name}>
            {(c) => <input {...c} class="code" readOnly value={created.token} data-testid="api-token-value" onFocus={(e) => e.currentTarget.select()} />}
          </Field>
          <div class="actions">
            <button type="button" class="button button-primary" data-testid="api-token-copy" onClick={() => void copy()}>
              {copied ? t('apiTokens.created.copied') : t('apiTokens.created.copy')}
            </button>
            <button type="button" class="button button-secondary" data-testid="api-token-done" onClick={() => setCreated(null)}>
              {t('apiTokens.created.done')}
            </button>
          </div>
        </div>
      ) : null}
      <ErrorAlert error={failure} />
      <form class="form card" onSubmit={(e) => void create(e)} noValidate data-testid="api-token-form">
        <h2>{t('apiTokens.create.title')}</h2>
        <div class="form-row">
          <Field label={t('apiTokens.create.name')} hint={t('apiTokens.create.nameHint')} error={errors.name} required>
            {(c) => (
              <input
                {...c}
                name="name"
                data-testid="api-token-name"
                autocomplete="off"
                maxLength={apiTokenLimits.nameMax}
                value={name}
                onInput={(e) => setName(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field
            label={t('apiTokens.create.lifetime')}
            hint={t('apiTokens.create.lifetimeHint', { max: apiTokenLimits.lifetimeDaysMax })}
            error={errors.expiresInDays}
            required
          >
            {(c) => (
              <input
                {...c}
                name="expiresInDays"
                type="number"
                inputMode="numeric"
                min={apiTokenLimits.lifetimeDaysMin}
                max={apiTokenLimits.lifetimeDaysMax}
                data-testid="api-token-days"
                value={days}
                onInput={(e) => setDays(e.currentTarget.value)}
              />
            )}
          </Field>
        </div>
        <div class="actions">
          <button type="submit" class="button button-primary" data-testid="api-token-create" disabled={busy !== null}>
            {busy === 'create' ? t('apiTokens.create.submitting') : t('apiTokens.create.submit')}
          </button>
        </div>
      </form>

      <h2>{t('apiTokens.list.title')}</h2>
      <ErrorAlert error={error} />
      {tokens === null && !error ? <Loading /> : null}
      {tokens && tokens.length === 0 ? (
        <p class="empty" data-testid="api-tokens-empty">
          {t('apiTokens.list.empty')}
        </p>
      ) : null}
      {tokens && tokens.length > 0 ? (
        <table class="table responsive-table" data-testid="api-tokens-table">
          <thead>
            <tr>
              <th scope="col">{t('apiTokens.list.name')}</th>
              <th scope="col">{t('apiTokens.list.token')}</th>
              <th scope="col">{t('apiTokens.list.status')}</th>
              <th scope="col">{t('apiTokens.list.created')}</th>
              <th scope="col">{t('apiTokens.list.expires')}</th>
              <th scope="col">{t('apiTokens.list.lastUsed')}</th>
              <th scope="col">
                <span class="visually-hidden">{t('apiTokens.list.revoke')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tokens.map((token) => (
              <tr key={token.id} data-testid="api-token-row" data-token-id={token.id} data-status={token.status}>
                <th scope="row" data-label={t('apiTokens.list.name')} class="cell-title">
                  {token.name}
                </th>
                <td data-label={t('apiTokens.list.token')} class="code">
                  {token.prefix}…
                </td>
                <td data-label={t('apiTokens.list.status')}>{t(`apiTokens.status.${token.status}`)}</td>
                <td data-label={t('apiTokens.list.created')}>{formatDateTime(token.createdAt, lng)}</td>
                <td data-label={t('apiTokens.list.expires')}>{formatDateTime(token.expiresAt, lng)}</td>
                <td data-label={t('apiTokens.list.lastUsed')}>{token.lastUsedAt ? formatDateTime(token.lastUsedAt, lng) : t('apiTokens.list.never')}</td>
                <td>
                  {token.status !== 'active' ? null : confirming === token.id ? (
                    <div class="confirm" role="group" aria-label={t('apiTokens.list.revoke')}>
                      <p>{t('apiTokens.list.confirmRevoke', { name: token.name })}</p>
                      <div class="actions">
                        <button type="button" class="button button-danger" data-testid="api-token-revoke-confirm" disabled={busy !== null} onClick={() => void revoke(token)}>
                          {busy === token.id ? t('apiTokens.list.revoking') : t('apiTokens.list.revoke')}
                        </button>
                        <button type="button" class="button button-secondary" onClick={() => setConfirming(null)}>
                          {t('common.cancel')}
                        </button>
                      </div>
                    </div>
                  ) : (
                    <button type="button" class="button button-danger-outline" data-testid="api-token-revoke" onClick={() => setConfirming(token.id)}>
                      {t('apiTokens.list.revoke')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

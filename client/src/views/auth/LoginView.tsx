import { useState } from 'preact/hooks';
import { api } from '../../api/client.ts';
import { ErrorAlert, Field, PageTitle } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';

export function LoginView(props: { onDone: () => Promise<void> }) {
  const { t } = useT();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ username?: string; password?: string }>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const found: { username?: string; password?: string } = {};
    if (!username.trim()) found.username = t('validation.required');
    if (!password) found.password = t('validation.required');
    setErrors(found);
    setFailure(null);
    if (found.username || found.password) {
      document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    setBusy(true);
    try {
      await api.auth.login({ username: username.trim(), password });
      await props.onDone();
    } catch (error) {
      setFailure(error);
      setPassword('');
      setBusy(false);
    }
  };

  return (
    <section class="card auth-card" data-testid="login-page">
      <PageTitle>{t('login.title')}</PageTitle>
      <p class="lead">{t('login.intro')}</p>
      <ErrorAlert error={failure} />
      <form class="form" onSubmit={submit} noValidate data-testid="login-form">
        <Field label={t('field.username')} error={errors.username} required>
          {(c) => (
            <input
              {...c}
              name="username"
              data-testid="login-username"
              autocomplete="username"
              autocapitalize="none"
              spellcheck={false}
              value={username}
              onInput={(e) => setUsername(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field label={t('field.password')} error={errors.password} required>
          {(c) => (
            <input
              {...c}
              type="password"
              name="password"
              data-testid="login-password"
              autocomplete="current-password"
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
            />
          )}
        </Field>
        <button type="submit" class="button button-primary button-block" data-testid="login-submit" disabled={busy}>
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
    </section>
  );
}

import { useState } from 'preact/hooks';
import { api, isApiError } from '../../api/client.ts';
import { accountLimits, PASSWORD_MAX, PASSWORD_MIN } from '../../api/types.ts';
import { Alert, ErrorAlert, Field, fieldErrorsFrom, PageTitle } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';
import { confirmProblem, passwordProblem, usePasswordPolicy, usernameProblem } from './passwords.ts';

type Errors = Partial<Record<'username' | 'displayName' | 'password' | 'confirm', string>>;

/** First run: no account exists yet, so the first administrator is created here. */
export function SetupView(props: { onDone: () => Promise<void>; onAlreadySetUp: () => void }) {
  const { t } = useT();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  usePasswordPolicy();

  const validate = (): Errors => {
    const next: Errors = {};
    const name = usernameProblem(username);
    if (name) next.username = name;
    if (!displayName.trim()) next.displayName = t('validation.required');
    const pw = passwordProblem(password);
    if (pw) next.password = pw;
    const again = confirmProblem(password, confirm);
    if (again) next.confirm = again;
    return next;
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    setFailure(null);
    if (Object.keys(found).length > 0) {
      document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    setBusy(true);
    try {
      await api.auth.setup({ username: username.trim(), displayName: displayName.trim(), password });
      await props.onDone();
    } catch (error) {
      setErrors(fieldErrorsFrom(error) as Errors);
      setFailure(error);
      setBusy(false);
    }
  };

  const setupDone = isApiError(failure) && failure.code === 'setup_done';

  return (
    <section class="card auth-card" data-testid="setup-page">
      <PageTitle>{t('setup.title')}</PageTitle>
      <p class="lead">{t('setup.intro')}</p>
      {Object.keys(errors).length > 0 && !failure ? <Alert kind="error">{t('validation.fixBelow')}</Alert> : null}
      <ErrorAlert error={failure} />
      {setupDone ? (
        <button type="button" class="button" data-testid="go-to-login" onClick={props.onAlreadySetUp}>
          {t('login.submit')}
        </button>
      ) : (
        <form class="form" onSubmit={submit} noValidate data-testid="setup-form">
          <Field label={t('field.username')} hint={t('field.usernameHint')} error={errors.username} required>
            {(c) => (
              <input
                {...c}
                name="username"
                data-testid="setup-username"
                autocomplete="username"
                autocapitalize="none"
                spellcheck={false}
                maxLength={accountLimits.usernameMax}
                value={username}
                onInput={(e) => setUsername(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field label={t('field.displayName')} hint={t('field.displayNameHint')} error={errors.displayName} required>
            {(c) => (
              <input
                {...c}
                name="displayName"
                data-testid="setup-display-name"
                autocomplete="name"
                maxLength={accountLimits.displayNameMax}
                value={displayName}
                onInput={(e) => setDisplayName(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field
            label={t('field.password')}
            hint={t('field.passwordHint', { min: PASSWORD_MIN })}
            error={errors.password}
            required
          >
            {(c) => (
              <input
                {...c}
                type="password"
                name="password"
                data-testid="setup-password"
                autocomplete="new-password"
                maxLength={PASSWORD_MAX}
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field label={t('field.confirmPassword')} error={errors.confirm} required>
            {(c) => (
              <input
                {...c}
                type="password"
                name="confirmPassword"
                data-testid="setup-confirm"
                autocomplete="new-password"
                maxLength={PASSWORD_MAX}
                value={confirm}
                onInput={(e) => setConfirm(e.currentTarget.value)}
              />
            )}
          </Field>
          <button type="submit" class="button button-primary button-block" data-testid="setup-submit" disabled={busy}>
            {busy ? t('setup.submitting') : t('setup.submit')}
          </button>
        </form>
      )}
    </section>
  );
}

import { useEffect, useState } from 'preact/hooks';
import { api, isApiError } from '../../api/client.ts';
import {
  accountLimits,
  LOCALES,
  PASSWORD_MAX,
  PASSWORD_MIN,
  ROLES,
  type Locale,
  type Role,
  type School,
  type User,
  type UserPatch,
} from '../../api/types.ts';
import { ConflictNotice, conflictCurrent } from '../../components/Conflict.tsx';
import { Alert, ErrorAlert, Field, fieldErrorsFrom, Link, Loading, PageTitle } from '../../components/ui.tsx';
import { setFlash } from '../../flash.ts';
import { i18next, LANGUAGES, useT } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { useSession } from '../../session.ts';
import { confirmProblem, passwordProblem, usePasswordPolicy, usernameProblem } from '../auth/passwords.ts';

interface Form {
  username: string;
  displayName: string;
  role: Role;
  schoolIds: string[];
  active: boolean;
  locale: Locale | '';
  password: string;
  confirm: string;
}

type Errors = Partial<Record<keyof Form, string>>;

const EMPTY: Form = {
  username: '',
  displayName: '',
  role: 'pe_teacher',
  schoolIds: [],
  active: true,
  locale: '',
  password: '',
  confirm: '',
};

function toForm(user: User): Form {
  return {
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    schoolIds: [...user.schoolIds],
    active: user.active,
    locale: user.locale ?? '',
    password: '',
    confirm: '',
  };
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

export function UserFormView(props: { userId: string | null }) {
  const { t } = useT();
  const { user: me, refresh } = useSession();
  const editing = props.userId !== null;
  const [user, setUser] = useState<User | null>(null);
  const [schools, setSchools] = useState<School[] | null>(null);
  const [form, setForm] = useState<Form>(EMPTY);
  const [version, setVersion] = useState(0);
  const [errors, setErrors] = useState<Errors>({});
  const [loadError, setLoadError] = useState<unknown>(null);
  const [missing, setMissing] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [conflict, setConflict] = useState<User | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [schoolFilter, setSchoolFilter] = useState('');
  usePasswordPolicy();

  useEffect(() => {
    let live = true;
    // The API has no GET /users/:id; the admin's list is small, so the form reads it.
    Promise.all([api.schools.list(), props.userId === null ? Promise.resolve(null) : api.users.list()])
      .then(([schoolList, userList]) => {
        if (!live) return;
        setSchools(schoolList.items);
        if (userList) {
          const found = userList.items.find((u) => u.id === props.userId);
          if (!found) setMissing(true);
          else {
            setUser(found);
            setForm(toForm(found));
            setVersion(found.version);
          }
        }
      })
      .catch((e: unknown) => live && setLoadError(e));
    return () => {
      live = false;
    };
  }, [props.userId]);

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  const toggleSchool = (id: string, on: boolean) =>
    setForm((f) => ({
      ...f,
      schoolIds: on ? [...f.schoolIds.filter((x) => x !== id), id] : f.schoolIds.filter((x) => x !== id),
    }));

  const validate = (): Errors => {
    const next: Errors = {};
    if (!editing) {
      const name = usernameProblem(form.username);
      if (name) next.username = name;
    }
    if (!form.displayName.trim()) next.displayName = t('validation.required');
    if (form.role !== 'admin' && form.schoolIds.length === 0) next.schoolIds = t('validation.schoolRequired');
    if (!editing || form.password || form.confirm) {
      const pw = passwordProblem(form.password);
      if (pw) next.password = pw;
      const again = confirmProblem(form.password, form.confirm);
      if (again) next.confirm = again;
    }
    return next;
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    setFailure(null);
    setNotice(null);
    if (Object.keys(found).length > 0) {
      document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    // Administrators see every school; their school list is not used.
    const schoolIds = form.role === 'admin' ? [] : form.schoolIds;
    setBusy(true);
    try {
      if (user) {
        // Send only what changed, so the audit trail shows the real change.
        const patch: UserPatch = { version };
        if (form.displayName.trim() !== user.displayName) patch.displayName = form.displayName.trim();
        if (form.role !== user.role) patch.role = form.role;
        if (!sameSet(schoolIds, user.schoolIds)) patch.schoolIds = schoolIds;
        if (form.active !== user.active) patch.active = form.active;
        if (form.locale && form.locale !== user.locale) patch.locale = form.locale;
        if (form.password) patch.password = form.password;
        const saved = await api.users.update(user.id, patch);
        setUser(saved);
        setForm(toForm(saved));
        setVersion(saved.version);
        setConflict(null);
        setNotice(t('common.saved'));
        if (saved.id === me.id) void refresh();
      } else {
        const created = await api.users.create({
          username: form.username.trim(),
          displayName: form.displayName.trim(),
          password: form.password,
          role: form.role,
          schoolIds,
          ...(form.locale ? { locale: form.locale } : {}),
        });
        setFlash(t('users.created', { username: created.username }));
        navigate('/users');
      }
    } catch (error) {
      const current = isApiError(error) && error.code === 'version_conflict' ? conflictCurrent<User>(error.details) : null;
      if (current) setConflict(current);
      else {
        setErrors(fieldErrorsFrom(error) as Errors);
        setFailure(error);
      }
    } finally {
      setBusy(false);
    }
  };

  const title = editing ? t('users.editTitle', { username: user?.username ?? '' }) : t('users.newTitle');

  if (loadError || missing) {
    return (
      <section data-testid="user-form-page">
        <PageTitle>{title}</PageTitle>
        {missing ? <Alert kind="error">{t('users.notFound')}</Alert> : <ErrorAlert error={loadError} />}
        <Link href="/users" class="button">
          ← {t('users.title')}
        </Link>
      </section>
    );
  }
  if (schools === null || (editing && !user)) return <Loading />;

  const isSelf = user !== null && user.id === me.id;
  const needle = schoolFilter.trim().toLowerCase();
  const visibleSchools = needle
    ? schools.filter((s) =>
        [s.code, s.name, s.region, s.county].some((v) => v.toLowerCase().includes(needle)),
      )
    : schools;

  return (
    <section data-testid="user-form-page">
      <p class="breadcrumb">
        <Link href="/users">← {t('users.title')}</Link>
      </p>
      <div class="page-head">
        <PageTitle>{title}</PageTitle>
        {user ? (
          <Link href={`/audit?entity=user&entityId=${encodeURIComponent(user.id)}`} testid="user-history">
            {t('audit.history')}
          </Link>
        ) : null}
      </div>
      {notice ? <Alert kind="success">{notice}</Alert> : null}
      {conflict ? (
        <ConflictNotice
          differences={userDifferences(conflict, form, schools, t)}
          onLoadTheirs={() => {
            setUser(conflict);
            setForm(toForm(conflict));
            setVersion(conflict.version);
            setConflict(null);
          }}
          onKeepMine={() => {
            setVersion(conflict.version);
            setConflict(null);
            setNotice(t('conflict.kept'));
          }}
        />
      ) : null}
      <ErrorAlert error={failure} />
      <form class="form card" onSubmit={submit} noValidate data-testid="user-form">
        <div class="form-row">
          <Field
            label={t('field.username')}
            hint={editing ? undefined : t('field.usernameHint')}
            error={errors.username}
            required={!editing}
          >
            {(c) => (
              <input
                {...c}
                name="username"
                data-testid="user-username"
                autocomplete="off"
                autocapitalize="none"
                spellcheck={false}
                readOnly={editing}
                maxLength={accountLimits.usernameMax}
                value={form.username}
                onInput={(e) => set('username', e.currentTarget.value)}
              />
            )}
          </Field>
          <Field label={t('field.displayName')} error={errors.displayName} required>
            {(c) => (
              <input
                {...c}
                name="displayName"
                data-testid="user-display-name"
                autocomplete="off"
                maxLength={accountLimits.displayNameMax}
                value={form.displayName}
                onInput={(e) => set('displayName', e.currentTarget.value)}
              />
            )}
          </Field>
        </div>
        <div class="form-row">
          <Field label={t('users.role')} error={errors.role} required>
            {(c) => (
              <select
                {...c}
                name="role"
                data-testid="user-role"
                disabled={isSelf}
                value={form.role}
                onChange={(e) => set('role', e.currentTarget.value as Role)}
              >
                {ROLES.map((role) => (
                  <option key={role} value={role}>
                    {t(`role.${role}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('users.locale')} error={errors.locale}>
            {(c) => (
              <select
                {...c}
                name="locale"
                data-testid="user-locale"
                value={form.locale}
                onChange={(e) => set('locale', e.currentTarget.value as Locale | '')}
              >
                {/* The API cannot clear a saved locale, so "follow the browser" is only offered until one is set. */}
                {user?.locale ? null : <option value="">{t('users.localeNone')}</option>}
                {LOCALES.map((code) => (
                  <option key={code} value={code} lang={code}>
                    {LANGUAGES.find((l) => l.code === code)?.label ?? code}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>

        <fieldset
          class={`field school-picker${errors.schoolIds ? ' field-invalid' : ''}`}
          data-testid="user-schools"
          aria-describedby="user-schools-hint"
        >
          <legend>
            {t('users.schools')}
            {form.role === 'admin' ? null : <span class="required"> ({t('field.required')})</span>}
          </legend>
          {form.role === 'admin' ? (
            <p class="muted" id="user-schools-hint">
              {t('users.allSchools')}
            </p>
          ) : (
            <>
              {errors.schoolIds ? (
                <p class="field-error" data-testid="field-error">
                  {errors.schoolIds}
                </p>
              ) : null}
              <p class="field-hint" id="user-schools-hint">
                {t('users.schoolsHint')}
              </p>
              {schools.length === 0 ? (
                <p class="muted">
                  {t('users.noSchoolsYet')} <Link href="/schools/new">{t('schools.new')}</Link>
                </p>
              ) : null}
              <p class="field-hint" aria-live="polite" data-testid="user-schools-selected">
                {t('users.selectedCount', { count: form.schoolIds.length })}
              </p>
              {schools.length > 8 ? (
                <input
                  type="search"
                  class="school-filter"
                  aria-label={t('users.filterSchools')}
                  placeholder={t('users.filterSchools')}
                  data-testid="user-schools-filter"
                  value={schoolFilter}
                  onInput={(e) => setSchoolFilter(e.currentTarget.value)}
                />
              ) : null}
              <ul class="checkbox-list">
                {visibleSchools.map((school) => (
                  <li key={school.id}>
                    <label class="check">
                      <input
                        type="checkbox"
                        value={school.id}
                        data-testid="user-school-option"
                        data-school-id={school.id}
                        data-code={school.code}
                        checked={form.schoolIds.includes(school.id)}
                        aria-invalid={errors.schoolIds ? 'true' : undefined}
                        onChange={(e) => toggleSchool(school.id, e.currentTarget.checked)}
                      />
                      <span>
                        <span class="code">{school.code}</span> {school.name}
                        <span class="muted"> · {school.county}</span>
                      </span>
                    </label>
                  </li>
                ))}
              </ul>
            </>
          )}
        </fieldset>

        {editing ? (
          <div class="field">
            <label class="check switch">
              <input
                type="checkbox"
                role="switch"
                name="active"
                data-testid="user-active"
                checked={form.active}
                disabled={isSelf}
                aria-describedby="user-active-hint"
                onChange={(e) => set('active', e.currentTarget.checked)}
              />
              <span>{t('users.active')}</span>
            </label>
            <p class="field-hint" id="user-active-hint">
              {t('users.activeHint')}
            </p>
          </div>
        ) : null}

        <fieldset class="field password-group" data-testid={editing ? 'user-password-reset' : 'user-password'}>
          <legend>{editing ? t('users.resetPassword') : t('field.password')}</legend>
          {editing ? <p class="field-hint">{t('users.resetPasswordHint')}</p> : null}
          <div class="form-row">
            <Field
              label={editing ? t('users.newPassword') : t('field.password')}
              hint={t('field.passwordHint', { min: PASSWORD_MIN })}
              error={errors.password}
              required={!editing}
            >
              {(c) => (
                <input
                  {...c}
                  type="password"
                  name="password"
                  data-testid="user-password-input"
                  autocomplete="new-password"
                  maxLength={PASSWORD_MAX}
                  value={form.password}
                  onInput={(e) => set('password', e.currentTarget.value)}
                />
              )}
            </Field>
            <Field label={t('field.confirmPassword')} error={errors.confirm} required={!editing}>
              {(c) => (
                <input
                  {...c}
                  type="password"
                  name="confirmPassword"
                  data-testid="user-password-confirm"
                  autocomplete="new-password"
                  maxLength={PASSWORD_MAX}
                  value={form.confirm}
                  onInput={(e) => set('confirm', e.currentTarget.value)}
                />
              )}
            </Field>
          </div>
        </fieldset>

        <div class="actions">
          <button type="submit" class="button button-primary" data-testid="user-save" disabled={busy}>
            {busy ? t('common.saving') : editing ? t('common.save') : t('common.create')}
          </button>
          <Link href="/users" class="button button-secondary">
            {t('common.cancel')}
          </Link>
        </div>
      </form>
    </section>
  );
}

/** What the other person's saved version has that differs from this form (passwords never shown). */
function userDifferences(theirs: User, form: Form, schools: School[], t: typeof i18next.t) {
  const schoolNames = (ids: string[]) =>
    ids
      .map((id) => schools.find((s) => s.id === id)?.code ?? id)
      .sort()
      .join(', ');
  const rows = [
    { label: t('field.displayName'), theirs: theirs.displayName, mine: form.displayName },
    { label: t('users.role'), theirs: t(`role.${theirs.role}`), mine: t(`role.${form.role}`) },
    { label: t('users.schools'), theirs: schoolNames(theirs.schoolIds), mine: schoolNames(form.schoolIds) },
    {
      label: t('users.active'),
      theirs: theirs.active ? t('common.yes') : t('common.no'),
      mine: form.active ? t('common.yes') : t('common.no'),
    },
    { label: t('users.locale'), theirs: theirs.locale ?? '—', mine: form.locale || '—' },
  ];
  return rows.filter((r) => r.theirs !== r.mine);
}

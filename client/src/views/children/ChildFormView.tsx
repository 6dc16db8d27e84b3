// Add or edit one child. Validation uses the shared zod schema (the server checks the same
// rules again); a stale save shows the other person's version; deactivation keeps the data.
import { useEffect, useState } from 'preact/hooks';
import { caregivers, leftBehindStatuses, sexes } from '../../../../shared/schemas/child.ts';
import { childFieldsSchema, childRuleIssues, rosterLimits, type ChildFields, type ChildRuleInput } from '../../../../shared/schemas/roster.ts';
import { isApiError } from '../../api/client.ts';
import { childrenApi, type Child, type ChildDetail } from '../../api/roster.ts';
import { ConflictNotice, conflictCurrent, type Difference } from '../../components/Conflict.tsx';
import { Alert, ErrorAlert, Field, Link, Loading, PageTitle } from '../../components/ui.tsx';
import { setFlash, takeFlash } from '../../flash.ts';
import { useT } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { localToday, ruleText, serverFieldErrors, useRoles, zodFieldErrors } from './common.tsx';

interface Form {
  displayName: string;
  sex: string;
  birthYear: string;
  birthMonth: string;
  grade: string;
  className: string;
  leftBehindStatus: string;
  monthsSinceSeparation: string;
  caregiver: string;
  boarding: boolean;
  guardianConsentDate: string;
  childAssent: boolean;
}

const EMPTY: Form = {
  displayName: '',
  sex: '',
  birthYear: '',
  birthMonth: '',
  grade: '',
  className: '',
  leftBehindStatus: '',
  monthsSinceSeparation: '',
  caregiver: '',
  boarding: false,
  guardianConsentDate: '',
  childAssent: false,
};

function toForm(c: ChildFields): Form {
  return {
    displayName: c.displayName,
    sex: c.sex,
    birthYear: String(c.birthYear),
    birthMonth: String(c.birthMonth),
    grade: String(c.grade),
    className: c.className,
    leftBehindStatus: c.leftBehindStatus,
    monthsSinceSeparation: c.monthsSinceSeparation === null ? '' : String(c.monthsSinceSeparation),
    caregiver: c.caregiver,
    boarding: c.boarding,
    guardianConsentDate: c.guardianConsentDate ?? '',
    childAssent: c.childAssent,
  };
}

const num = (s: string) => (s.trim() === '' ? undefined : Number(s));

/** The form as the API wants it (undefined where empty, so the schema reports "required"). */
function toInput(f: Form): Record<string, unknown> {
  return {
    displayName: f.displayName,
    sex: f.sex || undefined,
    birthYear: num(f.birthYear),
    birthMonth: num(f.birthMonth),
    grade: num(f.grade),
    className: f.className.trim(),
    leftBehindStatus: f.leftBehindStatus || undefined,
    monthsSinceSeparation: f.leftBehindStatus === 'none' ? null : (num(f.monthsSinceSeparation) ?? null),
    caregiver: f.caregiver || undefined,
    boarding: f.boarding,
    guardianConsentDate: f.guardianConsentDate || null,
    childAssent: f.childAssent,
  };
}

export function ChildFormView(props: { childId: string | null; schoolId: string | null }) {
  const { t } = useT();
  const { canWriteChildren } = useRoles();
  const editing = props.childId !== null;
  const [child, setChild] = useState<ChildDetail | null>(null);
  const [form, setForm] = useState<Form>(EMPTY);
  const [version, setVersion] = useState(0);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [loadError, setLoadError] = useState<unknown>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [duplicate, setDuplicate] = useState<{ id: string; code: string } | null>(null);
  const [conflict, setConflict] = useState<Child | null>(null);
  const [notice, setNotice] = useState<string | null>(takeFlash);
  const [busy, setBusy] = useState(false);
  const [leftOn, setLeftOn] = useState(localToday());
  const [confirmingDelete, setConfirmingDelete] = useState(false);

  const load = async (id: string) => {
    const c = await childrenApi.get(id);
    setChild(c);
    setForm(toForm(c));
    setVersion(c.version);
  };

  useEffect(() => {
    if (props.childId) load(props.childId).catch((e: unknown) => setLoadError(e));
  }, [props.childId]);

  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const schoolId = child?.schoolId ?? props.schoolId;
  const back = `/children${schoolId ? `?school=${schoolId}` : ''}`;

  const submit = async (event: Event) => {
    event.preventDefault();
    setFailure(null);
    setNotice(null);
    setDuplicate(null);
    const input = toInput(form);
    const parsed = childFieldsSchema.safeParse(input);
    if (!parsed.success) {
      // zod runs the cross-field rules only once every field parses; show them together anyway.
      const found = zodFieldErrors(parsed.error);
      if (typeof input.birthYear === 'number' && typeof input.birthMonth === 'number' && input.leftBehindStatus) {
        for (const issue of childRuleIssues(input as unknown as ChildRuleInput, localToday())) found[issue.path] ??= ruleText(issue.code);
      }
      setErrors(found);
      setTimeout(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      if (child) {
        // Only what changed, so the audit trail shows the real change.
        const before = toInput(toForm(child));
        const after = parsed.data as unknown as Record<string, unknown>;
        const patch: Record<string, unknown> = { version };
        for (const [k, v] of Object.entries(after)) if (JSON.stringify(before[k]) !== JSON.stringify(v)) patch[k] = v;
        const saved = await childrenApi.update(child.id, patch as Partial<ChildFields> & { version: number });
        setChild({ ...child, ...saved });
        setForm(toForm(saved));
        setVersion(saved.version);
        setConflict(null);
        setNotice(t('roster.form.saved'));
      } else {
        const created = await childrenApi.create({ ...parsed.data, schoolId: schoolId! });
        setFlash(t('roster.form.created', { code: created.code }));
        navigate(`/children/${created.id}`);
      }
    } catch (error) {
      if (isApiError(error) && error.code === 'version_conflict') {
        const current = conflictCurrent<Child>(error.details);
        if (current) setConflict(current);
        else setFailure(error);
      } else if (isApiError(error) && error.code === 'duplicate_child') {
        const existing = (error.details as { existing?: { id: string; code: string } } | undefined)?.existing;
        setDuplicate(existing ?? null);
        if (!existing) setFailure(error);
      } else {
        setErrors(serverFieldErrors(error));
        setFailure(error);
      }
    } finally {
      setBusy(false);
    }
  };

  const act = async (work: () => Promise<void>) => {
    setFailure(null);
    setNotice(null);
    setBusy(true);
    try {
      await work();
    } catch (error) {
      if (isApiError(error) && error.code === 'version_conflict') {
        const current = conflictCurrent<Child>(error.details);
        if (current) setConflict(current);
      }
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  if (loadError) {
    return (
      <section data-testid="child-form-page">
        <PageTitle>{t('roster.list.title')}</PageTitle>
        {isApiError(loadError) && loadError.status === 404 ? <Alert kind="error">{t('roster.form.notFound')}</Alert> : <ErrorAlert error={loadError} />}
        <Link href="/children" class="button">
          ← {t('roster.list.title')}
        </Link>
      </section>
    );
  }
  if (editing && !child) return <Loading />;

  const readOnly = !canWriteChildren;
  const differences = (current: Child): Difference[] => {
    const theirs = toForm(current);
    return (Object.keys(theirs) as (keyof Form)[])
      .filter((k) => String(theirs[k]) !== String(form[k]))
      .map((k) => ({ label: t(`roster.field.${k}`), theirs: String(theirs[k]), mine: String(form[k]) }));
  };
  const parentAway = form.leftBehindStatus === 'one_parent_away' || form.leftBehindStatus === 'both_parents_away';

  return (
    <section data-testid="child-form-page">
      <p class="breadcrumb">
        <Link href={back}>← {t('roster.list.title')}</Link>
      </p>
      <div class="page-head">
        <PageTitle>{child ? t('roster.form.editTitle', { code: child.code }) : t('roster.form.newTitle')}</PageTitle>
        {child && !child.active ? <span class="badge badge-off">{t('roster.inactive')}</span> : null}
      </div>
      {child ? <p class="lead">{child.displayName}</p> : null}
      {notice ? <Alert kind="success">{notice}</Alert> : null}
      {conflict ? (
        <ConflictNotice
          differences={differences(conflict)}
          onLoadTheirs={() => {
            setChild((c) => (c ? { ...c, ...conflict } : c));
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
      {duplicate ? (
        <Alert kind="warning" testid="child-duplicate">
          <p>{t('roster.form.duplicate', { code: duplicate.code })}</p>
          <Link href={`/children/${duplicate.id}`}>{t('roster.form.openExisting', { code: duplicate.code })}</Link>
        </Alert>
      ) : null}
      {failure && !conflict ? <ErrorAlert error={failure} /> : null}

      <form class="form card child-form" onSubmit={submit} noValidate data-testid="child-form">
        <fieldset disabled={readOnly || busy} class="plain-fieldset">
          <Field label={t('roster.field.displayName')} hint={t('roster.field.displayNameHint')} error={errors.displayName} required>
            {(c) => (
              <input {...c} data-testid="child-name" value={form.displayName} maxLength={rosterLimits.displayNameMax} autoComplete="off" onInput={(e) => set('displayName', e.currentTarget.value)} />
            )}
          </Field>
          <Choice name="sex" label={t('roster.field.sex')} error={errors.sex} value={form.sex} options={sexes.map((s) => [s, t(`roster.value.sex.${s}`)])} onChange={(v) => set('sex', v)} />
          <div class="form-row">
            <Field label={t('roster.field.birthYear')} error={errors.birthYear} required>
              {(c) => (
                <input {...c} data-testid="child-birth-year" type="number" inputMode="numeric" min={1990} max={2100} value={form.birthYear} onInput={(e) => set('birthYear', e.currentTarget.value)} />
              )}
            </Field>
            <Field label={t('roster.field.birthMonth')} error={errors.birthMonth} required>
              {(c) => (
                <select {...c} data-testid="child-birth-month" value={form.birthMonth} onChange={(e) => set('birthMonth', e.currentTarget.value)}>
                  <option value="" />
                  {Array.from({ length: 12 }, (_, i) => (
                    <option key={i} value={String(i + 1)}>
                      {i + 1}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <div class="form-row">
            <Field label={t('roster.field.grade')} error={errors.grade} required>
              {(c) => (
                <select {...c} data-testid="child-grade" value={form.grade} onChange={(e) => set('grade', e.currentTarget.value)}>
                  <option value="" />
                  {Array.from({ length: 12 }, (_, i) => (
                    <option key={i} value={String(i + 1)}>
                      {t('roster.gradeN', { grade: i + 1 })}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={t('roster.field.className')} hint={t('roster.field.classNameHint')} error={errors.className}>
              {(c) => <input {...c} data-testid="child-class" value={form.className} maxLength={rosterLimits.classNameMax} onInput={(e) => set('className', e.currentTarget.value)} />}
            </Field>
          </div>
          <Choice
            name="leftBehindStatus"
            label={t('roster.field.leftBehindStatus')}
            error={errors.leftBehindStatus}
            value={form.leftBehindStatus}
            options={leftBehindStatuses.map((s) => [s, t(`roster.value.leftBehind.${s}`)])}
            onChange={(v) => set('leftBehindStatus', v)}
            stack
          />
          {parentAway || errors.monthsSinceSeparation ? (
            <Field label={t('roster.field.monthsSinceSeparation')} hint={t('roster.field.monthsSinceSeparationHint')} error={errors.monthsSinceSeparation} required={parentAway}>
              {(c) => (
                <input
                  {...c}
                  data-testid="child-months"
                  type="number"
                  inputMode="numeric"
                  min={0}
                  max={rosterLimits.monthsSinceSeparationMax}
                  value={form.monthsSinceSeparation}
                  onInput={(e) => set('monthsSinceSeparation', e.currentTarget.value)}
                />
              )}
            </Field>
          ) : null}
          <Field label={t('roster.field.caregiver')} error={errors.caregiver} required>
            {(c) => (
              <select {...c} data-testid="child-caregiver" value={form.caregiver} onChange={(e) => set('caregiver', e.currentTarget.value)}>
                <option value="" />
                {caregivers.map((cg) => (
                  <option key={cg} value={cg}>
                    {t(`roster.value.caregiver.${cg}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <label class="check">
            <input type="checkbox" data-testid="child-boarding" checked={form.boarding} onChange={(e) => set('boarding', e.currentTarget.checked)} />
            {t('roster.field.boarding')}
          </label>
          <Field label={t('roster.field.guardianConsentDate')} hint={t('roster.field.guardianConsentDateHint')} error={errors.guardianConsentDate}>
            {(c) => (
              <input {...c} data-testid="child-consent" type="date" max={localToday()} value={form.guardianConsentDate} onInput={(e) => set('guardianConsentDate', e.currentTarget.value)} />
            )}
          </Field>
          <label class="check">
            <input type="checkbox" data-testid="child-assent" checked={form.childAssent} onChange={(e) => set('childAssent', e.currentTarget.checked)} />
            {t('roster.field.childAssent')}
          </label>
          {readOnly ? null : (
            <div class="actions">
              <button type="submit" class="button button-primary" data-testid="child-save" disabled={busy}>
                {busy ? t('common.saving') : child ? t('common.save') : t('common.create')}
              </button>
              <Link href={back} class="button button-secondary">
                {t('common.cancel')}
              </Link>
            </div>
          )}
        </fieldset>
      </form>

      {child ? (
        <section class="section" data-testid="child-memberships">
          <h2>{t('roster.form.memberships')}</h2>
          {child.memberships.length === 0 ? (
            <p class="muted">{t('roster.form.noMemberships')}</p>
          ) : (
            <ul class="plain-list">
              {child.memberships.map((m) => (
                <li key={`${m.groupId}-${m.joinedOn}`}>
                  <Link href={`/groups/${m.groupId}`}>{m.groupName}</Link>{' '}
                  <span class="muted">
                    {m.leftOn ? t('roster.form.period', { from: m.joinedOn, to: m.leftOn }) : t('roster.form.since', { date: m.joinedOn })}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      ) : null}

      {child && canWriteChildren ? (
        <div class="danger-zone" data-testid="child-status-zone">
          {child.active ? (
            <>
              <h2>{t('roster.form.deactivateTitle')}</h2>
              <p class="muted">{t('roster.form.deactivateText')}</p>
              <div class="inline-form">
                <label class="field">
                  <span>{t('roster.form.leftOn')}</span>
                  <input type="date" data-testid="child-left-on" value={leftOn} onInput={(e) => setLeftOn(e.currentTarget.value)} />
                </label>
                <button
                  type="button"
                  class="button button-danger-outline"
                  data-testid="child-deactivate"
                  disabled={busy || !leftOn}
                  onClick={() =>
                    void act(async () => {
                      const r = await childrenApi.deactivate(child.id, { version, leftOn });
                      await load(child.id);
                      setNotice(t('roster.form.deactivated', { date: r.deactivatedOn ?? leftOn, count: r.endedMemberships }));
                    })
                  }
                >
                  {t('roster.form.deactivate')}
                </button>
              </div>
            </>
          ) : (
            <button
              type="button"
              class="button button-secondary"
              data-testid="child-reactivate"
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  await childrenApi.reactivate(child.id, { version });
                  await load(child.id);
                  setNotice(t('roster.form.reactivated'));
                })
              }
            >
              {t('roster.form.reactivate')}
            </button>
          )}
          <h2>{t('roster.form.deleteTitle')}</h2>
          {child.hasData ? (
            <p class="muted" data-testid="child-has-data">
              {t('roster.form.hasData')}
            </p>
          ) : confirmingDelete ? (
            <div class="confirm" role="group" aria-label={t('common.delete')}>
              <p>{t('roster.form.deleteConfirm')}</p>
              <div class="actions">
                <button
                  type="button"
                  class="button button-danger"
                  data-testid="child-delete-confirm"
                  disabled={busy}
                  onClick={() =>
                    void act(async () => {
                      await childrenApi.remove(child.id, child.version);
                      setFlash(t('roster.form.deleted', { code: child.code }));
                      navigate(back);
                    })
                  }
                >
                  {busy ? t('common.deleting') : t('common.delete')}
                </button>
                <button type="button" class="button button-secondary" onClick={() => setConfirmingDelete(false)}>
                  {t('common.cancel')}
                </button>
              </div>
            </div>
          ) : (
            <>
              <p class="muted">{t('roster.form.deleteText')}</p>
              <button type="button" class="button button-danger-outline" data-testid="child-delete" onClick={() => setConfirmingDelete(true)}>
                {t('common.delete')}
              </button>
            </>
          )}
        </div>
      ) : null}
    </section>
  );
}

/** Large touch-friendly radio choices (sex, left-behind status). */
function Choice(props: {
  name: string;
  label: string;
  value: string;
  error?: string | undefined;
  options: [string, string][];
  onChange: (v: string) => void;
  stack?: boolean;
}) {
  const { t } = useT();
  const errorId = `${props.name}-error`;
  return (
    <fieldset class={`field choice-group${props.error ? ' field-invalid' : ''}`} aria-describedby={props.error ? errorId : undefined} data-testid={`child-${props.name}`}>
      <legend>
        {props.label} <span class="required">({t('field.required')})</span>
      </legend>
      <div class={`segmented${props.stack ? ' segmented-stack' : ''}`}>
        {props.options.map(([value, label]) => (
          <label key={value} class="choice">
            <input type="radio" name={props.name} value={value} checked={props.value === value} aria-invalid={props.error ? 'true' : undefined} onChange={() => props.onChange(value)} />
            {label}
          </label>
        ))}
      </div>
      {props.error ? (
        <p class="field-error" id={errorId} data-testid="field-error">
          {props.error}
        </p>
      ) : null}
    </fieldset>
  );
}

import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, isApiError } from '../../api/client.ts';
import { accountLimits, SETTINGS, type School, type SchoolInput, type Setting } from '../../api/types.ts';
import { ConflictNotice, conflictCurrent } from '../../components/Conflict.tsx';
import { Alert, ErrorAlert, Field, fieldErrorsFrom, Link, Loading, PageTitle } from '../../components/ui.tsx';
import { setFlash } from '../../flash.ts';
import { useT } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';

const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

interface Form {
  name: string;
  region: string;
  county: string;
  setting: Setting | '';
  timeZone: string;
}

type Errors = Partial<Record<keyof Form, string>>;

const EMPTY: Form = { name: '', region: '', county: '', setting: '', timeZone: DEFAULT_TIME_ZONE };

function toForm(school: School): Form {
  return {
    name: school.name,
    region: school.region,
    county: school.county,
    setting: school.setting,
    timeZone: school.timeZone,
  };
}

function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [DEFAULT_TIME_ZONE];
  }
}

export function SchoolFormView(props: { schoolId: string | null }) {
  const { t } = useT();
  const editing = props.schoolId !== null;
  const [school, setSchool] = useState<School | null>(null);
  const [form, setForm] = useState<Form>(EMPTY);
  const [version, setVersion] = useState(0);
  const [errors, setErrors] = useState<Errors>({});
  const [loadError, setLoadError] = useState<unknown>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [conflict, setConflict] = useState<School | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const zones = useMemo(timeZones, []);

  useEffect(() => {
    if (props.schoolId === null) return;
    let live = true;
    api.schools
      .get(props.schoolId)
      .then((found) => {
        if (!live) return;
        setSchool(found);
        setForm(toForm(found));
        setVersion(found.version);
      })
      .catch((e: unknown) => live && setLoadError(e));
    return () => {
      live = false;
    };
  }, [props.schoolId]);

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));

  const validate = (): Errors => {
    const next: Errors = {};
    if (!form.name.trim()) next.name = t('validation.required');
    if (!form.region.trim()) next.region = t('validation.required');
    if (!form.county.trim()) next.county = t('validation.required');
    if (!form.setting) next.setting = t('validation.required');
    return next;
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    setFailure(null);
    setNotice(null);
    if (Object.keys(found).length > 0 || !form.setting) {
      document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    const input: SchoolInput = {
      name: form.name.trim(),
      region: form.region.trim(),
      county: form.county.trim(),
      setting: form.setting,
      timeZone: form.timeZone.trim() || DEFAULT_TIME_ZONE,
    };
    setBusy(true);
    try {
      if (school) {
        const saved = await api.schools.update(school.id, { ...input, version });
        setSchool(saved);
        setForm(toForm(saved));
        setVersion(saved.version);
        setConflict(null);
        setNotice(t('common.saved'));
      } else {
        const created = await api.schools.create(input);
        setFlash(t('schools.created', { code: created.code }));
        navigate('/schools');
      }
    } catch (error) {
      const current = isApiError(error) && error.code === 'version_conflict' ? conflictCurrent<School>(error.details) : null;
      if (current) {
        setConflict(current);
      } else {
        setErrors(fieldErrorsFrom(error) as Errors);
        setFailure(error);
      }
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!school) return;
    setBusy(true);
    setFailure(null);
    try {
      await api.schools.remove(school.id, school.version);
      setFlash(t('schools.deleted'));
      navigate('/schools');
    } catch (error) {
      setFailure(error);
      setConfirmingDelete(false);
      setBusy(false);
    }
  };

  const title = editing ? t('schools.editTitle', { code: school?.code ?? '' }) : t('schools.newTitle');

  if (editing && loadError) {
    const missing = isApiError(loadError) && loadError.status === 404;
    return (
      <section data-testid="school-form-page">
        <PageTitle>{title}</PageTitle>
        {missing ? <Alert kind="error">{t('schools.notFound')}</Alert> : <ErrorAlert error={loadError} />}
        <Link href="/schools" class="button">
          ← {t('schools.title')}
        </Link>
      </section>
    );
  }
  if (editing && !school) return <Loading />;

  return (
    <section data-testid="school-form-page">
      <p class="breadcrumb">
        <Link href="/schools">← {t('schools.title')}</Link>
      </p>
      <div class="page-head">
        <PageTitle>{title}</PageTitle>
        {school ? (
          <Link href={`/audit?entity=school&entityId=${encodeURIComponent(school.id)}`} testid="school-history">
            {t('audit.history')}
          </Link>
        ) : null}
      </div>
      {notice ? <Alert kind="success">{notice}</Alert> : null}
      {conflict ? (
        <ConflictNotice
          differences={(['name', 'region', 'county', 'setting', 'timeZone'] as const)
            .map((key) => {
              const theirs = toForm(conflict)[key];
              const mine = form[key];
              const show = (v: string) => (key === 'setting' && v ? t(`setting.${v as Setting}`) : v);
              return { label: t(`schools.${key}`), theirs: show(theirs), mine: show(mine) };
            })
            .filter((d) => d.theirs !== d.mine)}
          onLoadTheirs={() => {
            setSchool(conflict);
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
      <form class="form card" onSubmit={submit} noValidate data-testid="school-form">
        <Field label={t('schools.name')} error={errors.name} required>
          {(c) => (
            <input
              {...c}
              name="name"
              data-testid="school-name"
              maxLength={accountLimits.schoolNameMax}
              value={form.name}
              onInput={(e) => set('name', e.currentTarget.value)}
            />
          )}
        </Field>
        <div class="form-row">
          <Field label={t('schools.region')} hint={t('schools.regionHint')} error={errors.region} required>
            {(c) => (
              <input
                {...c}
                name="region"
                data-testid="school-region"
                maxLength={accountLimits.regionMax}
                value={form.region}
                onInput={(e) => set('region', e.currentTarget.value)}
              />
            )}
          </Field>
          <Field label={t('schools.county')} error={errors.county} required>
            {(c) => (
              <input
                {...c}
                name="county"
                data-testid="school-county"
                maxLength={accountLimits.regionMax}
                value={form.county}
                onInput={(e) => set('county', e.currentTarget.value)}
              />
            )}
          </Field>
        </div>
        <fieldset
          class={`field choice-group${errors.setting ? ' field-invalid' : ''}`}
          data-testid="school-setting"
          aria-describedby={errors.setting ? 'school-setting-error' : undefined}
        >
          <legend>
            {t('schools.setting')} <span class="required">({t('field.required')})</span>
          </legend>
          <div class="segmented">
            {SETTINGS.map((setting) => (
              <label key={setting} class="choice">
                <input
                  type="radio"
                  name="setting"
                  value={setting}
                  data-testid={`school-setting-${setting}`}
                  checked={form.setting === setting}
                  aria-invalid={errors.setting ? 'true' : undefined}
                  onChange={() => set('setting', setting)}
                />
                <span>{t(`setting.${setting}`)}</span>
              </label>
            ))}
          </div>
          {errors.setting ? (
            <p class="field-error" id="school-setting-error" data-testid="field-error">
              {errors.setting}
            </p>
          ) : null}
        </fieldset>
        <Field label={t('schools.timeZone')} hint={t('schools.timeZoneHint')} error={errors.timeZone}>
          {(c) => (
            <input
              {...c}
              name="timeZone"
              data-testid="school-time-zone"
              list="time-zones"
              autocapitalize="none"
              spellcheck={false}
              value={form.timeZone}
              onInput={(e) => set('timeZone', e.currentTarget.value)}
            />
          )}
        </Field>
        <datalist id="time-zones">
          {zones.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
        <div class="actions">
          <button type="submit" class="button button-primary" data-testid="school-save" disabled={busy}>
            {busy ? t('common.saving') : editing ? t('common.save') : t('common.create')}
          </button>
          <Link href="/schools" class="button button-secondary">
            {t('common.cancel')}
          </Link>
        </div>
      </form>
      {school ? (
        <div class="danger-zone" data-testid="school-delete-zone">
          {confirmingDelete ? (
            <div class="confirm" role="group" aria-label={t('common.delete')}>
              <p>{t('schools.confirmDelete', { name: school.name })}</p>
              <div class="actions">
                <button
                  type="button"
                  class="button button-danger"
                  data-testid="school-delete-confirm"
                  disabled={busy}
                  onClick={() => void remove()}
                >
                  {busy ? t('common.deleting') : t('common.delete')}
                </button>
                <button type="button" class="button button-secondary" onClick={() => setConfirmingDelete(false)}>
                  {t('common.cancel')}
                </button>
              </div>
            </div>
          ) : (
            <button
              type="button"
              class="button button-danger-outline"
              data-testid="school-delete"
              onClick={() => setConfirmingDelete(true)}
            >
              {t('common.delete')}
            </button>
          )}
        </div>
      ) : null}
    </section>
  );
}

// Plan a programme: groups, arm, weeks, weekly pattern, activities, evidence profile, days off.
// The plan check beside the form is computed here with shared/checkPlan on every keystroke — no
// server round trip — and is the same function the server runs on save.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ACTIVITY_CATALOG } from '../../../../shared/domain/activities.ts';
import { addDays, daysBetween, isValidIsoDate, isoWeekday, schoolToday } from '../../../../shared/domain/dates.ts';
import { BUILT_IN_PROFILES, seedReviewProfile } from '../../../../shared/domain/evidence.ts';
import type { IntensityLevel } from '../../../../shared/domain/intensity.ts';
import { checkPlan } from '../../../../shared/domain/plan-check.ts';
import { programmeEndDate } from '../../../../shared/domain/schedule.ts';
import { createProgrammeSchema } from '../../../../shared/schemas/programmes-api.ts';
import type { ProgrammePlan } from '../../../../shared/schemas/programme.ts';
import { isApiError } from '../../api/client.ts';
import { programmesApi, type Arm, type FormOptions, type Programme, type ProgrammeInput } from '../../api/programmes.ts';
import { ConflictNotice, conflictCurrent } from '../../components/Conflict.tsx';
import { Alert, Field, Link, Loading, PageTitle } from '../../components/ui.tsx';
import { setFlash, takeFlash } from '../../flash.ts';
import { useT } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { useSession } from '../../session.ts';
import { countPassed, featureErrorText, formatDay, WEEKDAYS, weekdayKey } from './common.tsx';
import { PlanCheckPanel } from './PlanCheckPanel.tsx';
import './programmes.css';

interface SlotForm {
  weekday: number;
  startTime: string;
  minutes: string;
}
interface BlockForm {
  activityCode: string;
  minutes: string;
  targetIntensity: IntensityLevel;
}
interface Form {
  name: string;
  schoolIds: string[];
  groupIds: string[];
  arm: Arm;
  startDate: string;
  plannedWeeks: string;
  slots: SlotForm[];
  blocks: BlockForm[];
  evidenceProfileId: string;
  exclusionDates: string[];
}
type Errors = Partial<Record<keyof Form | 'weeklyPattern' | 'activityBlocks', string>>;

const INTENSITIES: IntensityLevel[] = ['light', 'moderate', 'vigorous'];
/** Longest day range one "add" may exclude (a long holiday is added in parts; keeps typos small). */
const MAX_RANGE_DAYS = 60;

function nextMonday(): string {
  const today = schoolToday(new Date());
  return addDays(today, ((8 - isoWeekday(today)) % 7) || 7);
}

function emptyForm(options: FormOptions | null): Form {
  return {
    name: '',
    schoolIds: options && options.schools.length === 1 ? [options.schools[0]!.id] : [],
    groupIds: [],
    arm: 'intervention',
    startDate: nextMonday(),
    plannedWeeks: '',
    slots: [],
    blocks: [],
    evidenceProfileId: seedReviewProfile.id,
    exclusionDates: [],
  };
}

function toForm(p: Programme): Form {
  return {
    name: p.name,
    schoolIds: p.schoolIds,
    groupIds: p.groupIds,
    arm: p.arm,
    startDate: p.startDate,
    plannedWeeks: String(p.plannedWeeks),
    slots: p.weeklyPattern.map((s) => ({ weekday: s.weekday, startTime: s.startTime, minutes: String(s.minutes) })),
    blocks: p.activityBlocks.map((b) => ({ activityCode: b.activityCode, minutes: String(b.minutes), targetIntensity: b.targetIntensity })),
    evidenceProfileId: p.evidenceProfileId,
    exclusionDates: p.exclusionDates,
  };
}

/** Whole number typed in a field; anything else counts as 0 for the live check. */
const int = (s: string) => (/^\d{1,4}$/.test(s.trim()) ? Number(s.trim()) : 0);

function toInput(form: Form): ProgrammeInput {
  return {
    name: form.name.trim(),
    schoolIds: form.schoolIds,
    groupIds: form.groupIds,
    arm: form.arm,
    startDate: form.startDate,
    plannedWeeks: int(form.plannedWeeks),
    weeklyPattern: form.slots.map((s) => ({ weekday: s.weekday, startTime: s.startTime, minutes: int(s.minutes) })),
    activityBlocks: form.blocks.map((b) => ({ activityCode: b.activityCode, minutes: int(b.minutes), targetIntensity: b.targetIntensity })),
    evidenceProfileId: form.evidenceProfileId,
    exclusionDates: form.exclusionDates,
  };
}

function toPlan(form: Form): ProgrammePlan {
  const input = toInput(form);
  return {
    startDate: isValidIsoDate(input.startDate) ? input.startDate : '2000-01-03',
    plannedWeeks: input.plannedWeeks,
    weeklyPattern: input.weeklyPattern,
    activityBlocks: input.activityBlocks,
    evidenceProfileId: input.evidenceProfileId,
    // The live check follows the exclusion dates and the arm as they are edited (issue 9).
    exclusionDates: input.exclusionDates.filter(isValidIsoDate),
    arm: input.arm,
  };
}

export function ProgrammeFormView(props: { programmeId: string | null }) {
  const { t, lng } = useT();
  const session = useSession();
  const canWrite = session.user.role === 'admin' || session.user.role === 'pe_teacher';
  const canSeeSchedule = session.user.role !== 'researcher';
  const editing = props.programmeId !== null;
  const [options, setOptions] = useState<FormOptions | null>(null);
  const [programme, setProgramme] = useState<Programme | null>(null);
  const [form, setForm] = useState<Form>(() => emptyForm(null));
  const [version, setVersion] = useState(0);
  const [errors, setErrors] = useState<Errors>({});
  const [loadError, setLoadError] = useState<unknown>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [conflict, setConflict] = useState<Programme | null>(null);
  // "Programme created; 36 sessions scheduled." arrives as a flash from the create navigation.
  const [notice, setNotice] = useState<string | null>(takeFlash);
  const [busy, setBusy] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);
  const [rangeFrom, setRangeFrom] = useState('');
  const [rangeTo, setRangeTo] = useState('');
  const [rangeError, setRangeError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const load = async () => {
      const opts = await programmesApi.formOptions();
      if (!live) return;
      setOptions(opts);
      if (props.programmeId === null) {
        setForm(emptyForm(opts));
        return;
      }
      const found = await programmesApi.get(props.programmeId);
      if (!live) return;
      setProgramme(found);
      setForm(toForm(found));
      setVersion(found.version);
    };
    load().catch((e: unknown) => live && setLoadError(e));
    return () => {
      live = false;
    };
  }, [props.programmeId]);

  const profile = BUILT_IN_PROFILES.find((p) => p.id === form.evidenceProfileId) ?? seedReviewProfile;
  const checks = useMemo(() => checkPlan(toPlan(form), profile), [form, profile]);
  const { pass, total } = countPassed(checks);
  const profileName = (p: typeof profile) => (lng.startsWith('zh') ? p.name.zh : p.name.en);

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => ({ ...f, [key]: value }));
  const groupsOffered = (options?.groups ?? []).filter((g) => form.schoolIds.includes(g.schoolId));
  const endDate = isValidIsoDate(form.startDate) && int(form.plannedWeeks) > 0 ? programmeEndDate(form.startDate, int(form.plannedWeeks)) : null;

  const toggleDay = (weekday: number) =>
    setForm((f) => {
      if (f.slots.some((s) => s.weekday === weekday)) return { ...f, slots: f.slots.filter((s) => s.weekday !== weekday) };
      const last = f.slots.at(-1);
      const slot = { weekday, startTime: last?.startTime ?? '16:00', minutes: last?.minutes ?? '40' };
      return { ...f, slots: [...f.slots, slot].sort((a, b) => a.weekday - b.weekday || a.startTime.localeCompare(b.startTime)) };
    });
  const setSlot = (i: number, patch: Partial<SlotForm>) => setForm((f) => ({ ...f, slots: f.slots.map((s, j) => (j === i ? { ...s, ...patch } : s)) }));
  const setBlock = (i: number, patch: Partial<BlockForm>) => setForm((f) => ({ ...f, blocks: f.blocks.map((b, j) => (j === i ? { ...b, ...patch } : b)) }));
  const addBlock = () =>
    setForm((f) => ({ ...f, blocks: [...f.blocks, { activityCode: f.blocks.length === 0 ? 'warm-up' : 'running', minutes: f.blocks.length === 0 ? '5' : '20', targetIntensity: f.blocks.length === 0 ? 'light' : 'moderate' }] }));

  const addExclusion = () => {
    setRangeError(null);
    if (!isValidIsoDate(rangeFrom)) return setRangeError(t('validation.required'));
    const to = rangeTo && isValidIsoDate(rangeTo) ? rangeTo : rangeFrom;
    const span = daysBetween(rangeFrom, to);
    if (span < 0 || span >= MAX_RANGE_DAYS) return setRangeError(t('programmes.form.rangeTooLong'));
    const days = Array.from({ length: span + 1 }, (_, i) => addDays(rangeFrom, i));
    set('exclusionDates', [...new Set([...form.exclusionDates, ...days])].sort());
    setRangeFrom('');
    setRangeTo('');
  };

  const validate = (): Errors => {
    const input = toInput(form);
    const result = createProgrammeSchema.safeParse({ ...input, plannedWeeks: form.plannedWeeks.trim() === '' ? undefined : input.plannedWeeks });
    const found: Errors = {};
    if (!result.success) {
      for (const issue of result.error.issues) {
        const key = String(issue.path[0] ?? 'name') as keyof Errors;
        found[key] ??= (key === 'name' && !input.name) || (key === 'plannedWeeks' && !form.plannedWeeks.trim()) ? t('validation.required') : issue.message;
      }
    }
    if (form.slots.some((s) => int(s.minutes) < 1)) found.weeklyPattern ??= t('validation.required');
    return found;
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    setFailure(null);
    setNotice(null);
    if (Object.keys(found).length > 0) {
      setFailure(new Error(t('programmes.form.fixErrors')));
      return;
    }
    setBusy(true);
    try {
      if (programme) {
        const saved = await programmesApi.update(programme.id, { ...toInput(form), version });
        setProgramme(saved);
        setForm(toForm(saved));
        setVersion(saved.version);
        setConflict(null);
        const s = saved.schedule;
        setNotice(s && s.created + s.updated + s.removed > 0 ? t('programmes.form.scheduleChanged', { ...s }) : t('programmes.form.saved'));
      } else {
        const created = await programmesApi.create(toInput(form));
        setFlash(t('programmes.form.created', { count: created.schedule?.created ?? 0 }));
        navigate(`/programmes/${encodeURIComponent(created.id)}`);
      }
    } catch (error) {
      const current = isApiError(error) && error.code === 'version_conflict' ? conflictCurrent<Programme>(error.details) : null;
      if (current) setConflict(current);
      else setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!programme) return;
    setBusy(true);
    setFailure(null);
    try {
      await programmesApi.remove(programme.id, programme.version);
      setFlash(t('programmes.form.deleted'));
      navigate('/programmes');
    } catch (error) {
      setFailure(error);
      setConfirmingDelete(false);
      setBusy(false);
    }
  };

  const title = editing ? t('programmes.form.editTitle', { name: programme?.name ?? '' }) : t('programmes.form.newTitle');
  if (loadError) {
    return (
      <section data-testid="programme-form-page">
        <PageTitle>{title}</PageTitle>
        <Alert kind="error">{featureErrorText(loadError)}</Alert>
        <Link href="/programmes" class="button">
          ← {t('programmes.title')}
        </Link>
      </section>
    );
  }
  if (!options || (editing && !programme)) return <Loading />;

  const totalBlockMinutes = form.blocks.reduce((acc, b) => acc + int(b.minutes), 0);

  return (
    <section data-testid="programme-form-page">
      <p class="breadcrumb">
        <Link href="/programmes">← {t('programmes.title')}</Link>
      </p>
      <div class="page-head">
        <PageTitle>{title}</PageTitle>
        {programme && canSeeSchedule ? (
          <Link href={`/programmes/${encodeURIComponent(programme.id)}/schedule`} class="button" testid="programme-open-schedule">
            {t('programmes.form.openSchedule')}
          </Link>
        ) : null}
      </div>
      {!canWrite ? <Alert kind="info">{t('programmes.form.readOnly')}</Alert> : null}
      {notice ? <Alert kind="success">{notice}</Alert> : null}
      {conflict ? (
        <ConflictNotice
          differences={[
            { label: t('programmes.form.name'), theirs: conflict.name, mine: form.name },
            { label: t('programmes.form.plannedWeeks'), theirs: String(conflict.plannedWeeks), mine: form.plannedWeeks },
            { label: t('programmes.form.startDate'), theirs: conflict.startDate, mine: form.startDate },
            {
              label: t('programmes.form.pattern'),
              theirs: conflict.weeklyPattern.map((s) => `${t(`programmes.weekday.${weekdayKey(s.weekday)}`)} ${s.startTime} ${s.minutes}′`).join(', '),
              mine: form.slots.map((s) => `${t(`programmes.weekday.${weekdayKey(s.weekday)}`)} ${s.startTime} ${s.minutes}′`).join(', '),
            },
          ].filter((d) => d.theirs !== d.mine)}
          onLoadTheirs={() => {
            setProgramme(conflict);
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
      {failure ? (
        <Alert kind="error" focus code={isApiError(failure) ? failure.code : undefined}>
          {failure instanceof Error && !isApiError(failure) ? failure.message : featureErrorText(failure)}
        </Alert>
      ) : null}

      <div class="programme-layout">
        <form class="form programme-form" onSubmit={submit} noValidate data-testid="programme-form">
          <fieldset class="plain-fieldset" disabled={!canWrite}>
            <div class="card form">
              <Field label={t('programmes.form.name')} hint={t('programmes.form.nameHint')} error={errors.name} required>
                {(c) => <input {...c} name="name" data-testid="programme-name" maxLength={120} value={form.name} onInput={(e) => set('name', e.currentTarget.value)} />}
              </Field>

              {options.schools.length > 1 || form.schoolIds.length !== 1 ? (
                <fieldset class={`field${errors.schoolIds ? ' field-invalid' : ''}`} data-testid="programme-schools">
                  <legend>{t('programmes.form.schools')}</legend>
                  <ul class="checkbox-list">
                    {options.schools.map((s) => (
                      <li key={s.id}>
                        <label class="check">
                          <input
                            type="checkbox"
                            checked={form.schoolIds.includes(s.id)}
                            data-testid={`programme-school-${s.code}`}
                            onChange={(e) =>
                              setForm((f) => {
                                const on = e.currentTarget.checked;
                                const schoolIds = on ? [...f.schoolIds, s.id] : f.schoolIds.filter((x) => x !== s.id);
                                const keep = new Set((options.groups ?? []).filter((g) => schoolIds.includes(g.schoolId)).map((g) => g.id));
                                return { ...f, schoolIds, groupIds: f.groupIds.filter((g) => keep.has(g)) };
                              })
                            }
                          />
                          <span>
                            {s.name} <span class="muted code">{s.code}</span>
                          </span>
                        </label>
                      </li>
                    ))}
                  </ul>
                  {errors.schoolIds ? <p class="field-error">{errors.schoolIds}</p> : null}
                </fieldset>
              ) : null}

              <fieldset class={`field${errors.groupIds ? ' field-invalid' : ''}`} data-testid="programme-groups">
                <legend>{t('programmes.form.groups')}</legend>
                {form.schoolIds.length === 0 ? (
                  <p class="field-hint">{t('programmes.form.chooseSchool')}</p>
                ) : groupsOffered.length === 0 ? (
                  <p class="field-hint">{t('programmes.form.noGroups')}</p>
                ) : (
                  <ul class="checkbox-list">
                    {groupsOffered.map((g) => (
                      <li key={g.id}>
                        <label class="check">
                          <input
                            type="checkbox"
                            checked={form.groupIds.includes(g.id)}
                            data-testid="programme-group"
                            data-group-name={g.name}
                            onChange={(e) => {
                              const on = e.currentTarget.checked;
                              set('groupIds', on ? [...form.groupIds, g.id] : form.groupIds.filter((x) => x !== g.id));
                            }}
                          />
                          <span>{g.name}</span>
                        </label>
                      </li>
                    ))}
                  </ul>
                )}
                <p class="field-hint">{t('programmes.form.groupsHint')}</p>
                {errors.groupIds ? <p class="field-error">{errors.groupIds}</p> : null}
              </fieldset>

              <fieldset class="field" data-testid="programme-arm">
                <legend>{t('programmes.col.arm')}</legend>
                <div class="segmented">
                  {(['intervention', 'control'] as const).map((arm) => (
                    <label key={arm} class="choice">
                      <input type="radio" name="arm" value={arm} checked={form.arm === arm} data-testid={`programme-arm-${arm}`} onChange={() => set('arm', arm)} />
                      <span>{t(`programmes.arm.${arm}`)}</span>
                    </label>
                  ))}
                </div>
                <p class="field-hint">{t('programmes.armHint')}</p>
              </fieldset>

              <div class="form-row">
                <Field label={t('programmes.form.startDate')} error={errors.startDate} required>
                  {(c) => <input {...c} type="date" name="startDate" data-testid="programme-start" value={form.startDate} onInput={(e) => set('startDate', e.currentTarget.value)} />}
                </Field>
                <Field label={t('programmes.form.plannedWeeks')} hint={endDate ? t('programmes.form.ends', { date: formatDay(endDate, lng, 'long') }) : undefined} error={errors.plannedWeeks} required>
                  {(c) => (
                    <input
                      {...c}
                      type="number"
                      inputMode="numeric"
                      min={1}
                      max={104}
                      name="plannedWeeks"
                      data-testid="programme-weeks"
                      value={form.plannedWeeks}
                      onInput={(e) => set('plannedWeeks', e.currentTarget.value)}
                    />
                  )}
                </Field>
              </div>
            </div>

            <div class="card form">
              <fieldset class={`field${errors.weeklyPattern ? ' field-invalid' : ''}`} data-testid="programme-pattern">
                <legend>{t('programmes.form.pattern')}</legend>
                <p class="field-hint">{t('programmes.form.patternHint')}</p>
                <div class="day-chips" role="group" aria-label={t('programmes.form.pattern')}>
                  {WEEKDAYS.map((d) => {
                    const on = form.slots.some((s) => s.weekday === d.n);
                    return (
                      <button
                        type="button"
                        key={d.n}
                        class={`day-chip${on ? ' on' : ''}`}
                        aria-pressed={on ? 'true' : 'false'}
                        data-testid={`day-${d.key}`}
                        onClick={() => toggleDay(d.n)}
                      >
                        {t(`programmes.weekday.${d.key}`)}
                      </button>
                    );
                  })}
                </div>
                {form.slots.length === 0 ? <p class="muted">{t('programmes.form.noSlots')}</p> : null}
                <ul class="slot-list">
                  {form.slots.map((s, i) => {
                    const day = t(`programmes.weekdayLong.${weekdayKey(s.weekday)}`);
                    return (
                      <li key={`${s.weekday}-${i}`} class="slot-row" data-testid="slot-row" data-weekday={s.weekday}>
                        <span class="slot-day">{day}</span>
                        <label class="inline-field">
                          <span>{t('programmes.form.startTime')}</span>
                          <input type="time" value={s.startTime} data-testid="slot-time" aria-label={`${day} ${t('programmes.form.startTime')}`} onInput={(e) => setSlot(i, { startTime: e.currentTarget.value })} />
                        </label>
                        <label class="inline-field">
                          <span>{t('programmes.form.minutes')}</span>
                          <input
                            type="number"
                            inputMode="numeric"
                            min={1}
                            max={240}
                            value={s.minutes}
                            data-testid="slot-minutes"
                            aria-label={`${day} ${t('programmes.form.minutes')}`}
                            onInput={(e) => setSlot(i, { minutes: e.currentTarget.value })}
                          />
                        </label>
                        <button type="button" class="button button-secondary button-icon" aria-label={t('programmes.form.removeSlot', { day })} onClick={() => setForm((f) => ({ ...f, slots: f.slots.filter((_, j) => j !== i) }))}>
                          ×
                        </button>
                      </li>
                    );
                  })}
                </ul>
                {errors.weeklyPattern ? <p class="field-error">{errors.weeklyPattern}</p> : null}
              </fieldset>

              <fieldset class={`field${errors.activityBlocks ? ' field-invalid' : ''}`} data-testid="programme-activities">
                <legend>{t('programmes.form.activities')}</legend>
                <p class="field-hint">{t('programmes.form.activitiesHint')}</p>
                <ol class="block-list">
                  {form.blocks.map((b, i) => (
                    <li key={i} class="block-row" data-testid="block-row">
                      <label class="inline-field block-activity">
                        <span>{t('programmes.form.activity')}</span>
                        <select value={b.activityCode} data-testid="block-activity" onChange={(e) => setBlock(i, { activityCode: e.currentTarget.value })}>
                          {ACTIVITY_CATALOG.map((a) => (
                            <option key={a.code} value={a.code}>
                              {lng.startsWith('zh') ? a.name.zh : a.name.en} ({t(`programmes.form.activityType.${a.type}`)})
                            </option>
                          ))}
                        </select>
                      </label>
                      <label class="inline-field">
                        <span>{t('programmes.form.minutes')}</span>
                        <input type="number" inputMode="numeric" min={1} max={240} value={b.minutes} data-testid="block-minutes" onInput={(e) => setBlock(i, { minutes: e.currentTarget.value })} />
                      </label>
                      <label class="inline-field">
                        <span>{t('programmes.form.intensity')}</span>
                        <select value={b.targetIntensity} data-testid="block-intensity" onChange={(e) => setBlock(i, { targetIntensity: e.currentTarget.value as IntensityLevel })}>
                          {INTENSITIES.map((level) => (
                            <option key={level} value={level}>
                              {t(`programmes.intensity.${level}`)}
                            </option>
                          ))}
                        </select>
                      </label>
                      <button type="button" class="button button-secondary button-icon" aria-label={t('programmes.form.removeActivity', { n: i + 1 })} onClick={() => setForm((f) => ({ ...f, blocks: f.blocks.filter((_, j) => j !== i) }))}>
                        ×
                      </button>
                    </li>
                  ))}
                </ol>
                {form.blocks.length > 0 ? <p class="field-hint">{t('programmes.form.totalMinutes', { minutes: totalBlockMinutes })}</p> : null}
                <div>
                  <button type="button" class="button button-secondary" data-testid="block-add" onClick={addBlock}>
                    + {t('programmes.form.addActivity')}
                  </button>
                </div>
                {errors.activityBlocks ? <p class="field-error">{errors.activityBlocks}</p> : null}
              </fieldset>

              <Field label={t('programmes.form.profile')} error={errors.evidenceProfileId}>
                {(c) => (
                  <select {...c} value={form.evidenceProfileId} data-testid="programme-profile" onChange={(e) => set('evidenceProfileId', e.currentTarget.value)}>
                    {BUILT_IN_PROFILES.map((p) => (
                      <option key={p.id} value={p.id}>
                        {profileName(p)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </div>

            <div class="card form">
              <fieldset class={`field${errors.exclusionDates || rangeError ? ' field-invalid' : ''}`} data-testid="programme-exclusions">
                <legend>{t('programmes.form.exclusions')}</legend>
                <p class="field-hint">{t('programmes.form.exclusionsHint')}</p>
                <div class="range-row">
                  <label class="inline-field">
                    <span>{t('programmes.form.from')}</span>
                    <input type="date" value={rangeFrom} data-testid="exclusion-from" onInput={(e) => setRangeFrom(e.currentTarget.value)} />
                  </label>
                  <label class="inline-field">
                    <span>{t('programmes.form.to')}</span>
                    <input type="date" value={rangeTo} data-testid="exclusion-to" onInput={(e) => setRangeTo(e.currentTarget.value)} />
                  </label>
                  <button type="button" class="button button-secondary" data-testid="exclusion-add" onClick={addExclusion}>
                    {t('programmes.form.addExclusion')}
                  </button>
                </div>
                {rangeError ? <p class="field-error">{rangeError}</p> : null}
                {errors.exclusionDates ? <p class="field-error">{errors.exclusionDates}</p> : null}
                {form.exclusionDates.length === 0 ? (
                  <p class="muted">{t('programmes.form.noExclusions')}</p>
                ) : (
                  <ul class="date-chips" data-testid="exclusion-list">
                    {form.exclusionDates.map((d) => (
                      <li key={d}>
                        <span>{formatDay(d, lng)}</span>
                        <button type="button" aria-label={t('programmes.form.removeDate', { date: d })} onClick={() => set('exclusionDates', form.exclusionDates.filter((x) => x !== d))}>
                          ×
                        </button>
                      </li>
                    ))}
                  </ul>
                )}
              </fieldset>
            </div>

            {canWrite ? (
              <div class="actions">
                <button type="submit" class="button button-primary" data-testid="programme-save" disabled={busy}>
                  {busy ? t('common.saving') : editing ? t('common.save') : t('common.create')}
                </button>
                <Link href="/programmes" class="button button-secondary">
                  {t('common.cancel')}
                </Link>
              </div>
            ) : null}
          </fieldset>
        </form>

        <aside class="programme-aside">
          <PlanCheckPanel checks={checks} profileName={profileName(profile)} />
        </aside>
      </div>

      <a href="#plan-check" class={`check-bar${pass === total ? ' all-pass' : ''}`} data-testid="check-bar">
        <span>{t('programmes.check.summary', { pass, total })}</span>
        <span aria-hidden="true">↓</span>
      </a>

      {programme && canWrite ? (
        <div class="danger-zone" data-testid="programme-delete-zone">
          {confirmingDelete ? (
            <div class="confirm" role="group" aria-label={t('common.delete')}>
              <p>{t('programmes.form.confirmDelete', { name: programme.name })}</p>
              <div class="actions">
                <button type="button" class="button button-danger" data-testid="programme-delete-confirm" disabled={busy} onClick={() => void remove()}>
                  {busy ? t('common.deleting') : t('common.delete')}
                </button>
                <button type="button" class="button button-secondary" onClick={() => setConfirmingDelete(false)}>
                  {t('common.cancel')}
                </button>
              </div>
            </div>
          ) : (
            <button type="button" class="button button-danger-outline" data-testid="programme-delete" onClick={() => setConfirmingDelete(true)}>
              {t('common.delete')}
            </button>
          )}
        </div>
      ) : null}
    </section>
  );
}

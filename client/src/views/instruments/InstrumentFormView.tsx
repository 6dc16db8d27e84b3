// Create or edit an instrument definition by form or JSON import; checked live against the shared
// `instrumentDefinitionSchema`. Editing a version that has answers saves a new version.
import { useEffect, useState } from 'preact/hooks';
import { instrumentDefinitionSchema, instrumentDomainSchema, type InstrumentDefinition } from '../../../../shared/schemas/instrument.ts';
import { findUnportableKey } from '../../../../shared/schemas/instruments-api.ts';
import { assessmentsApi, type Instrument } from '../../api/assessments.ts';
import { Loading, PageTitle } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { useSession } from '../../session.ts';
import { FlowError } from '../assessments/common.tsx';
import { definitionFromForm, emptyForm, formFromDefinition, type InstrumentForm } from './form-model.ts';

function issuesOf(value: unknown): string[] {
  const bad = findUnportableKey(value);
  const parsed = instrumentDefinitionSchema.safeParse(value);
  const out = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  if (bad) out.unshift(`${bad}: "." / "$"`);
  return out;
}

export function InstrumentFormView(props: { code: string | null }) {
  const { t } = useT();
  const { user } = useSession();
  const isAdmin = user.role === 'admin';
  const [existing, setExisting] = useState<Instrument | null>(null);
  const [form, setForm] = useState<InstrumentForm>(emptyForm);
  const [base, setBase] = useState<InstrumentDefinition | null>(null);
  const [json, setJson] = useState('');
  const [importMsg, setImportMsg] = useState<{ ok: boolean; lines: string[] } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    if (!props.code) return;
    assessmentsApi.instruments
      .get(props.code)
      .then((i) => {
        setExisting(i);
        setBase(i.definition);
        setForm(formFromDefinition(i.definition));
      })
      .catch(setError);
  }, [props.code]);

  if (props.code && !existing) return error ? <FlowError error={error} /> : <Loading />;

  const definition = definitionFromForm(form, base);
  const problems = issuesOf(definition);
  const set = <K extends keyof InstrumentForm>(key: K, value: InstrumentForm[K]) => {
    setTouched(true);
    setForm((f) => ({ ...f, [key]: value }));
  };

  const applyImport = () => {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch (e) {
      setImportMsg({ ok: false, lines: [t('assessments.instrumentForm.importBadJson', { message: e instanceof Error ? e.message : String(e) })] });
      return;
    }
    const found = issuesOf(value);
    if (found.length > 0) {
      setImportMsg({ ok: false, lines: found });
      return;
    }
    const d = instrumentDefinitionSchema.parse(value);
    if (existing && d.code !== existing.code) {
      setImportMsg({ ok: false, lines: [`code: ${existing.code}`] });
      return;
    }
    setBase(d);
    setForm(formFromDefinition(d));
    setTouched(true);
    setImportMsg({ ok: true, lines: [t('assessments.instrumentForm.importOk')] });
  };

  const save = async () => {
    setTouched(true);
    if (problems.length > 0) return;
    setSaving(true);
    setError(null);
    try {
      if (existing) {
        const saved = await assessmentsApi.instruments.update(existing.code, { basedOnVersion: existing.version, revision: existing.revision, definition });
        setExisting({ ...saved, answerCount: 0 });
        setBase(saved.definition);
        setNotice(saved.createdNewVersion ? t('assessments.instrumentForm.savedNew', { version: saved.version }) : t('assessments.instrumentForm.saved'));
      } else {
        const saved = await assessmentsApi.instruments.create(definition);
        navigate(`/instruments/${encodeURIComponent(saved.code)}`);
      }
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  const text = (key: keyof InstrumentForm, label: string, hint?: string, type: 'text' | 'number' = 'text') => (
    <label class="field">
      <span>{label}</span>
      <input
        type={type as "text"}
        value={form[key] as string}
        disabled={!isAdmin || (key === 'code' && !!existing)}
        data-testid={`if-${key}`}
        onInput={(e) => set(key, (e.target as HTMLInputElement).value as never)}
      />
      {hint ? <span class="field-hint">{hint}</span> : null}
    </label>
  );

  return (
    <section data-testid="instrument-form-page">
      <PageTitle>{existing ? t('assessments.instrumentForm.editTitle', { code: existing.code, version: existing.version }) : t('assessments.instrumentForm.newTitle')}</PageTitle>
      {!isAdmin ? <p class="muted">{t('assessments.instrumentForm.viewOnly')}</p> : null}
      {existing && isAdmin ? (
        <p class="alert alert-info" data-testid="version-note">
          {(existing.answerCount ?? 0) > 0
            ? t('assessments.instrumentForm.versionNote', { count: existing.answerCount, version: existing.version, next: existing.version + 1 })
            : t('assessments.instrumentForm.versionNoteFree')}
        </p>
      ) : null}
      {notice ? (
        <div class="alert alert-success" role="status" data-testid="notice">
          {notice}
        </div>
      ) : null}
      <FlowError error={error} />
      {isAdmin ? (
        <details class="card json-import" open={!existing}>
          <summary>{t('assessments.instrumentForm.importTitle')}</summary>
          <p class="muted">{t('assessments.instrumentForm.importHint')}</p>
          <label class="field">
            <span>{t('assessments.instrumentForm.importFile')}</span>
            <input
              type="file"
              accept="application/json,.json"
              onChange={async (e) => {
                const file = (e.target as HTMLInputElement).files?.[0];
                if (file) setJson(await file.text());
              }}
            />
          </label>
          <label class="field">
            <span>{t('assessments.instrumentForm.importText')}</span>
            <textarea value={json} data-testid="if-json" onInput={(e) => setJson((e.target as HTMLTextAreaElement).value)} />
          </label>
          <button type="button" class="button button-secondary" data-testid="if-import" onClick={applyImport}>
            {t('assessments.instrumentForm.importApply')}
          </button>
          {importMsg ? (
            <ul class={importMsg.ok ? '' : 'problems'} data-testid="if-import-result">
              {importMsg.lines.map((l, i) => (
                <li key={i}>{l}</li>
              ))}
            </ul>
          ) : null}
        </details>
      ) : null}
      <form
        class="form card"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <div class="form-row">
          {text('code', t('assessments.instrumentForm.code'), t('assessments.instrumentForm.codeHint'))}
          {text('label', t('assessments.instrumentForm.label'), t('assessments.instrumentForm.labelHint'))}
        </div>
        <div class="form-row">
          {text('nameEn', t('assessments.instrumentForm.nameEn'))}
          {text('nameZh', t('assessments.instrumentForm.nameZh'))}
        </div>
        <fieldset>
          <legend>{t('assessments.instrumentForm.languages')}</legend>
          {(['zh-CN', 'en'] as const).map((l) => (
            <label key={l} class="checkbox-line">
              <input
                type="checkbox"
                disabled={!isAdmin}
                checked={form.languages.includes(l)}
                onChange={(e) => set('languages', (e.target as HTMLInputElement).checked ? [...form.languages, l] : form.languages.filter((x) => x !== l))}
              />{' '}
              {l === 'zh-CN' ? '简体中文' : 'English'}
            </label>
          ))}
        </fieldset>
        <div class="form-row">
          {text('itemCount', t('assessments.instrumentForm.itemCount'), t('assessments.instrumentForm.itemTextNote'), 'number')}
          {text('min', t('assessments.instrumentForm.min'), undefined, 'number')}
          {text('max', t('assessments.instrumentForm.max'), undefined, 'number')}
          {text('maxMissing', t('assessments.instrumentForm.maxMissing'), undefined, 'number')}
        </div>
        {text('reverse', t('assessments.instrumentForm.reverse'), t('assessments.instrumentForm.reverseHint'))}
        <label class="field">
          <span>{t('assessments.instrumentForm.subscales')}</span>
          <textarea rows={5} value={form.subscales} disabled={!isAdmin} data-testid="if-subscales" onInput={(e) => set('subscales', (e.target as HTMLTextAreaElement).value)} />
          <span class="field-hint">{t('assessments.instrumentForm.subscalesHint')}</span>
        </label>
        <div class="form-row">
          <label class="field">
            <span>{t('assessments.instrumentForm.scoring')}</span>
            <select value={form.scoring} disabled={!isAdmin} onChange={(e) => set('scoring', (e.target as HTMLSelectElement).value as InstrumentForm['scoring'])}>
              <option value="sum">{t('assessments.scoringKind.sum')}</option>
              <option value="mean">{t('assessments.scoringKind.mean')}</option>
            </select>
          </label>
          <label class="field">
            <span>{t('assessments.instrumentForm.polarity')}</span>
            <select value={form.polarity} disabled={!isAdmin} onChange={(e) => set('polarity', (e.target as HTMLSelectElement).value as InstrumentForm['polarity'])}>
              <option value="higher-is-worse">{t('assessments.polarity.higher-is-worse')}</option>
              <option value="higher-is-better">{t('assessments.polarity.higher-is-better')}</option>
            </select>
          </label>
          <label class="field">
            <span>{t('assessments.instrumentForm.domain')}</span>
            <select value={form.domain} disabled={!isAdmin} onChange={(e) => set('domain', (e.target as HTMLSelectElement).value as InstrumentForm['domain'])}>
              {instrumentDomainSchema.options.map((d) => (
                <option key={d} value={d}>
                  {t(`assessments.domain.${d}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div class="form-row">
          {text('cutoff', t('assessments.instrumentForm.cutoff'), t('assessments.instrumentForm.cutoffHint'), 'number')}
          {text('cutoffEn', t('assessments.instrumentForm.cutoffLabelEn'))}
          {text('cutoffZh', t('assessments.instrumentForm.cutoffLabelZh'))}
        </div>
        <div class="form-row">
          {text('alpha', t('assessments.instrumentForm.alpha'), t('assessments.instrumentForm.alphaHint'), 'number')}
          {text('alphaSource', t('assessments.instrumentForm.alphaSource'))}
        </div>
        {text('licence', t('assessments.instrumentForm.licence'))}
        {touched && problems.length > 0 ? (
          <div class="alert alert-error" role="alert" data-testid="if-problems">
            {t('assessments.instrumentForm.problems')}
            <ul>
              {problems.map((p, i) => (
                <li key={i}>{p}</li>
              ))}
            </ul>
          </div>
        ) : null}
        {isAdmin ? (
          <div class="actions">
            <button type="submit" class="button button-primary" data-testid="if-save" disabled={saving}>
              {t('assessments.instrumentForm.save')}
            </button>
          </div>
        ) : null}
      </form>
    </section>
  );
}

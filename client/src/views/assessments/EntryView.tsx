// Keyboard-fast questionnaire entry: type a digit → the answer is set and the cursor moves to the
// next item; keys outside the instrument's range are refused on the spot; M marks an item missing
// (with a reason). The score, subscales, prorating and cut-off flags are shown live from the
// shared `scoreAssessment` — the same function the server stores the score with.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { schoolToday } from '../../../../shared/domain/dates.ts';
import { scoreAssessment, type AssessmentScore } from '../../../../shared/domain/scoring.ts';
import { isInWindow, missingReasons, type MissingReason, type WaveWindow } from '../../../../shared/schemas/assessments-api.ts';
import type { Wave } from '../../../../shared/schemas/child.ts';
import type { InstrumentDefinition } from '../../../../shared/schemas/instrument.ts';
import { assessmentsApi, newIdempotencyKey, type Assessment } from '../../api/assessments.ts';
import { isApiError } from '../../api/client.ts';
import { Link, Loading, PageTitle } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';
import { navigate } from '../../router.ts';
import { FlowError, ScorePanel, fmtScore, localName } from './common.tsx';

/** One cell: a number, missing with a reason, or not typed yet. */
type Cell = number | { missing: MissingReason } | undefined;

interface Context {
  definition: InstrumentDefinition;
  instrumentCode: string;
  instrumentVersion: number;
  programmeId: string;
  wave: Wave;
  window: WaveWindow | null;
  child: { id: string; code: string; displayName: string; guardianConsentDate: string | null };
  existing: Assessment | null;
}

export type EntryMode = { kind: 'create'; programmeId: string; wave: Wave; instrument: string; childId: string } | { kind: 'edit'; id: string } | { kind: 'second'; id: string };

function cellsFrom(a: Assessment | null, k: number): Cell[] {
  if (!a) return Array<Cell>(k).fill(undefined);
  const reasons = new Map(a.missing.map((m) => [m.item, m.reason]));
  return a.answers.map((x, i) => (x === null ? { missing: reasons.get(i + 1) ?? 'skipped' } : x));
}

export function toPayload(cells: readonly Cell[]): { answers: (number | null)[]; missing: { item: number; reason: MissingReason }[] } {
  const answers = cells.map((c) => (typeof c === 'number' ? c : null));
  const missing = cells.flatMap((c, i) => (c !== undefined && typeof c === 'object' ? [{ item: i + 1, reason: c.missing }] : []));
  return { answers, missing };
}

export function EntryView(props: { mode: EntryMode }) {
  const { t, lng } = useT();
  const { mode } = props;
  const [ctx, setCtx] = useState<Context | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [cells, setCells] = useState<Cell[]>([]);
  const [date, setDate] = useState(schoolToday(new Date()));
  const [current, setCurrent] = useState(0);
  const [refused, setRefused] = useState<{ item: number; n: number } | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [confirmOutside, setConfirmOutside] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const keyRef = useRef(newIdempotencyKey());
  const inputs = useRef<(HTMLInputElement | null)[]>([]);
  const saveRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      if (mode.kind === 'create') {
        const sheet = await assessmentsApi.assessments.entrySheet(mode.programmeId, mode.wave, mode.instrument);
        const child = sheet.children.find((c) => c.id === mode.childId);
        if (!child) throw new Error('child not in programme');
        if (child.assessment) {
          navigate(`/assessments/${child.assessment.id}`, { replace: true });
          return;
        }
        const c: Context = {
          definition: sheet.instrument.definition,
          instrumentCode: sheet.instrument.code,
          instrumentVersion: sheet.instrument.version,
          programmeId: mode.programmeId,
          wave: mode.wave,
          window: sheet.window,
          child,
          existing: null,
        };
        if (!cancelled) {
          setCtx(c);
          setCells(cellsFrom(null, c.definition.items.length));
          // Default date: today if the wave is open, else the last day of its window (if past).
          const today = schoolToday(new Date());
          if (sheet.window && !isInWindow(today, sheet.window) && sheet.window.closesOn < today) setDate(sheet.window.closesOn);
        }
      } else {
        const a = await assessmentsApi.assessments.get(mode.id);
        const instrument = await assessmentsApi.instruments.version(a.instrumentCode, a.instrumentVersion);
        const waves = await assessmentsApi.waves.get(a.programmeId).catch(() => null);
        const c: Context = {
          definition: instrument.definition,
          instrumentCode: a.instrumentCode,
          instrumentVersion: a.instrumentVersion,
          programmeId: a.programmeId,
          wave: a.wave,
          window: waves?.waves.find((w) => w.wave === a.wave) ?? null,
          child: a.child ?? { id: a.childId, code: '', displayName: '', guardianConsentDate: null },
          existing: a,
        };
        if (!cancelled) {
          setCtx(c);
          setCells(mode.kind === 'second' ? cellsFrom(null, c.definition.items.length) : cellsFrom(a, c.definition.items.length));
          setDate(a.date);
        }
      }
    })().catch((e: unknown) => !cancelled && setLoadError(e));
    return () => {
      cancelled = true;
    };
  }, [mode.kind, mode.kind === 'create' ? `${mode.programmeId}${mode.wave}${mode.instrument}${mode.childId}` : mode.id]);

  useEffect(() => {
    if (ctx) inputs.current[0]?.focus();
  }, [ctx]);

  const definition = ctx?.definition ?? null;
  const { answers } = toPayload(cells);
  const score: AssessmentScore | null = useMemo(() => {
    if (!definition || answers.length !== definition.items.length) return null;
    try {
      return scoreAssessment(definition, answers);
    } catch {
      return null;
    }
  }, [definition, cells]);

  if (loadError) return <FlowError error={loadError} />;
  if (!ctx || !definition) return <Loading />;

  const { min, max } = definition.response;
  const k = definition.items.length;
  const answeredCount = cells.filter((c) => typeof c === 'number').length;
  const differences = mode.kind === 'edit' ? (ctx.existing?.secondEntry?.differences ?? null) : null;
  const differsAt = new Set((differences ?? []).map((d) => d.item));
  const noConsent = !ctx.child.guardianConsentDate && mode.kind !== 'second';

  const focusItem = (i: number) => {
    const j = Math.max(0, Math.min(k - 1, i));
    setCurrent(j);
    inputs.current[j]?.focus();
  };
  const setCell = (i: number, value: Cell) => setCells((prev) => prev.map((c, j) => (j === i ? value : c)));

  const refuse = (i: number) => {
    setRefused((r) => ({ item: i + 1, n: (r?.n ?? 0) + 1 }));
    inputs.current[i]?.animate?.([{ transform: 'translateX(-4px)' }, { transform: 'translateX(4px)' }, { transform: 'none' }], { duration: 250 });
  };

  const onKey = (i: number, e: KeyboardEvent) => {
    const key = e.key;
    if (key === 'Tab') return; // normal focus movement
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    if (/^[0-9]$/.test(key)) {
      const v = Number(key);
      if (v < min || v > max) {
        // Refused on the spot: nothing changes, the cell shakes and the message says what is allowed.
        refuse(i);
        return;
      }
      setRefused(null);
      setCell(i, v);
      if (i === k - 1) saveRef.current?.focus();
      else focusItem(i + 1);
    } else if (key === 'm' || key === 'M' || key === '.') {
      setRefused(null);
      setCell(i, { missing: 'skipped' });
      if (i === k - 1) saveRef.current?.focus();
      else focusItem(i + 1);
    } else if (key === 'Backspace' || key === 'Delete') {
      if (cells[i] === undefined && key === 'Backspace') focusItem(i - 1);
      else setCell(i, undefined);
    } else if (key === 'ArrowDown' || key === 'ArrowRight') focusItem(i + 1);
    else if (key === 'ArrowUp' || key === 'ArrowLeft') focusItem(i - 1);
    else if (key === 'Enter') {
      if (i === k - 1) saveRef.current?.focus();
      else focusItem(i + 1);
    } else if (key.length === 1) {
      refuse(i);
    }
  };

  const save = async (confirmed = false) => {
    setError(null);
    setNotice(null);
    const notTyped = cells.flatMap((c, i) => (c === undefined ? [i + 1] : []));
    if (notTyped.length > 0) {
      setError(new Error(`notTyped:${notTyped.join(',')}`));
      focusItem((notTyped[0] as number) - 1);
      return;
    }
    const payload = toPayload(cells);
    if (mode.kind !== 'second' && ctx.window && !isInWindow(date, ctx.window) && !confirmed && !(mode.kind === 'edit' && date === ctx.existing?.date)) {
      setConfirmOutside(true);
      return;
    }
    setSaving(true);
    try {
      if (mode.kind === 'create') {
        const saved = await assessmentsApi.assessments.create(
          { childId: ctx.child.id, programmeId: ctx.programmeId, instrumentCode: ctx.instrumentCode, wave: ctx.wave, date, ...payload, ...(confirmed ? { confirmOutsideWindow: true } : {}) },
          keyRef.current,
        );
        keyRef.current = newIdempotencyKey();
        navigate(`/assessments/${saved.id}?saved=1`);
      } else if (mode.kind === 'edit' && ctx.existing) {
        const saved = await assessmentsApi.assessments.update(ctx.existing.id, {
          version: ctx.existing.version,
          date,
          ...payload,
          ...(confirmed ? { confirmOutsideWindow: true } : {}),
        });
        setCtx({ ...ctx, existing: { ...saved, child: ctx.existing.child ?? null } });
        setNotice(t('assessments.entry.saved', { total: fmtScore(saved.score.total) }));
      } else if (mode.kind === 'second' && ctx.existing) {
        await assessmentsApi.assessments.secondEntry(ctx.existing.id, payload);
        navigate(`/assessments/${ctx.existing.id}`);
      }
      setConfirmOutside(false);
    } catch (e) {
      if (isApiError(e) && e.code === 'outside_wave_window') setConfirmOutside(true);
      else setError(e);
    } finally {
      setSaving(false);
    }
  };

  const childLink = `/children/${encodeURIComponent(ctx.child.id)}`;
  const waveName = t(`assessments.wave.${ctx.wave}`);
  const title =
    mode.kind === 'second'
      ? t('assessments.entry.secondTitle')
      : mode.kind === 'edit'
        ? t('assessments.entry.editTitle', { child: ctx.child.displayName })
        : t('assessments.entry.title', { instrument: definition.code, wave: waveName, child: ctx.child.displayName });
  const consentError = isApiError(error) && (error.code === 'guardian_consent_required' || error.code === 'consent_after_assessment');
  const localError = error instanceof Error && !isApiError(error) && error.message.startsWith('notTyped:') ? error.message.slice(9) : null;
  const justSaved = mode.kind === 'edit' && new URLSearchParams(window.location.search).get('saved') === '1';

  return (
    <section data-testid="entry-page" data-mode={mode.kind}>
      <PageTitle>{title}</PageTitle>
      <p class="muted">
        {ctx.child.code} · {localName(definition.name, lng)} · {waveName}
        {ctx.window ? ` · ${t('assessments.hub.window', { from: ctx.window.opensOn, to: ctx.window.closesOn })}` : ''} ·{' '}
        {t('assessments.entry.versionNote', { code: ctx.instrumentCode, version: ctx.instrumentVersion })}
      </p>
      {mode.kind === 'second' ? <p>{t('assessments.entry.secondIntro')}</p> : null}
      {noConsent || consentError ? (
        <div class="alert alert-warning" role="alert" data-testid="consent-required">
          <strong>{t('assessments.entry.consentTitle')}</strong>
          <p>{t('assessments.entry.consentBody')}</p>
          <Link href={childLink} testid="consent-link">
            {t('assessments.entry.consentLink')}
          </Link>
        </div>
      ) : null}
      {justSaved && ctx.existing && !notice ? (
        <div class="alert alert-success" role="status" data-testid="notice">
          {t('assessments.entry.saved', { total: fmtScore(ctx.existing.score.total) })}
        </div>
      ) : null}
      {notice ? (
        <div class="alert alert-success" role="status" data-testid="notice">
          {notice}
        </div>
      ) : null}
      {!consentError ? <FlowError error={localError ? null : error} /> : null}
      {localError ? (
        <div class="alert alert-error" role="alert" data-testid="not-typed">
          {t('assessments.errors.missing_reason_required')} ({t('assessments.entry.item')} {localError})
        </div>
      ) : null}
      {differences ? (
        <section class="card" data-testid="differences">
          <h2>{t('assessments.entry.differences')}</h2>
          {differences.length === 0 ? (
            <p data-testid="verified">✓ {t('assessments.entry.noDifferences')}</p>
          ) : (
            <>
              <p>{t('assessments.entry.resolve')}</p>
              <table class="table diff-table">
                <thead>
                  <tr>
                    <th scope="col">{t('assessments.entry.item')}</th>
                    <th scope="col">{t('assessments.entry.first')}</th>
                    <th scope="col">{t('assessments.entry.second')}</th>
                  </tr>
                </thead>
                <tbody>
                  {differences.map((d) => (
                    <tr key={d.item} data-testid="difference">
                      <th scope="row">
                        <button type="button" class="button button-small button-secondary" onClick={() => focusItem(d.item - 1)}>
                          {d.item}
                        </button>
                      </th>
                      <td>{d.first ?? t('assessments.entry.missing')}</td>
                      <td>{d.second ?? t('assessments.entry.missing')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </section>
      ) : null}
      {noConsent ? null : (
        <div class="entry-layout">
          <div>
            <div class="filters-row">
              <label>
                {t('assessments.entry.date')}
                <input type="date" value={date} data-testid="entry-date" onInput={(e) => setDate((e.target as HTMLInputElement).value)} />
              </label>
            </div>
            <p class="entry-keys muted" id="entry-keys">
              {t('assessments.entry.keys', { min, max })}
            </p>
            <p class="refused-message" aria-live="assertive" data-testid="refused-message">
              {refused ? `${t('assessments.entry.item')} ${refused.item}: ${t('assessments.entry.refused', { min, max })}` : ''}
            </p>
            <ol class="item-grid" data-testid="item-grid">
              {definition.items.map((item, i) => {
                const c = cells[i];
                const isMissing = c !== undefined && typeof c === 'object';
                const text = item.text ? (lng === 'zh-CN' ? (item.text.zh ?? item.text.en) : (item.text.en ?? item.text.zh)) : null;
                return (
                  <li
                    key={item.number}
                    class={`item-row${current === i ? ' current' : ''}${isMissing ? ' is-missing' : ''}${refused?.item === i + 1 ? ' refused' : ''}${differsAt.has(i + 1) ? ' differs' : ''}`}
                    data-testid={`item-${item.number}`}
                  >
                    <span class="item-no">{item.number}</span>
                    <input
                      ref={(el) => {
                        inputs.current[i] = el;
                      }}
                      class="item-cell"
                      inputMode="numeric"
                      autoComplete="off"
                      aria-label={`${t('assessments.entry.item')} ${item.number}`}
                      aria-describedby="entry-keys"
                      data-testid={`cell-${item.number}`}
                      value={typeof c === 'number' ? String(c) : isMissing ? '–' : ''}
                      onKeyDown={(e) => onKey(i, e)}
                      onFocus={() => setCurrent(i)}
                      onInput={(e) => {
                        // Phones send no keydown for some keyboards: keep the value as rendered.
                        (e.target as HTMLInputElement).value = typeof c === 'number' ? String(c) : isMissing ? '–' : '';
                      }}
                    />
                    {isMissing ? (
                      <select
                        aria-label={`${t('assessments.entry.reason')} ${item.number}`}
                        value={(c as { missing: MissingReason }).missing}
                        data-testid={`reason-${item.number}`}
                        onChange={(e) => setCell(i, { missing: (e.target as HTMLSelectElement).value as MissingReason })}
                      >
                        {missingReasons.map((r) => (
                          <option key={r} value={r}>
                            {t(`assessments.missingReason.${r}`)}
                          </option>
                        ))}
                      </select>
                    ) : null}
                    {text ? <span class="item-text">{text}</span> : null}
                  </li>
                );
              })}
            </ol>
            {confirmOutside && ctx.window ? (
              <div class="alert alert-warning" role="alert" data-testid="outside-window">
                <strong>{t('assessments.entry.outsideTitle')}</strong>
                <p>{t('assessments.entry.outsideBody', { date, wave: waveName, from: ctx.window.opensOn, to: ctx.window.closesOn })}</p>
                <button type="button" class="button button-primary" data-testid="confirm-outside" onClick={() => void save(true)}>
                  {t('assessments.entry.outsideConfirm')}
                </button>
              </div>
            ) : null}
            <div class="actions">
              <button ref={saveRef} type="button" class="button button-primary" data-testid="entry-save" disabled={saving} onClick={() => void save()}>
                {saving ? t('assessments.entry.saving') : mode.kind === 'second' ? t('assessments.entry.saveSecond') : t('assessments.entry.save')}
              </button>
              {mode.kind === 'edit' && ctx.existing && !ctx.existing.secondEntry ? (
                <Link href={`/assessments/${ctx.existing.id}/second-entry`} class="button button-secondary" testid="start-second">
                  {t('assessments.entry.startSecond')}
                </Link>
              ) : null}
              <Link href={`/assessments?programmeId=${ctx.programmeId}&wave=${ctx.wave}&instrument=${encodeURIComponent(ctx.instrumentCode)}`} class="button button-secondary" testid="entry-back">
                {t('assessments.entry.back')}
              </Link>
            </div>
          </div>
          <div>
            {mode.kind === 'second' ? null : <ScorePanel definition={definition} score={score} answered={answeredCount} testid="live" title={t('assessments.entry.live')} />}
            {mode.kind === 'edit' && ctx.existing ? (
              <ScorePanel definition={definition} score={ctx.existing.score} answered={ctx.existing.answers.filter((a) => a !== null).length} testid="stored" title={t('assessments.entry.stored')} compact />
            ) : null}
            {ctx.existing?.verified ? <p class="badge badge-ok" data-testid="verified-badge">✓ {t('assessments.entry.verified')}</p> : null}
          </div>
        </div>
      )}
    </section>
  );
}

// Taking the register on a phone at the sports ground (390 × 844 first): "everyone present", then
// tap the exceptions (present → absent → excused → late); activity blocks with minutes and RPE /
// heart rate; save. Saves go through the outbox (queue.ts): kept on the phone, retried until the
// server has them, shown as saved / pending. A 409 opens the merge view: theirs vs mine per child.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ACTIVITY_CATALOG } from '../../../../shared/domain/activities.ts';
import { schoolToday, addDays } from '../../../../shared/domain/dates.ts';
import type { Locale } from '../../api/types.ts';
import { newSaveId, sessionsApi, type ActivityBlock, type LoggedSession, type RegisterData, type RegisterEntry, type RegisterStatus, type SessionListItem } from '../../api/sessions.ts';
import { Alert, ErrorAlert, Link, Loading, PageTitle } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';
import { enqueueSave, flush, onOutboxChange, queuedSaves, startOutbox, type QueuedSave } from './queue.ts';
import './register.css';

const CYCLE: RegisterStatus[] = ['present', 'absent', 'excused', 'late'];

function activityName(code: string, lng: Locale): string {
  const a = ACTIVITY_CATALOG.find((x) => x.code === code);
  return a ? (lng === 'zh-CN' ? a.name.zh : a.name.en) : code;
}

/** The list of recent sessions to log. */
export function RegisterPickView() {
  const { t, lng } = useT();
  const [items, setItems] = useState<SessionListItem[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [queue, setQueue] = useState<QueuedSave[]>(queuedSaves());
  useEffect(() => {
    startOutbox();
    const today = schoolToday(new Date());
    sessionsApi.list({ from: addDays(today, -14), to: today }).then((r) => setItems(r.items.slice().reverse()), setError);
    return onOutboxChange((q) => setQueue(q));
  }, []);
  if (error) return <ErrorAlert error={error} />;
  if (!items) return <Loading />;
  return (
    <section class="register-page" data-testid="register-pick">
      <PageTitle>{t('register.pick.title')}</PageTitle>
      <p>{t('register.pick.intro')}</p>
      {items.length === 0 ? <p data-testid="register-pick-empty">{t('register.pick.empty')}</p> : null}
      <ul class="register-pick-list">
        {items.map((s) => {
          const waiting = queue.some((q) => q.sessionId === s.id);
          return (
            <li key={s.id}>
              <Link href={`/register/${encodeURIComponent(s.id)}`} class={`register-pick-item status-${s.status}`} testid="register-pick-item">
                <span class="register-pick-date">
                  {new Date(`${s.date}T00:00:00`).toLocaleDateString(lng, { weekday: 'short', month: 'short', day: 'numeric' })} · {s.startTime}
                </span>
                <span class="register-pick-group">{s.groupName}</span>
                <span class="register-pick-state">
                  {waiting
                    ? t('register.pick.pending')
                    : s.status === 'held'
                      ? t('register.pick.logged', { attended: s.attended, marks: s.marks })
                      : s.status === 'cancelled'
                        ? t('register.pick.cancelled')
                        : t('register.pick.notLogged')}
                </span>
              </Link>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

interface Draft {
  actualStart: string;
  blocks: ActivityBlock[];
  marks: Record<string, RegisterEntry>;
  notes: string;
}

function draftFrom(data: RegisterData): Draft {
  const s = data.session;
  const marks: Record<string, RegisterEntry> = {};
  for (const r of s.register) marks[r.childId] = { ...r };
  const blocks = s.activityBlocks.length > 0
    ? s.activityBlocks.map((b) => ({ ...b }))
    : (data.programme?.plannedBlocks ?? [{ activityCode: data.group?.activityCode ?? 'running', minutes: 30, targetIntensity: 'moderate' }]).map((b) => ({ activityCode: b.activityCode, minutes: b.minutes }));
  return { actualStart: s.actualStart ?? s.startTime, blocks, marks, notes: s.notes };
}

function bodyFrom(draft: Draft, roster: RegisterData['roster'], version: number) {
  const register = roster
    .filter((c) => draft.marks[c.childId])
    .map((c) => {
      const m = draft.marks[c.childId] as RegisterEntry;
      return { childId: c.childId, status: m.status, ...(m.status === 'late' && m.minutes !== undefined ? { minutes: m.minutes } : {}), ...(m.rpe !== undefined ? { rpe: m.rpe } : {}) };
    });
  const activityBlocks = draft.blocks.map((b) => ({
    activityCode: b.activityCode,
    minutes: b.minutes,
    ...(b.rpe !== undefined ? { rpe: b.rpe } : {}),
    ...(b.avgHeartRate !== undefined ? { avgHeartRate: b.avgHeartRate } : {}),
  }));
  return { version, actualStart: draft.actualStart, activityBlocks, register, notes: draft.notes };
}

const numberOrUndefined = (v: string) => (v.trim() === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));

export function RegisterView(props: { sessionId: string }) {
  const { t, lng } = useT();
  const [data, setData] = useState<RegisterData | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [version, setVersion] = useState(0);
  const [queue, setQueue] = useState<QueuedSave[]>(queuedSaves());
  const [savedAt, setSavedAt] = useState<string | null>(null);
  const [childRpe, setChildRpe] = useState(false);

  useEffect(() => {
    startOutbox();
    sessionsApi.get(props.sessionId).then((d) => {
      setData(d);
      setVersion(d.session.version);
      // A save of this session still in the outbox is what the teacher last decided: show it.
      const queued = queuedSaves().find((q) => q.sessionId === props.sessionId);
      const base = draftFrom(d);
      if (queued) {
        const marks: Record<string, RegisterEntry> = {};
        for (const r of queued.body.register) marks[r.childId] = { ...r };
        setDraft({ actualStart: queued.body.actualStart, blocks: queued.body.activityBlocks, marks, notes: queued.body.notes });
      } else setDraft(base);
      if (d.session.status === 'held' && !queued) setSavedAt(d.session.loggedAt);
    }, setError);
    return onOutboxChange((q, saved) => {
      setQueue(q);
      if (saved && saved.id === props.sessionId) {
        setVersion(saved.version);
        setSavedAt(saved.loggedAt);
        setData((d) => (d ? { ...d, session: saved } : d));
      }
    });
  }, [props.sessionId]);

  const mine = queue.find((q) => q.sessionId === props.sessionId) ?? null;
  const counts = useMemo(() => {
    const c = { present: 0, absent: 0, excused: 0, late: 0 };
    for (const m of Object.values(draft?.marks ?? {})) c[m.status]++;
    return c;
  }, [draft]);

  if (error) return <ErrorAlert error={error} />;
  if (!data || !draft) return <Loading />;
  const session = data.session;
  const roster = data.roster;
  const set = (change: Partial<Draft>) => setDraft({ ...draft, ...change });
  const setMark = (childId: string, change: Partial<RegisterEntry> | null) => {
    const marks = { ...draft.marks };
    if (change === null) delete marks[childId];
    else marks[childId] = { ...(marks[childId] ?? { childId, status: 'present' }), ...change };
    set({ marks });
  };
  const cycle = (childId: string) => {
    const current = draft.marks[childId]?.status;
    const next = current ? CYCLE[(CYCLE.indexOf(current) + 1) % CYCLE.length] as RegisterStatus : 'present';
    const entry: Partial<RegisterEntry> = { status: next };
    setMark(childId, next === 'late' ? { ...entry, minutes: Math.max(0, draft.blocks.reduce((a, b) => a + b.minutes, 0) - 10) } : { ...entry, minutes: undefined });
  };
  const everyonePresent = () => {
    const marks: Record<string, RegisterEntry> = {};
    for (const c of roster.filter((r) => r.member)) marks[c.childId] = { childId: c.childId, status: 'present', ...(draft.marks[c.childId]?.rpe !== undefined ? { rpe: draft.marks[c.childId]?.rpe } : {}) };
    set({ marks });
  };
  const save = (v = version, d: Draft = draft) => {
    setSavedAt(null);
    enqueueSave(props.sessionId, bodyFrom(d, roster, v), newSaveId());
  };
  const setBlock = (i: number, change: Partial<ActivityBlock>) => {
    const blocks = draft.blocks.map((b, j) => {
      if (j !== i) return b;
      const next: ActivityBlock = { ...b, ...change };
      for (const k of ['rpe', 'avgHeartRate'] as const) if (next[k] === undefined) delete next[k];
      return next;
    });
    set({ blocks });
  };
  const stateLine = mine
    ? mine.state === 'conflict'
      ? null
      : mine.state === 'failed'
        ? { kind: 'error' as const, text: t('register.state.failed', { message: mine.error?.message ?? '' }), testid: 'register-failed' }
        : mine.state === 'sending'
          ? { kind: 'info' as const, text: t('register.state.sending'), testid: 'register-sending' }
          : { kind: 'warning' as const, text: t('register.state.pending'), testid: 'register-pending' }
    : savedAt
      ? { kind: 'success' as const, text: t('register.state.saved'), testid: 'register-saved' }
      : null;
  const name = childLabel(roster);

  return (
    <section class="register-page" data-testid="register-page">
      <PageTitle>
        {data.group?.name ?? t('register.title')} · {new Date(`${session.date}T00:00:00`).toLocaleDateString(lng, { weekday: 'short', month: 'short', day: 'numeric' })}
      </PageTitle>
      <p class="register-sub">{t('register.planned', { time: session.startTime, minutes: session.plannedMinutes })}</p>

      {mine?.state === 'conflict' && mine.current ? (
        <MergeView
          roster={roster}
          mine={mine}
          theirs={mine.current}
          onResolve={(merged, theirVersion) => {
            setDraft(merged);
            setVersion(theirVersion);
            save(theirVersion, merged);
          }}
          draft={draft}
        />
      ) : null}

      <div class="register-toolbar">
        <button type="button" class="button register-all" data-testid="register-all-present" onClick={everyonePresent}>
          {t('register.allPresent')}
        </button>
        <p class="register-hint">{t('register.allPresentHint')}</p>
        <p class="register-counts" data-testid="register-counts">
          {t('register.counts', counts)}
        </p>
      </div>

      {roster.length === 0 ? <p>{t('register.noMembers')}</p> : null}
      <ul class="register-list" data-testid="register-list">
        {roster.map((c) => {
          const m = draft.marks[c.childId];
          return (
            <li key={c.childId} class={`register-row mark-${m?.status ?? 'none'}`} data-testid="register-row" data-child={c.childId}>
              <button type="button" class="register-toggle" data-testid="register-toggle" aria-label={`${name(c)}: ${m ? t(`register.status.${m.status}`) : '—'}`} onClick={() => cycle(c.childId)}>
                <span class="register-name">{name(c)}</span>
                <span class="register-status" data-testid="register-status">
                  {m ? t(`register.status.${m.status}`) : '—'}
                </span>
              </button>
              {m?.status === 'late' ? (
                <label class="register-inline">
                  {t('register.lateMinutes')}
                  <input type="number" inputMode="numeric" min={0} max={240} value={m.minutes ?? ''} data-testid="register-late-minutes" onInput={(e) => setMark(c.childId, { minutes: numberOrUndefined((e.target as HTMLInputElement).value) })} />
                </label>
              ) : null}
              {childRpe && m && (m.status === 'present' || m.status === 'late') ? (
                <label class="register-inline">
                  {t('register.childRpe')}
                  <select value={m.rpe ?? ''} onChange={(e) => setMark(c.childId, { rpe: numberOrUndefined((e.target as HTMLSelectElement).value) })}>
                    <option value="">—</option>
                    {Array.from({ length: 11 }, (_, i) => (
                      <option value={i}>{i}</option>
                    ))}
                  </select>
                </label>
              ) : null}
            </li>
          );
        })}
      </ul>
      <label class="register-check">
        <input type="checkbox" checked={childRpe} onChange={(e) => setChildRpe((e.target as HTMLInputElement).checked)} /> {t('register.showChildRpe')}
      </label>

      <h2>{t('register.blocks')}</h2>
      <div class="register-blocks">
        {draft.blocks.map((b, i) => (
          <fieldset class="register-block" data-testid="register-block">
            <label>
              {t('register.activity')}
              <select value={b.activityCode} onChange={(e) => setBlock(i, { activityCode: (e.target as HTMLSelectElement).value })}>
                {ACTIVITY_CATALOG.map((a) => (
                  <option value={a.code}>{activityName(a.code, lng)}</option>
                ))}
              </select>
            </label>
            <div class="register-block-row">
              <label>
                {t('register.minutes')}
                <input type="number" inputMode="numeric" min={1} max={240} value={b.minutes} data-testid="register-block-minutes" onInput={(e) => setBlock(i, { minutes: numberOrUndefined((e.target as HTMLInputElement).value) ?? 0 })} />
              </label>
              <label>
                {t('register.rpe')}
                <select value={b.rpe ?? ''} data-testid="register-block-rpe" onChange={(e) => setBlock(i, { rpe: numberOrUndefined((e.target as HTMLSelectElement).value) })}>
                  <option value="">—</option>
                  {Array.from({ length: 11 }, (_, k) => (
                    <option value={k}>{k}</option>
                  ))}
                </select>
              </label>
              <label>
                {t('register.heartRate')}
                <input type="number" inputMode="numeric" min={40} max={240} value={b.avgHeartRate ?? ''} onInput={(e) => setBlock(i, { avgHeartRate: numberOrUndefined((e.target as HTMLInputElement).value) })} />
              </label>
            </div>
            {draft.blocks.length > 1 ? (
              <button type="button" class="button button-secondary" onClick={() => set({ blocks: draft.blocks.filter((_, j) => j !== i) })}>
                {t('register.removeBlock')}
              </button>
            ) : null}
          </fieldset>
        ))}
        <button type="button" class="button button-secondary" data-testid="register-add-block" onClick={() => set({ blocks: [...draft.blocks, { activityCode: 'running', minutes: 10 }] })}>
          {t('register.addBlock')}
        </button>
      </div>

      <label class="register-field">
        {t('register.actualStart')}
        <input type="time" value={draft.actualStart} data-testid="register-actual-start" onInput={(e) => set({ actualStart: (e.target as HTMLInputElement).value })} />
      </label>
      <label class="register-field">
        {t('register.notes')}
        <textarea rows={2} maxLength={2000} value={draft.notes} onInput={(e) => set({ notes: (e.target as HTMLTextAreaElement).value })} />
      </label>

      <div class="register-savebar">
        {stateLine ? (
          <Alert kind={stateLine.kind} testid={stateLine.testid}>
            {stateLine.text}
            {mine && mine.state === 'pending' ? (
              <button type="button" class="button button-secondary register-retry" data-testid="register-retry" onClick={() => void flush(true)}>
                {t('register.retryNow')}
              </button>
            ) : null}
          </Alert>
        ) : null}
        <button type="button" class="button register-save" data-testid="register-save" disabled={mine?.state === 'sending'} onClick={() => save()}>
          {mine?.state === 'sending' ? t('register.saving') : t('register.save')}
        </button>
      </div>
    </section>
  );
}

/** Theirs vs mine per child; the teacher picks, then the merged register is saved on their version. */
function MergeView(props: { roster: RegisterData['roster']; mine: QueuedSave; theirs: LoggedSession; draft: Draft; onResolve: (merged: Draft, version: number) => void }) {
  const { t } = useT();
  const theirMarks = new Map(props.theirs.register.map((r) => [r.childId, r]));
  const myMarks = new Map(props.mine.body.register.map((r) => [r.childId, r]));
  const differing = props.roster.filter((c) => JSON.stringify(theirMarks.get(c.childId) ?? null) !== JSON.stringify(myMarks.get(c.childId) ?? null));
  const mergeName = childLabel(props.roster);
  const [choice, setChoice] = useState<Record<string, 'theirs' | 'mine'>>(() => Object.fromEntries(differing.map((c) => [c.childId, 'mine'])));
  const [takeTheirBlocks, setTakeTheirBlocks] = useState(false);
  const blocksDiffer = JSON.stringify(props.theirs.activityBlocks) !== JSON.stringify(props.mine.body.activityBlocks) || props.theirs.notes !== props.mine.body.notes;
  const label = (r: RegisterEntry | undefined) => (r ? `${t(`register.status.${r.status}`)}${r.minutes !== undefined ? ` (${r.minutes}′)` : ''}` : t('register.merge.notMarked'));
  const resolve = () => {
    const marks: Record<string, RegisterEntry> = {};
    for (const c of props.roster) {
      const pick = choice[c.childId] === 'theirs' ? theirMarks.get(c.childId) : myMarks.get(c.childId) ?? theirMarks.get(c.childId);
      if (pick) marks[c.childId] = { ...pick };
    }
    const blocks = takeTheirBlocks ? props.theirs.activityBlocks : props.mine.body.activityBlocks;
    const notes = takeTheirBlocks ? props.theirs.notes : props.mine.body.notes;
    props.onResolve({ actualStart: props.mine.body.actualStart, blocks, marks, notes }, props.theirs.version);
  };
  return (
    <div class="register-merge" data-testid="register-merge">
      <Alert kind="warning" code="version_conflict" focus>
        <strong>{t('register.merge.title')}</strong>
        <p>{t('register.merge.body')}</p>
      </Alert>
      <div class="register-merge-actions">
        <button type="button" class="button button-secondary" data-testid="merge-all-theirs" onClick={() => setChoice(Object.fromEntries(differing.map((c) => [c.childId, 'theirs'])))}>
          {t('register.merge.useAllTheirs')}
        </button>
        <button type="button" class="button button-secondary" data-testid="merge-all-mine" onClick={() => setChoice(Object.fromEntries(differing.map((c) => [c.childId, 'mine'])))}>
          {t('register.merge.useAllMine')}
        </button>
      </div>
      <table class="register-merge-table" data-testid="merge-table">
        <thead>
          <tr>
            <th scope="col">{t('register.merge.child')}</th>
            <th scope="col">{t('register.merge.theirs')}</th>
            <th scope="col">{t('register.merge.mine')}</th>
          </tr>
        </thead>
        <tbody>
          {differing.map((c) => (
            <tr key={c.childId} data-testid="merge-row">
              <th scope="row">{mergeName(c)}</th>
              <td>
                <label class="merge-choice">
                  <input type="radio" name={`m-${c.childId}`} checked={choice[c.childId] === 'theirs'} data-testid="merge-theirs" onChange={() => setChoice({ ...choice, [c.childId]: 'theirs' })} />
                  {label(theirMarks.get(c.childId))}
                </label>
              </td>
              <td>
                <label class="merge-choice">
                  <input type="radio" name={`m-${c.childId}`} checked={choice[c.childId] === 'mine'} data-testid="merge-mine" onChange={() => setChoice({ ...choice, [c.childId]: 'mine' })} />
                  {label(myMarks.get(c.childId))}
                </label>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {blocksDiffer ? (
        <label class="register-check">
          <input type="checkbox" checked={takeTheirBlocks} onChange={(e) => setTakeTheirBlocks((e.target as HTMLInputElement).checked)} /> {t('register.merge.takeTheirBlocks')}
          <span class="register-hint"> {t('register.merge.blocksDiffer')}</span>
        </label>
      ) : null}
      <button type="button" class="button" data-testid="merge-confirm" onClick={resolve}>
        {t('register.merge.confirm')}
      </button>
    </div>
  );
}

type RosterEntry = { childId: string; code: string; displayName?: string };

/**
 * How a child is named on the register: the name, and the code as well when another child on the
 * same register has the same name (two 王子涵 are told apart by code; issue 9).
 */
export function childLabel(roster: readonly RosterEntry[]): (c: RosterEntry) => string {
  const count = new Map<string, number>();
  for (const c of roster) if (c.displayName) count.set(c.displayName, (count.get(c.displayName) ?? 0) + 1);
  return (c) => (!c.displayName ? c.code : (count.get(c.displayName) ?? 0) > 1 ? `${c.displayName} · ${c.code}` : c.displayName);
}

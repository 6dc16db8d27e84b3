// The schedule of one programme: a month calendar and a list, per group or all groups, with the
// per-occurrence actions a PE teacher needs at the sports ground (cancel with a reason, move,
// restore, add an extra session) and "bring up to date with the pattern".
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { schoolToday } from '../../../../shared/domain/dates.ts';
import { monthGrid } from '../../../../shared/domain/schedule.ts';
import { isApiError } from '../../api/client.ts';
import { newIdempotencyKey, scheduleApi, type Schedule, type ScheduledSession } from '../../api/programmes.ts';
import { conflictCurrent } from '../../components/Conflict.tsx';
import { Alert, Field, Link, Loading, PageTitle } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';
import { navigate, useLocation } from '../../router.ts';
import { useSession } from '../../session.ts';
import { featureErrorText, formatDay, WEEKDAYS } from '../programmes/common.tsx';
import '../programmes/programmes.css';

type View = 'calendar' | 'list';
type Panel = { kind: 'session'; id: string; mode: 'view' | 'cancel' | 'move' } | { kind: 'extra'; key: string } | null;

export function ScheduleView(props: { programmeId: string }) {
  const { t, lng } = useT();
  const session = useSession();
  const { query } = useLocation();
  const canWrite = session.user.role === 'admin' || session.user.role === 'pe_teacher';
  const [data, setData] = useState<Schedule | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [panel, setPanel] = useState<Panel>(null);
  const view: View = query.get('view') === 'list' ? 'list' : 'calendar';
  const groupFilter = query.get('group') ?? '';
  const today = schoolToday(new Date(), data?.programme.timeZone);
  const [month, setMonth] = useState<{ y: number; m: number } | null>(null);

  const setQuery = (key: string, value: string) => {
    const next = new URLSearchParams(query);
    if (value) next.set(key, value);
    else next.delete(key);
    const qs = next.toString();
    navigate(`/programmes/${encodeURIComponent(props.programmeId)}/schedule${qs ? `?${qs}` : ''}`, { replace: true });
  };

  const load = async () => {
    const found = await scheduleApi.list({ programmeId: props.programmeId });
    setData(found);
    return found;
  };

  useEffect(() => {
    let live = true;
    scheduleApi
      .list({ programmeId: props.programmeId })
      .then((found) => {
        if (!live) return;
        setData(found);
        // Open on this month while the programme runs, else on its first month.
        const now = schoolToday(new Date(), found.programme.timeZone);
        const anchor = now >= found.programme.startDate && now <= found.programme.endDate ? now : found.programme.startDate;
        setMonth({ y: Number(anchor.slice(0, 4)), m: Number(anchor.slice(5, 7)) });
      })
      .catch((e: unknown) => live && setLoadError(e));
    return () => {
      live = false;
    };
  }, [props.programmeId]);

  const groupName = useMemo(() => new Map((data?.groups ?? []).map((g) => [g.id, g.name])), [data]);
  const items = useMemo(() => (data?.items ?? []).filter((s) => !groupFilter || s.groupId === groupFilter), [data, groupFilter]);
  const byDate = useMemo(() => {
    const map = new Map<string, ScheduledSession[]>();
    for (const s of items) map.set(s.date, [...(map.get(s.date) ?? []), s]);
    return map;
  }, [items]);
  const excluded = useMemo(() => new Set(data?.programme.exclusionDates ?? []), [data]);
  const multiGroup = (data?.groups.length ?? 0) > 1;

  const replaceSession = (updated: ScheduledSession) =>
    setData((d) => (d ? { ...d, items: d.items.map((s) => (s.id === updated.id ? updated : s)) } : d));

  const run = async (work: () => Promise<string>) => {
    setBusy(true);
    setFailure(null);
    setNotice(null);
    try {
      setNotice(await work());
      setPanel(null);
    } catch (error) {
      const current = isApiError(error) && error.code === 'version_conflict' ? conflictCurrent<ScheduledSession>(error.details) : null;
      if (current) replaceSession(current);
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  if (loadError) {
    return (
      <section data-testid="schedule-page">
        <PageTitle>{t('programmes.title')}</PageTitle>
        <Alert kind="error">{featureErrorText(loadError)}</Alert>
        <Link href="/programmes" class="button">
          ← {t('programmes.title')}
        </Link>
      </section>
    );
  }
  if (!data || !month) return <Loading />;

  const selected = panel?.kind === 'session' ? data.items.find((s) => s.id === panel.id) ?? null : null;
  const label = (s: ScheduledSession) => `${s.startTime}${multiGroup ? ` ${groupName.get(s.groupId) ?? ''}` : ''}`;
  const monthTitle = new Intl.DateTimeFormat(lng, { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(month.y, month.m - 1, 1)));
  const shiftMonth = (delta: number) => {
    const d = new Date(Date.UTC(month.y, month.m - 1 + delta, 1));
    setMonth({ y: d.getUTCFullYear(), m: d.getUTCMonth() + 1 });
  };
  const monthPrefix = `${month.y}-${String(month.m).padStart(2, '0')}`;
  const monthCount = items.filter((s) => s.date.startsWith(monthPrefix)).length;

  return (
    <section data-testid="schedule-page">
      <p class="breadcrumb">
        <Link href={`/programmes/${encodeURIComponent(data.programme.id)}`}>← {data.programme.name}</Link>
      </p>
      <div class="page-head">
        <PageTitle>{t('programmes.schedule.title', { name: data.programme.name })}</PageTitle>
      </div>
      <p class="muted">
        {t('programmes.schedule.ranges', { start: formatDay(data.programme.startDate, lng), end: formatDay(data.programme.endDate, lng), zone: data.programme.timeZone })}
      </p>
      {notice ? <Alert kind="success">{notice}</Alert> : null}
      {failure ? (
        <Alert kind="error" focus code={isApiError(failure) ? failure.code : undefined}>
          {featureErrorText(failure)}
        </Alert>
      ) : null}

      <div class="schedule-toolbar">
        <div class="segmented" role="group" aria-label={t('programmes.schedule.view')}>
          {(['calendar', 'list'] as const).map((v) => (
            <label key={v} class="choice">
              <input type="radio" name="view" checked={view === v} data-testid={`view-${v}`} onChange={() => setQuery('view', v === 'calendar' ? '' : v)} />
              <span>{t(`programmes.schedule.${v}`)}</span>
            </label>
          ))}
        </div>
        {multiGroup ? (
          <Field label={t('programmes.schedule.group')}>
            {(c) => (
              <select {...c} value={groupFilter} data-testid="schedule-group" onChange={(e) => setQuery('group', e.currentTarget.value)}>
                <option value="">{t('programmes.schedule.allGroups')}</option>
                {data.groups.map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : null}
        {canWrite ? (
          <>
            <button type="button" class="button button-primary" data-testid="extra-open" onClick={() => setPanel({ kind: 'extra', key: newIdempotencyKey() })}>
              + {t('programmes.schedule.addExtra')}
            </button>
            <button
              type="button"
              class="button button-secondary"
              data-testid="schedule-regenerate"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  const s = await scheduleApi.generate(data.programme.id);
                  await load();
                  return t('programmes.schedule.regenerated', { ...s });
                })
              }
            >
              {t('programmes.schedule.regenerate')}
            </button>
          </>
        ) : null}
      </div>

      {panel?.kind === 'extra' ? (
        <ExtraForm
          schedule={data}
          defaultGroup={groupFilter || data.groups.find((g) => g.inProgramme)?.id || ''}
          busy={busy}
          onCancel={() => setPanel(null)}
          onSubmit={(body) =>
            void run(async () => {
              const created = await scheduleApi.extra({ programmeId: data.programme.id, ...body }, panel.key);
              setData((d) => (d ? { ...d, items: [...d.items.filter((s) => s.id !== created.id), created].sort((a, b) => (a.date + a.startTime).localeCompare(b.date + b.startTime)) } : d));
              return t('programmes.schedule.added');
            })
          }
        />
      ) : null}

      {selected && panel?.kind === 'session' ? (
        <SessionPanel
          session={selected}
          groupName={groupName.get(selected.groupId) ?? ''}
          mode={panel.mode}
          canWrite={canWrite}
          busy={busy}
          today={today}
          onMode={(mode) => setPanel({ kind: 'session', id: selected.id, mode })}
          onClose={() => setPanel(null)}
          onCancel={(reason) =>
            void run(async () => {
              replaceSession(await scheduleApi.cancel(selected.id, { version: selected.version, reason }));
              return t('programmes.schedule.cancelled');
            })
          }
          onRestore={() =>
            void run(async () => {
              replaceSession(await scheduleApi.restore(selected.id, { version: selected.version }));
              return t('programmes.schedule.restored');
            })
          }
          onMove={(date, startTime) =>
            void run(async () => {
              const moved = await scheduleApi.reschedule(selected.id, { version: selected.version, date, startTime });
              setData((d) => (d ? { ...d, items: d.items.map((s) => (s.id === moved.id ? moved : s)).sort((a, b) => (a.date + a.startTime).localeCompare(b.date + b.startTime)) } : d));
              return t('programmes.schedule.moved');
            })
          }
        />
      ) : null}

      {data.items.length === 0 ? <p class="empty">{t('programmes.schedule.emptyAll')}</p> : null}

      {view === 'calendar' ? (
        <div data-testid="schedule-calendar">
          <div class="month-nav">
            <button type="button" class="button button-secondary button-icon" aria-label={t('programmes.schedule.prevMonth')} data-testid="month-prev" onClick={() => shiftMonth(-1)}>
              ‹
            </button>
            <h2 data-testid="month-title" aria-live="polite">
              {monthTitle} <span class="muted">· {t('programmes.schedule.count', { count: monthCount })}</span>
            </h2>
            <button type="button" class="button button-secondary button-icon" aria-label={t('programmes.schedule.nextMonth')} data-testid="month-next" onClick={() => shiftMonth(1)}>
              ›
            </button>
          </div>
          <table class="calendar">
            <thead>
              <tr>
                {WEEKDAYS.map((d) => (
                  <th key={d.n} scope="col">
                    {t(`programmes.weekday.${d.key}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {monthGrid(month.y, month.m).map((week, i) => (
                <tr key={i}>
                  {week.map((date, j) =>
                    date === null ? (
                      <td key={j} class="outside" />
                    ) : (
                      <td key={date} class={`${date === today ? 'today' : ''}${excluded.has(date) ? ' excluded' : ''}`} data-date={date} title={excluded.has(date) ? t('programmes.schedule.excluded') : undefined}>
                        <span class="day-number">{Number(date.slice(8))}</span>
                        {(byDate.get(date) ?? []).map((s) => (
                          <button
                            type="button"
                            key={s.id}
                            class={`cal-session status-${s.status} origin-${s.origin}`}
                            data-testid="cal-session"
                            data-session-id={s.id}
                            data-status={s.status}
                            aria-label={`${formatDay(s.date, lng, 'long')} ${s.startTime} · ${t(`programmes.schedule.status.${s.status}`)}${multiGroup ? ` · ${groupName.get(s.groupId) ?? ''}` : ''}`}
                            onClick={() => setPanel({ kind: 'session', id: s.id, mode: 'view' })}
                          >
                            {label(s)}
                          </button>
                        ))}
                      </td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <div data-testid="schedule-list">
          {items.length === 0 ? <p class="empty">{t('programmes.schedule.empty')}</p> : null}
          <ul class="session-list">
            {items.map((s) => (
              <li key={s.id} class={`session-item status-${s.status}${s.date < today ? ' is-past' : ''}`} data-testid="list-session" data-session-id={s.id} data-status={s.status} data-date={s.date}>
                <div>
                  <div class="session-when">
                    {formatDay(s.date, lng)} · {s.startTime} · {t('programmes.schedule.minutes', { count: s.plannedMinutes })}
                  </div>
                  <div class="session-meta">
                    <span class={`badge status-badge-${s.status}`}>{t(`programmes.schedule.status.${s.status}`)}</span>
                    {multiGroup ? <span>{groupName.get(s.groupId)}</span> : null}
                    {s.origin === 'extra' ? <span class="badge">{t('programmes.schedule.extra')}</span> : null}
                    {s.rescheduledFrom ? <span>{t('programmes.schedule.movedFrom', { date: formatDay(s.rescheduledFrom, lng) })}</span> : null}
                    {s.cancelReason ? <span>“{s.cancelReason}”</span> : null}
                  </div>
                </div>
                <button
                  type="button"
                  class="button button-secondary"
                  data-testid="list-session-open"
                  aria-label={t('programmes.schedule.actions', { date: formatDay(s.date, lng, 'long'), time: s.startTime })}
                  onClick={() => setPanel({ kind: 'session', id: s.id, mode: 'view' })}
                >
                  ⋯
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function SessionPanel(props: {
  session: ScheduledSession;
  groupName: string;
  mode: 'view' | 'cancel' | 'move';
  canWrite: boolean;
  busy: boolean;
  today: string;
  onMode: (mode: 'view' | 'cancel' | 'move') => void;
  onClose: () => void;
  onCancel: (reason: string) => void;
  onRestore: () => void;
  onMove: (date: string, time: string) => void;
}) {
  const { t, lng } = useT();
  const s = props.session;
  const [reason, setReason] = useState('');
  const [date, setDate] = useState(s.date);
  const [time, setTime] = useState(s.startTime);
  const [error, setError] = useState<string | null>(null);
  const editable = props.canWrite && !s.logged;
  const heading = useRef<HTMLHeadingElement>(null);
  // The panel opens above the calendar/list: bring it into view (a phone may be far down the list).
  useEffect(() => {
    heading.current?.scrollIntoView({ block: 'center' });
    heading.current?.focus({ preventScroll: true });
  }, [s.id]);

  return (
    <section class="card session-panel" data-testid="session-panel" aria-labelledby="session-panel-title">
      <h2 id="session-panel-title" tabIndex={-1} ref={heading}>
        {formatDay(s.date, lng, 'long')} · {s.startTime}
      </h2>
      <p class="session-meta">
        <span class={`badge status-badge-${s.status}`} data-testid="session-status">
          {t(`programmes.schedule.status.${s.status}`)}
        </span>
        {props.groupName ? <span>{props.groupName}</span> : null}
        <span>{t('programmes.schedule.minutes', { count: s.plannedMinutes })}</span>
        {s.origin === 'extra' ? <span class="badge">{t('programmes.schedule.extra')}</span> : null}
        {s.rescheduledFrom ? <span>{t('programmes.schedule.movedFrom', { date: formatDay(s.rescheduledFrom, lng) })}</span> : null}
        {s.cancelReason ? <span>“{s.cancelReason}”</span> : null}
        {s.logged ? <span>{t('programmes.schedule.logged')}</span> : null}
      </p>

      {props.mode === 'cancel' ? (
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!reason.trim()) return setError(t('validation.required'));
            props.onCancel(reason.trim());
          }}
        >
          <Field label={t('programmes.schedule.cancelReason')} hint={t('programmes.schedule.cancelReasonHint')} error={error ?? undefined} required>
            {(c) => <input {...c} value={reason} maxLength={300} data-testid="cancel-reason" onInput={(e) => setReason(e.currentTarget.value)} />}
          </Field>
          <div class="actions">
            <button type="submit" class="button button-danger" data-testid="cancel-confirm" disabled={props.busy}>
              {t('programmes.schedule.confirmCancel')}
            </button>
            <button type="button" class="button button-secondary" onClick={() => props.onMode('view')}>
              {t('programmes.schedule.keep')}
            </button>
          </div>
        </form>
      ) : props.mode === 'move' ? (
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!date || !/^\d{2}:\d{2}$/.test(time)) return setError(t('validation.required'));
            props.onMove(date, time);
          }}
        >
          <div class="form-row">
            <Field label={t('programmes.schedule.newDate')} error={error ?? undefined} required>
              {(c) => <input {...c} type="date" value={date} data-testid="move-date" onInput={(e) => setDate(e.currentTarget.value)} />}
            </Field>
            <Field label={t('programmes.schedule.newTime')} required>
              {(c) => <input {...c} type="time" value={time} data-testid="move-time" onInput={(e) => setTime(e.currentTarget.value)} />}
            </Field>
          </div>
          <div class="actions">
            <button type="submit" class="button button-primary" data-testid="move-confirm" disabled={props.busy}>
              {t('programmes.schedule.confirmReschedule')}
            </button>
            <button type="button" class="button button-secondary" onClick={() => props.onMode('view')}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      ) : (
        <div class="actions">
          {editable && s.status === 'scheduled' ? (
            <>
              <button type="button" class="button button-danger-outline" data-testid="session-cancel" onClick={() => props.onMode('cancel')}>
                {t('programmes.schedule.cancel')}
              </button>
              <button type="button" class="button" data-testid="session-move" onClick={() => props.onMode('move')}>
                {t('programmes.schedule.reschedule')}
              </button>
            </>
          ) : null}
          {editable && s.status === 'cancelled' ? (
            <button type="button" class="button" data-testid="session-restore" disabled={props.busy} onClick={props.onRestore}>
              {t('programmes.schedule.restore')}
            </button>
          ) : null}
          <button type="button" class="button button-secondary" data-testid="session-close" onClick={props.onClose}>
            {t('programmes.schedule.close')}
          </button>
        </div>
      )}
    </section>
  );
}

function ExtraForm(props: {
  schedule: Schedule;
  defaultGroup: string;
  busy: boolean;
  onCancel: () => void;
  onSubmit: (body: { groupId: string; date: string; startTime: string; plannedMinutes: number }) => void;
}) {
  const { t } = useT();
  const groups = props.schedule.groups.filter((g) => g.inProgramme);
  const [groupId, setGroupId] = useState(props.defaultGroup || groups[0]?.id || '');
  const [date, setDate] = useState('');
  const [time, setTime] = useState('16:00');
  const [minutes, setMinutes] = useState('40');
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.scrollIntoView({ block: 'center' });
    heading.current?.focus({ preventScroll: true });
  }, []);
  return (
    <section class="card session-panel" data-testid="extra-panel">
      <h2 tabIndex={-1} ref={heading}>
        {t('programmes.schedule.addExtra')}
      </h2>
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          const m = Number(minutes);
          if (!groupId || !date || !/^\d{2}:\d{2}$/.test(time) || !Number.isInteger(m) || m < 1 || m > 240) return setError(t('validation.required'));
          props.onSubmit({ groupId, date, startTime: time, plannedMinutes: m });
        }}
      >
        {groups.length > 1 ? (
          <Field label={t('programmes.schedule.group')} required>
            {(c) => (
              <select {...c} value={groupId} data-testid="extra-group" onChange={(e) => setGroupId(e.currentTarget.value)}>
                {groups.map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        ) : null}
        <div class="form-row">
          <Field label={t('programmes.schedule.date')} error={error ?? undefined} required>
            {(c) => <input {...c} type="date" value={date} data-testid="extra-date" onInput={(e) => setDate(e.currentTarget.value)} />}
          </Field>
          <Field label={t('programmes.schedule.time')} required>
            {(c) => <input {...c} type="time" value={time} data-testid="extra-time" onInput={(e) => setTime(e.currentTarget.value)} />}
          </Field>
        </div>
        <Field label={t('programmes.form.minutes')} required>
          {(c) => <input {...c} type="number" inputMode="numeric" min={1} max={240} value={minutes} data-testid="extra-minutes" onInput={(e) => setMinutes(e.currentTarget.value)} />}
        </Field>
        <div class="actions">
          <button type="submit" class="button button-primary" data-testid="extra-confirm" disabled={props.busy}>
            {t('programmes.schedule.confirmExtra')}
          </button>
          <button type="button" class="button button-secondary" onClick={props.onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}

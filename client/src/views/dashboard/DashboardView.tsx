// The delivery dashboard of a programme: plan checks next to each group's delivered checks,
// "at risk" notices, weekly aerobic minutes per session (20-minute line, week-10 marker),
// attendance over time, and a sortable, filterable per-child dose table.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { CHECK_STATUSES, STATUS_RANK, type Check, type CheckStatus } from '../../../../shared/domain/check.ts';
import { deliveryApi, type ChildRow, type DeliveryReport } from '../../api/delivery.ts';
import { programmesApi, type Programme } from '../../api/programmes.ts';
import { LineChart } from '../../charts/LineChart.tsx';
import { toAttendanceData, toWeeklyMinutesData } from '../../charts/data.ts';
import { ErrorAlert, Link, Loading, PageTitle } from '../../components/ui.tsx';
import { checkText } from '../../i18n/programmes.ts';
import { useT } from '../../i18n/index.ts';
import './dashboard.css';

const ICON: Record<CheckStatus, string> = { pass: '✓', fail: '✗', 'at-risk': '!', 'insufficient-data': '?', 'not-applicable': '–' };

/**
 * Why a child is not "met", in the reader's language, shown on the page (a phone cannot show a
 * hover tooltip): every check that is not met, with its explanation.
 */
function ChildReason(props: { row: ChildRow }) {
  const { t, lng } = useT();
  const open = props.row.checks.filter((c) => c.status !== 'pass');
  if (open.length === 0) return <span class="dash-reason-ok">{t('register.dashboard.allMet')}</span>;
  // Control arm: one line says it all.
  const shown = open.every((c) => c.status === 'not-applicable') ? open.slice(0, 1) : open.filter((c) => c.status !== 'not-applicable');
  return (
    <ul class="dash-reasons" data-testid="dash-child-reason">
      {shown.map((c) => {
        const text = checkText(c as Check, lng);
        return (
          <li class={`dash-reason dash-reason-${c.status}`} data-check={c.id}>
            {c.status === 'not-applicable' ? text.explanation : <><strong>{text.label}:</strong> {text.explanation}</>}
          </li>
        );
      })}
    </ul>
  );
}

export function DeliveryPickView() {
  const { t } = useT();
  const [items, setItems] = useState<Programme[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    programmesApi.list().then((r) => setItems(r.items), setError);
  }, []);
  if (error) return <ErrorAlert error={error} />;
  if (!items) return <Loading />;
  return (
    <section data-testid="delivery-pick">
      <PageTitle>{t('register.dashboard.pickTitle')}</PageTitle>
      <p>{t('register.dashboard.pickIntro')}</p>
      <ul class="dash-pick">
        {items.map((p) => (
          <li key={p.id}>
            <Link href={`/delivery/${encodeURIComponent(p.id)}`} testid="delivery-pick-item">
              {p.name}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Status(props: { status: CheckStatus }) {
  const { t } = useT();
  return (
    <span class={`dash-status dash-${props.status}`} data-status={props.status}>
      {ICON[props.status]} {t(`register.dashboard.status.${props.status}`)}
    </span>
  );
}

function CheckItem(props: { check: Check }) {
  const { lng } = useT();
  const text = checkText(props.check, lng);
  return (
    <li class="dash-check" data-testid="dash-check" data-check={props.check.id}>
      <Status status={props.check.status} /> <strong>{text.label}</strong>
      <div class="dash-explanation">{text.explanation}</div>
    </li>
  );
}

/** The checks of a plan or group; a control arm's all-"not applicable" list is said once, not six times. */
function CheckList(props: { checks: Check[] }) {
  const { t } = useT();
  if (props.checks.length > 0 && props.checks.every((c) => c.status === 'not-applicable')) {
    return (
      <p class="dash-check" data-testid="dash-check" data-check="all" data-status="not-applicable">
        <Status status="not-applicable" /> {t('register.dashboard.controlChecks', { count: props.checks.length })}
      </p>
    );
  }
  return <ul class="dash-checks">{props.checks.map((c) => <CheckItem check={c} />)}</ul>;
}

type SortKey = 'name' | 'attended' | 'rate' | 'aerobic' | 'qualifying' | 'weeks' | 'gap' | 'status';

export function DashboardView(props: { programmeId: string }) {
  const { t, lng } = useT();
  const [report, setReport] = useState<DeliveryReport | null>(null);
  const [children, setChildren] = useState<ChildRow[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'status', desc: true });
  const [filter, setFilter] = useState<CheckStatus | ''>('');
  const [search, setSearch] = useState('');

  useEffect(() => {
    Promise.all([deliveryApi.report(props.programmeId), deliveryApi.children(props.programmeId)]).then(([r, c]) => {
      setReport(r);
      setChildren(c.items);
    }, setError);
  }, [props.programmeId]);

  const weekLabel = (n: number) => t('register.dashboard.week', { n });
  const minutesData = useMemo(() => (report ? toWeeklyMinutesData(report, weekLabel) : null), [report, lng]);
  const attendanceData = useMemo(() => (report ? toAttendanceData(report, weekLabel) : null), [report, lng]);

  const rows = useMemo(() => {
    if (!children) return [];
    const q = search.trim().toLowerCase();
    const rank = STATUS_RANK;
    const value = (r: ChildRow): number | string => {
      switch (sort.key) {
        case 'name': return (r.displayName || r.code).toLowerCase();
        case 'attended': return r.sessionsAttended;
        case 'rate': return r.attendanceRate ?? -1;
        case 'aerobic': return r.aerobicMinutes;
        case 'qualifying': return r.qualifyingSessions;
        case 'weeks': return r.qualifyingWeeks;
        case 'gap': return r.longestGapDays ?? -1;
        case 'status': return rank[r.worstStatus];
      }
    };
    return children
      .filter((r) => !filter || r.checks.some((c) => c.status === filter))
      .filter((r) => !q || (r.displayName ?? '').toLowerCase().includes(q) || r.code.toLowerCase().includes(q))
      .sort((a, b) => {
        const x = value(a);
        const y = value(b);
        const c = typeof x === 'string' ? x.localeCompare(String(y), lng) : x - (y as number);
        return sort.desc ? -c : c;
      });
  }, [children, sort, filter, search, lng]);

  if (error) return <ErrorAlert error={error} />;
  if (!report || !children || !minutesData || !attendanceData) return <Loading />;
  const control = report.programme.arm === 'control';
  const byWorst = report.children.byWorst;
  const minMinutes = report.profile.minSessionMinutes;
  const minWeeks = report.profile.minWeeks;
  const showNames = children.some((c) => c.displayName !== undefined);
  const header = (key: SortKey, label: string) => (
    <th scope="col" aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button type="button" class="dash-sort" data-testid={`dash-sort-${key}`} title={t('register.dashboard.sortBy', { col: label })} onClick={() => setSort({ key, desc: sort.key === key ? !sort.desc : key !== 'name' })}>
        {label} {sort.key === key ? (sort.desc ? '▼' : '▲') : ''}
      </button>
    </th>
  );
  const noticeText = (n: DeliveryReport['notices'][number]) => {
    if (n.kind === 'falling-attendance') return t('register.dashboard.noticeFalling', { group: n.groupName ?? '', before: n.params.before, after: n.params.after });
    if (n.kind === 'children') return t('register.dashboard.noticeChildren', { group: n.groupName ?? '', count: n.params.count, total: n.params.total });
    const check = report.groups.find((g) => g.groupId === n.groupId)?.checks.find((c) => c.messageKey === n.messageKey);
    if (!check) return n.message;
    const text = checkText(check, lng);
    return `${n.groupName ?? ''}: ${text.label} — ${text.explanation}`;
  };

  return (
    <section class="dash" data-testid="dashboard">
      <PageTitle>{t('register.dashboard.title', { name: report.programme.name })}</PageTitle>
      <p class="dash-meta">
        {report.asOf ? t('register.dashboard.asOf', { date: report.asOf }) : null} · {t('register.dashboard.profile', { name: lng === 'zh-CN' ? report.profile.name.zh : report.profile.name.en })}
      </p>

      {control ? (
        <p class="dash-control" data-testid="dash-control">
          <Status status="not-applicable" /> {t('register.dashboard.controlArm')}
        </p>
      ) : null}

      <h2>{t('register.dashboard.notices')}</h2>
      {report.notices.length === 0 ? (
        <p data-testid="dash-no-notices">{t('register.dashboard.noNotices')}</p>
      ) : (
        <ul class="dash-notices" data-testid="dash-notices">
          {report.notices.map((n) => (
            <li class={`dash-notice dash-${n.severity}`} data-testid="dash-notice" data-kind={n.kind}>
              <Status status={n.severity} /> {noticeText(n)}
            </li>
          ))}
        </ul>
      )}

      <h2>{t('register.dashboard.checks')}</h2>
      <div class="dash-columns">
        <div class="dash-card" data-testid="dash-plan">
          <h3>{t('register.dashboard.plan')}</h3>
          <CheckList checks={report.planChecks} />
        </div>
        {report.groups.map((g) => (
          <div class="dash-card" data-testid="dash-group" data-group={g.groupId}>
            <h3>{g.name}</h3>
            <p class="dash-meta">
              {control
                ? t('register.dashboard.controlSessions', { held: g.summary.sessionsHeld })
                : t('register.dashboard.groupsHeld', { held: g.summary.sessionsHeld, cancelled: g.summary.sessionsCancelled, unrecorded: g.summary.sessionsUnrecorded })}
            </p>
            <CheckList checks={g.checks} />
          </div>
        ))}
      </div>
      {!control && report.groups.every((g) => g.summary.sessionsHeld === 0) ? <p>{t('register.dashboard.noChecks')}</p> : null}

      <h2>{t('register.dashboard.weeklyMinutes')}</h2>
      <p class="dash-meta">{t('register.dashboard.weeklyHint', { minutes: minMinutes ?? '—', weeks: minWeeks ?? '—' })}</p>
      <LineChart
        testid="chart-weekly-minutes"
        ariaLabel={t('register.dashboard.weeklyMinutes')}
        data={minutesData}
        yLabel={t('register.minutes')}
        {...(minMinutes !== null ? { hLine: { value: minMinutes, label: t('register.dashboard.minutesLine', { minutes: minMinutes }) } } : {})}
        {...(minWeeks !== null ? { vLine: { index: minWeeks - 1, label: t('register.dashboard.weeksMarker', { weeks: minWeeks }) } } : {})}
      />

      <h2>{t('register.dashboard.attendance')}</h2>
      <LineChart testid="chart-attendance" ariaLabel={t('register.dashboard.attendance')} data={attendanceData} yLabel={t('register.dashboard.attendanceRate')} yMax={100} />

      <h2>{t('register.dashboard.children')}</h2>
      <p class="dash-meta" data-testid="dash-children-count">
        {control
          ? t('register.dashboard.childrenCountControl', { count: report.children.count })
          : t('register.dashboard.childrenCount', {
              count: report.children.count,
              pass: byWorst.pass ?? 0,
              atRisk: byWorst['at-risk'] ?? 0,
              fail: byWorst.fail ?? 0,
              insufficient: byWorst['insufficient-data'] ?? 0,
            })}
      </p>
      <div class="dash-filters">
        <label>
          {t('register.dashboard.filter')}{' '}
          <select value={filter} data-testid="dash-filter" onChange={(e) => setFilter((e.target as HTMLSelectElement).value as CheckStatus | '')}>
            <option value="">{t('register.dashboard.filterAll')}</option>
            {CHECK_STATUSES.map((s) => (
              <option value={s}>{t(`register.dashboard.status.${s}`)}</option>
            ))}
          </select>
        </label>
        <input type="search" placeholder={t('register.dashboard.search')} aria-label={t('register.dashboard.search')} value={search} data-testid="dash-search" onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
      </div>
      <div class="dash-table-wrap">
        <table class="dash-table" data-testid="dash-children">
          <thead>
            <tr>
              {header('name', showNames ? t('register.dashboard.col.child') : t('register.dashboard.col.code'))}
              {header('status', t('register.dashboard.col.status'))}
              <th scope="col" class="dash-why">{t('register.dashboard.reason')}</th>
              {header('attended', t('register.dashboard.col.attended'))}
              {header('rate', t('register.dashboard.col.rate'))}
              {header('aerobic', t('register.dashboard.col.aerobic'))}
              {header('qualifying', t('register.dashboard.col.qualifying'))}
              {header('weeks', t('register.dashboard.col.weeks'))}
              {header('gap', t('register.dashboard.col.gap'))}
              <th scope="col">{t('register.dashboard.col.last')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.childId} data-testid="dash-child-row" data-status={r.worstStatus}>
                <th scope="row">
                  {showNames ? r.displayName : r.code}
                  {showNames ? <span class="dash-code"> {r.code}</span> : null}
                </th>
                <td data-label={t('register.dashboard.col.status')}>
                  <Status status={r.worstStatus} />
                </td>
                <td class="dash-why" data-label={t('register.dashboard.reason')}>
                  <ChildReason row={r} />
                </td>
                <td data-label={t('register.dashboard.col.attended')}>{r.sessionsAttended} / {r.sessionsMarked}</td>
                <td data-label={t('register.dashboard.col.rate')}>{r.attendanceRate === null ? '—' : `${Math.round(r.attendanceRate * 100)} %`}</td>
                <td data-label={t('register.dashboard.col.aerobic')}>{Math.round(r.aerobicMinutes)}</td>
                <td data-label={t('register.dashboard.col.qualifying')}>{r.qualifyingSessions}</td>
                <td data-label={t('register.dashboard.col.weeks')}>{r.qualifyingWeeks}</td>
                <td data-label={t('register.dashboard.col.gap')}>{r.longestGapDays ?? '—'}</td>
                <td data-label={t('register.dashboard.col.last')}>{r.lastAttendedOn ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 ? <p>{t('register.dashboard.noChildren')}</p> : null}
      </div>
    </section>
  );
}

import type { JSX } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, getSession, onUnauthorized } from './api/client.ts';
import type { Locale, User } from './api/types.ts';
import { Header } from './components/Header.tsx';
import { Alert, ErrorAlert } from './components/ui.tsx';
import { applyUserLocale, currentLanguage, i18next, LanguageContext, useT } from './i18n/index.ts';
import { match, navigate, useLocation } from './router.ts';
import { SessionContext, type SessionApi } from './session.ts';
import { assessmentRoutes } from './views/assessments/routes.tsx';
import { ForbiddenView, NotFoundView } from './views/misc.tsx';
import { lazyView, onceViewShown } from './lazy.tsx';

// Every view loads on demand, the first time its address is shown: the first page fetches the
// app shell and its own view only (issue 11: ≤ 100 kB gzip of JavaScript on first load). A new
// view is one line here plus its route below.
const AuditView = lazyView(() => import('./views/audit/AuditView.tsx').then((m) => m.AuditView));
const LoginView = lazyView(() => import('./views/auth/LoginView.tsx').then((m) => m.LoginView));
const SetupView = lazyView(() => import('./views/auth/SetupView.tsx').then((m) => m.SetupView));
const ChildFormView = lazyView(() => import('./views/children/ChildFormView.tsx').then((m) => m.ChildFormView));
const RosterImportView = lazyView(() => import('./views/children/RosterImportView.tsx').then((m) => m.RosterImportView));
const RosterView = lazyView(() => import('./views/children/RosterView.tsx').then((m) => m.RosterView));
const DashboardView = lazyView(() => import('./views/dashboard/DashboardView.tsx').then((m) => m.DashboardView));
const DeliveryPickView = lazyView(() => import('./views/dashboard/DashboardView.tsx').then((m) => m.DeliveryPickView));
const GroupView = lazyView(() => import('./views/groups/GroupView.tsx').then((m) => m.GroupView));
const GroupsView = lazyView(() => import('./views/groups/GroupsView.tsx').then((m) => m.GroupsView));
const HomeView = lazyView(() => import('./views/home/HomeView.tsx').then((m) => m.HomeView));
const ProgrammeFormView = lazyView(() => import('./views/programmes/ProgrammeFormView.tsx').then((m) => m.ProgrammeFormView));
const ProgrammesView = lazyView(() => import('./views/programmes/ProgrammesView.tsx').then((m) => m.ProgrammesView));
const RegisterPickView = lazyView(() => import('./views/register/RegisterView.tsx').then((m) => m.RegisterPickView));
const RegisterView = lazyView(() => import('./views/register/RegisterView.tsx').then((m) => m.RegisterView));
const ResultsView = lazyView(() => import('./views/results/ResultsView.tsx').then((m) => m.ResultsView));
const ApiTokensView = lazyView(() => import('./views/api-tokens/ApiTokensView.tsx').then((m) => m.ApiTokensView));
const ScheduleView = lazyView(() => import('./views/schedule/ScheduleView.tsx').then((m) => m.ScheduleView));
const SchoolFormView = lazyView(() => import('./views/schools/SchoolFormView.tsx').then((m) => m.SchoolFormView));
const SchoolsView = lazyView(() => import('./views/schools/SchoolsView.tsx').then((m) => m.SchoolsView));
const UserFormView = lazyView(() => import('./views/users/UserFormView.tsx').then((m) => m.UserFormView));
const UsersView = lazyView(() => import('./views/users/UsersView.tsx').then((m) => m.UsersView));

type Boot =
  | { kind: 'loading' }
  | { kind: 'failed'; error: unknown }
  | { kind: 'setup' }
  | { kind: 'login'; expired?: boolean }
  | { kind: 'ready'; user: User };

export function App() {
  const [lng, setLng] = useState<Locale>(currentLanguage);
  useEffect(() => {
    const update = () => setLng(currentLanguage());
    i18next.on('languageChanged', update);
    return () => i18next.off('languageChanged', update);
  }, []);

  return (
    <LanguageContext.Provider value={lng}>
      <Shell />
    </LanguageContext.Provider>
  );
}

function Shell() {
  const { t } = useT();
  const [boot, setBoot] = useState<Boot>({ kind: 'loading' });
  const [loggingOut, setLoggingOut] = useState(false);

  const load = useCallback(async () => {
    try {
      const session = await getSession();
      if (session.setupRequired) setBoot({ kind: 'setup' });
      else if (!session.user) setBoot({ kind: 'login' });
      else {
        await applyUserLocale(session.user.locale);
        setBoot({ kind: 'ready', user: session.user });
      }
    } catch (error) {
      setBoot({ kind: 'failed', error });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  // Any API call answered 401 means the session ended (expired, or the account was disabled).
  useEffect(
    () =>
      onUnauthorized(() => {
        void getSession().catch(() => undefined);
        setBoot({ kind: 'login', expired: true });
      }),
    [],
  );

  const logout = useCallback(async () => {
    setLoggingOut(true);
    try {
      await api.auth.logout();
    } catch {
      // Signed out on the server or not: the page below re-reads the session either way.
    } finally {
      setLoggingOut(false);
    }
    navigate('/', { replace: true });
    await load();
  }, [load]);

  const session = useMemo<SessionApi | null>(
    () => (boot.kind === 'ready' ? { user: boot.user, refresh: load, logout } : null),
    [boot, load, logout],
  );

  if (boot.kind === 'loading') {
    return (
      <div class="boot" role="status" data-testid="boot-loading">
        {t('app.loading')}
      </div>
    );
  }

  if (boot.kind === 'failed') {
    return (
      <>
        <Header />
        <main class="main narrow" id="main">
          <ErrorAlert error={boot.error} testid="boot-error" />
          <p>{t('app.loadFailed')}</p>
          <button type="button" class="button" onClick={() => void load()}>
            {t('app.retry')}
          </button>
        </main>
      </>
    );
  }

  if (boot.kind === 'setup' || boot.kind === 'login') {
    return (
      <>
        <SkipLink />
        <Header />
        <main class="main narrow" id="main">
          {boot.kind === 'login' && boot.expired ? (
            <Alert kind="info" testid="session-expired">
              {t('error.unauthenticated')}
            </Alert>
          ) : null}
          {boot.kind === 'setup' ? (
            <SetupView onDone={load} onAlreadySetUp={() => setBoot({ kind: 'login' })} />
          ) : (
            <LoginView onDone={load} />
          )}
        </main>
      </>
    );
  }

  return (
    <SessionContext.Provider value={session}>
      <SkipLink />
      <Header user={boot.user} onLogout={() => void logout()} loggingOut={loggingOut} />
      <main class="main" id="main">
        <Routes user={boot.user} />
      </main>
    </SessionContext.Provider>
  );
}

function SkipLink() {
  const { t } = useT();
  return (
    <a class="skip-link" href="#main">
      {t('app.skipToContent')}
    </a>
  );
}

function Routes(props: { user: User }) {
  const { path, query } = useLocation();
  const isAdmin = props.user.role === 'admin';
  const first = useRef(true);

  // After in-app navigation, move focus to the new page's heading (not on the first load).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    const focusHeading = () => document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true });
    // A view shown for the first time is downloaded first: focus its heading once it is there.
    if (document.querySelector('main h1')) focusHeading();
    else return onceViewShown(focusHeading);
  }, [path]);

  // Signed in: the sign-in and set-up addresses lead home.
  useEffect(() => {
    if (path === '/login' || path === '/setup') navigate('/', { replace: true });
  }, [path]);

  if (path === '/' || path === '' || path === '/login' || path === '/setup') return <HomeView />;

  const adminOnly = (view: JSX.Element) => (isAdmin ? view : <ForbiddenView />);

  if (match('/schools', path)) return adminOnly(<SchoolsView />);
  if (match('/schools/new', path)) return adminOnly(<SchoolFormView key="new" schoolId={null} />);
  const school = match('/schools/:id', path);
  if (school) return adminOnly(<SchoolFormView key={school.id} schoolId={school.id ?? null} />);

  if (match('/users', path)) return adminOnly(<UsersView />);
  if (match('/users/new', path)) return adminOnly(<UserFormView key="new" userId={null} />);
  const user = match('/users/:id', path);
  if (user) return adminOnly(<UserFormView key={user.id} userId={user.id ?? null} />);

  if (match('/audit', path)) return adminOnly(<AuditView query={query} />);
  // Every user manages their own API tokens.
  if (match('/api-tokens', path)) return <ApiTokensView />;

  // Roster and groups: names are for teachers, counsellors and admins only (never researchers).
  const rosterAllowed = props.user.role !== 'researcher';
  const rosterOnly = (view: JSX.Element) => (rosterAllowed ? view : <ForbiddenView />);
  if (match('/children', path)) return rosterOnly(<RosterView query={query} />);
  if (match('/children/new', path)) return rosterOnly(<ChildFormView key="new" childId={null} schoolId={query.get('school')} />);
  if (match('/children/import', path)) return rosterOnly(<RosterImportView query={query} />);
  const child = match('/children/:id', path);
  if (child) return rosterOnly(<ChildFormView key={child.id} childId={child.id ?? null} schoolId={null} />);
  if (match('/groups', path)) return rosterOnly(<GroupsView query={query} />);
  if (match('/groups/new', path)) return rosterOnly(<GroupView key="new" groupId={null} schoolId={query.get('school')} />);
  const group = match('/groups/:id', path);
  if (group) return rosterOnly(<GroupView key={group.id} groupId={group.id ?? null} schoolId={null} />);

  // Results and exports: researchers and admins (de-identified; the server checks school scope).
  if (match('/results', path)) return props.user.role === 'researcher' || isAdmin ? <ResultsView query={query} /> : <ForbiddenView />;

  // Programmes: every role reads (researchers without the schedule); admins and PE teachers edit.
  if (match('/register', path)) return props.user.role === 'admin' || props.user.role === 'pe_teacher' ? <RegisterPickView /> : <ForbiddenView />;
  const registerMatch = match('/register/:id', path);
  if (registerMatch) return props.user.role === 'admin' || props.user.role === 'pe_teacher' ? <RegisterView key={registerMatch.id} sessionId={registerMatch.id ?? ''} /> : <ForbiddenView />;
  if (match('/delivery', path)) return <DeliveryPickView />;
  const deliveryMatch = match('/delivery/:id', path);
  if (deliveryMatch) return <DashboardView key={deliveryMatch.id} programmeId={deliveryMatch.id ?? ''} />;
  if (match('/programmes', path)) return <ProgrammesView />;
  if (match('/programmes/new', path)) return props.user.role === 'admin' || props.user.role === 'pe_teacher' ? <ProgrammeFormView key="new" programmeId={null} /> : <ForbiddenView />;
  const programmeSchedule = match('/programmes/:id/schedule', path);
  if (programmeSchedule) return props.user.role === 'researcher' ? <ForbiddenView /> : <ScheduleView key={programmeSchedule.id} programmeId={programmeSchedule.id ?? ''} />;
  const programme = match('/programmes/:id', path);
  if (programme) return <ProgrammeFormView key={programme.id} programmeId={programme.id ?? null} />;

  const assessmentView = assessmentRoutes(path, query, props.user);
  if (assessmentView) return assessmentView;

  return <NotFoundView />;
}

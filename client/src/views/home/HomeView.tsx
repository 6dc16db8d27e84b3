import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client.ts';
import type { School } from '../../api/types.ts';
import { ErrorAlert, Link, Loading, PageTitle } from '../../components/ui.tsx';
import { useT } from '../../i18n/index.ts';
import { useSession } from '../../session.ts';

interface Card {
  id: string;
  title: string;
  text: string;
  href: string;
}

export function HomeView() {
  const { t } = useT();
  const { user } = useSession();

  let cards: Card[];
  switch (user.role) {
    case 'admin':
      cards = [
        { id: 'schools', title: t('nav.schools'), text: t('home.admin.schools'), href: '/schools' },
        { id: 'users', title: t('nav.users'), text: t('home.admin.users'), href: '/users' },
        { id: 'audit', title: t('nav.audit'), text: t('home.admin.audit'), href: '/audit' },
      ];
      break;
    case 'pe_teacher':
      cards = [
        { id: 'sessions', title: t('home.pe_teacher.sessions'), text: t('home.pe_teacher.sessionsText'), href: '/register' },
        { id: 'programmes', title: t('home.pe_teacher.programmes'), text: t('home.pe_teacher.programmesText'), href: '/programmes' },
        { id: 'groups', title: t('home.pe_teacher.groups'), text: t('home.pe_teacher.groupsText'), href: '/groups' },
      ];
      break;
    case 'counsellor':
      cards = [
        {
          id: 'questionnaires',
          title: t('home.counsellor.questionnaires'),
          text: t('home.counsellor.questionnairesText'),
          href: '/assessments',
        },
        { id: 'worklist', title: t('home.counsellor.worklist'), text: t('home.counsellor.worklistText'), href: '/worklist' },
      ];
      break;
    case 'researcher':
      cards = [
        { id: 'results', title: t('home.researcher.results'), text: t('home.researcher.resultsText'), href: '/results' },
        { id: 'exports', title: t('home.researcher.exports'), text: t('home.researcher.exportsText'), href: '/results' },
      ];
      break;
  }

  return (
    <div data-testid="home" data-role={user.role}>
      <PageTitle>{t('home.title', { name: user.displayName })}</PageTitle>
      <p class="lead">{t('home.roleLine', { role: t(`role.${user.role}`) })}</p>
      <ul class="cards" data-testid="home-cards">
        {cards.map((card) => (
          <li key={card.id} class="home-card" data-testid={`home-card-${card.id}`}>
            <Link href={card.href} class="home-card-link">
              <h2>{card.title}</h2>
              <p>{card.text}</p>
              <span class="home-card-go" aria-hidden="true">
                {t('home.open')} →
              </span>
            </Link>
          </li>
        ))}
      </ul>
      {user.role === 'admin' ? null : <MySchools />}
    </div>
  );
}

/** The schools a non-admin works in: the scope of everything they will see. */
function MySchools() {
  const { t } = useT();
  const [schools, setSchools] = useState<School[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const controller = new AbortController();
    api.schools
      .list(controller.signal)
      .then((list) => setSchools(list.items))
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(e);
      });
    return () => controller.abort();
  }, []);

  return (
    <section class="section" data-testid="my-schools" aria-labelledby="my-schools-title">
      <h2 id="my-schools-title">{t('home.mySchools')}</h2>
      <ErrorAlert error={error} />
      {schools === null && !error ? <Loading /> : null}
      {schools && schools.length === 0 ? <p class="muted">{t('home.noSchools')}</p> : null}
      {schools && schools.length > 0 ? (
        <ul class="plain-list">
          {schools.map((school) => (
            <li key={school.id}>
              <span class="code">{school.code}</span> {school.name}
              <span class="muted">
                {' '}
                · {school.region} {school.county} · {t(`setting.${school.setting}`)}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
